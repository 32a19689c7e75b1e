/**
 * Issue 7 in a real VS Code: `codeTutor.protocol: "chat"` against the fake server's streaming chat completions. The
 * model's run_python code streams into the code block and runs LOCALLY in the product's Pyodide worker (the fake server
 * never runs code: every log line below was printed by Python on this machine); a PNG written under /mnt/data is shown
 * as an image; later questions in the same chat reuse the Python state and carry the earlier messages; Stop during a
 * runaway cell stops it, and the chat runs code again afterwards. One VS Code start for all of it.
 */
import { test } from 'node:test';
import type { Frame } from 'playwright-core';
import { foreverCode, mplCode, plotCode, recallCode, rememberCode } from '../fake/chatScenarios';
import type { FakeServer } from '../fake/server';
import { assert, ask, openSidebar, responsesRequests, waitForTurn, watchGrowth, withTutor } from './support';

// Pyodide's cold start takes 5-30 s on a busy machine: the first cell gets a generous wait.
const COLD_MS = 150_000;
const WARM_MS = 60_000;

type Message = { role: string; content?: unknown; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_call_id?: string };

function chatRequests(server: FakeServer) {
  return server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/chat/completions'));
}

function messagesOf(body: unknown): Message[] {
  return ((body as { messages?: Message[] }).messages ?? []);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p as { text?: string }).text ?? '').join('');
  return '';
}

async function codeOf(chat: Frame, turn: number): Promise<string> {
  return (await chat.locator('.turn').nth(turn - 1).locator('.code-block pre code.code-source').first().textContent()) ?? '';
}

async function logsOf(chat: Frame, turn: number): Promise<string> {
  return (await chat.locator('.turn').nth(turn - 1).locator('.code-block .output-logs').allTextContents()).join('\n');
}

async function codeStatusOf(chat: Frame, turn: number): Promise<string | null> {
  return chat.locator('.turn').nth(turn - 1).locator('.code-block .code-status').first().getAttribute('data-status');
}

test('chat protocol: code streams in and runs locally in Pyodide, keeps its state across questions, and Stop stops a runaway cell', async () => {
  await withTutor({ name: 'chat-protocol', settings: { 'codeTutor.protocol': 'chat' }, timeoutMs: 60_000 }, async (vs, server) => {
    const chat = await openSidebar(vs);
    // The webview's own layout against the chat pane it is drawn over.
    const layout = async () => ({
      frame: await (await chat.frameElement()).boundingBox(),
      pane: await vs.page.locator('.pane', { has: vs.page.locator('.pane-header', { hasText: /^Chat|Chat$/ }) }).first().locator('.pane-body').boundingBox(),
      inside: await chat.evaluate(() => ({
        innerHeight: window.innerHeight,
        rootHeight: document.getElementById('code-tutor-root')?.getBoundingClientRect().height,
        scrollY: window.scrollY,
        docHeight: document.documentElement.scrollHeight,
        composerBottom: document.querySelector('.composer')?.getBoundingClientRect().bottom ?? Infinity,
        logsBottom: Array.from(document.querySelectorAll('.turn.latest .output-logs')).at(-1)?.getBoundingClientRect().bottom ?? Infinity,
        listBottom: document.querySelector('.turns')?.getBoundingClientRect().bottom ?? 0,
      })),
    });

    // 1. A chat model writes a run_python call; its code streams into the block while the arguments arrive.
    await ask(chat, '[scenario:chat:plot] [delay:60] Can Python draw a tiny picture without any library?');
    await chat.locator('.turn .code-block').first().waitFor({ state: 'attached', timeout: 30_000 });
    const stillWriting = async () => (await codeStatusOf(chat, 1)) !== 'writing';
    const lengths = await watchGrowth(async () => (await codeOf(chat, 1)).length, async () => (await stillWriting()) || (await codeOf(chat, 1)).length > 120, 60_000);
    await vs.screenshot('chat-protocol-streaming'); // half-written code, status "writing"
    lengths.push(...(await watchGrowth(async () => (await codeOf(chat, 1)).length, stillWriting, 60_000)));
    assert.ok(lengths.filter((n) => n > 0).length >= 3, `the code streamed into the block (lengths seen: ${lengths.join(',')})`);

    await waitForTurn(chat, 1, 'completed', COLD_MS);
    assert.equal((await codeOf(chat, 1)).trimEnd(), plotCode.trimEnd(), 'the whole code, exactly as the model wrote it');
    assert.equal(await codeStatusOf(chat, 1), 'done');
    const logs1 = await logsOf(chat, 1);
    const wrote = /wrote (\d+) bytes/.exec(logs1);
    assert.ok(wrote, `Python's own output is shown under the code: ${JSON.stringify(logs1)}`);
    const img = chat.locator('.turn').first().locator('.code-block img.output-image').first();
    await img.waitFor({ state: 'visible', timeout: 10_000 });
    assert.deepEqual(await img.evaluate((el: HTMLImageElement) => [el.complete, el.naturalWidth, el.naturalHeight]), [true, 2, 2], 'the 2×2 PNG written under /mnt/data decoded');
    const answer1 = await chat.locator('.turn').first().locator('.md-text').last().innerText();
    assert.match(answer1, new RegExp(`The interpreter printed: .*wrote ${wrote[1]} bytes`), 'the answer continued from the local result');

    // On the wire: chat completions with a run_python function tool, the local output sent back as the tool message.
    assert.equal(responsesRequests(server).length, 0, 'no Responses call on this protocol');
    const [first, second] = chatRequests(server);
    const body1 = first.body as { stream?: boolean; tools?: Array<{ type: string; function?: { name: string } }> };
    assert.equal(body1.stream, true);
    assert.ok(body1.tools?.some((t) => t.type === 'function' && t.function?.name === 'run_python'), JSON.stringify(body1.tools));
    assert.ok(!body1.tools?.some((t) => t.type === 'code_interpreter'), 'no hosted interpreter is asked for');
    const toolMessage = messagesOf(second.body).find((m) => m.role === 'tool');
    assert.match(textOf(toolMessage?.content), new RegExp(`wrote ${wrote[1]} bytes`), 'the tool result is what Pyodide printed');
    await img.scrollIntoViewIfNeeded();
    await vs.screenshot('chat-protocol-plot');

    // 2. Follow-ups in the same chat share one Python namespace, like notebook cells.
    await ask(chat, '[scenario:chat:remember] Please remember a number for me.');
    await waitForTurn(chat, 2, 'completed', WARM_MS);
    assert.equal((await codeOf(chat, 2)).trimEnd(), rememberCode.trimEnd());
    assert.match(await logsOf(chat, 2), /x is set to 41/);

    const before = chatRequests(server).length;
    await ask(chat, '[scenario:chat:recall] What is that number plus one?');
    await waitForTurn(chat, 3, 'completed', WARM_MS);
    assert.equal((await codeOf(chat, 3)).trimEnd(), recallCode.trimEnd());
    const logs3 = await logsOf(chat, 3);
    assert.match(logs3, /x \+ 1 = 42/, `the second cell saw the first cell's x: ${JSON.stringify(logs3)}`);
    assert.doesNotMatch(logs3, /NameError/);
    // Chat completions are stateless: the request for the third question carries the whole conversation so far.
    const third = chatRequests(server)[before];
    const history = messagesOf(third.body);
    const users = history.filter((m) => m.role === 'user').map((m) => textOf(m.content));
    assert.equal(users.length, 3, JSON.stringify(users));
    assert.match(users[0], /tiny picture/);
    assert.match(users[1], /remember a number/);
    const calls = history.flatMap((m) => m.tool_calls ?? []).map((c) => (JSON.parse(c.function.arguments) as { code: string }).code);
    assert.ok(calls.includes(rememberCode), `the earlier run_python call is sent back: ${JSON.stringify(calls)}`);
    assert.ok(history.some((m) => m.role === 'tool' && /x is set to 41/.test(textOf(m.content))), 'and its result too');
    await vs.screenshot('chat-protocol-state');

    // 3. Stop during a runaway cell: the cell is interrupted, the turn ends as stopped.
    await ask(chat, '[scenario:chat:forever] What happens with a loop that never ends?');
    await chat.waitForFunction(
      () => {
        const turn = document.querySelectorAll('.turn')[3];
        return turn?.querySelector('.code-block .code-status')?.getAttribute('data-status') === 'running' && (turn.querySelector('.output-logs')?.textContent ?? '').includes('looping');
      },
      undefined,
      { timeout: WARM_MS, polling: 100 },
    );
    assert.equal((await codeOf(chat, 4)).trimEnd(), foreverCode.trimEnd());
    await new Promise((r) => setTimeout(r, 1500)); // it is really spinning now
    assert.equal(await codeStatusOf(chat, 4), 'running', 'the loop is still running before Stop');
    await vs.screenshot('chat-protocol-running');
    // What a person sees: the chat list scrolls inside the view and follows the run; the message box stays in view.
    const seen = await layout();
    assert.equal(seen.inside.docHeight, seen.inside.innerHeight, `the webview page itself does not scroll: ${JSON.stringify(seen)}`);
    assert.ok(seen.inside.composerBottom <= seen.inside.innerHeight && seen.inside.logsBottom <= seen.inside.listBottom + 1, `the message box and the running cell's output are in view: ${JSON.stringify(seen)}`);
    const requestsBeforeStop = chatRequests(server).length;
    await chat.locator('#stop').click();
    await waitForTurn(chat, 4, 'cancelled', 20_000);
    await chat.locator('.turn').nth(3).locator('.run-stopped').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await codeStatusOf(chat, 4), 'stopped', 'the code block no longer says it is running, and says it was stopped');
    // What a person reads on the badge: "stopped", not "failed" (Stop is not an error).
    const badge = chat.locator('.turn').nth(3).locator('.code-block .code-status').first();
    assert.equal((await badge.textContent())?.trim(), 'stopped');
    assert.ok(await badge.isVisible(), 'the badge is in view');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(chatRequests(server).length, requestsBeforeStop, 'a stopped turn asks the model nothing more');
    // Give the chat the whole side bar (collapse History), as a person reading a long chat would.
    await vs.page.locator('.pane-header', { hasText: /^History|History$/ }).first().click();
    await new Promise((r) => setTimeout(r, 1000));
    const wide = await layout();
    assert.ok(wide.frame && seen.frame && wide.frame.height > seen.frame.height, `the chat got the room History left: ${JSON.stringify(wide)}`);
    assert.equal(wide.inside.docHeight, wide.inside.innerHeight, `still no page scroll: ${JSON.stringify(wide)}`);
    await vs.screenshot('chat-protocol-stopped');

    // A question after Stop still runs code, in the same namespace (the interrupt did not lose x).
    await ask(chat, '[scenario:chat:recall] Is the number still there?');
    await waitForTurn(chat, 5, 'completed', WARM_MS);
    assert.equal(await codeStatusOf(chat, 5), 'done');
    assert.match(await logsOf(chat, 5), /x \+ 1 = 42/);
    await vs.screenshot('chat-protocol-after-stop');

    // 4. The learner's own Python (codeTutor.localInterpreter: python): every cell asks first. Real matplotlib
    //    (Debian's python3-matplotlib) draws the plot on Run; on Skip nothing runs and the model is told so.
    // Chosen as a person would, in the Settings editor.
    await vs.runCommand('Preferences: Open Settings (UI)');
    const settingsEditor = vs.page.locator('.settings-editor');
    await settingsEditor.waitFor({ state: 'visible', timeout: 30_000 });
    await vs.page.keyboard.type('codeTutor.localInterpreter');
    const runtimeSelect = settingsEditor.locator('.setting-item-contents', { hasText: 'Local Interpreter' }).locator('select').first();
    await runtimeSelect.waitFor({ state: 'visible', timeout: 30_000 });
    await runtimeSelect.selectOption('python');
    await vs.screenshot('chat-protocol-python-setting');
    // The header says where code runs once VS Code has written the changed setting (the Settings editor stays open
    // until then: closing it first can drop a change it has not written yet).
    await chat.locator('.tutor-model[data-interpreter="python"]').waitFor({ state: 'visible', timeout: 60_000 });
    await vs.page.keyboard.press('Control+W');
    assert.match(await chat.locator('.tutor-model').innerText(), /your Python/);
    await vs.runCommand('Code Tutor: New Chat');
    await chat.waitForFunction(() => document.querySelectorAll('.turn').length === 0, undefined, { timeout: 20_000 });
    const dialog = vs.page.locator('.monaco-dialog-box');
    await ask(chat, '[scenario:chat:mpl] Draw the squares with matplotlib');
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await dialog.innerText(), /Run this code with your own Python\?/);
    assert.ok((await dialog.innerText()).includes('plt.title("squares")'), 'the dialog shows the code it asks about');
    await vs.screenshot('chat-protocol-python-consent');
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForTurn(chat, 1, 'completed', WARM_MS);
    assert.equal((await codeOf(chat, 1)).trimEnd(), mplCode.trimEnd());
    assert.match(await logsOf(chat, 1), /plotted 7 points/);
    const mplImg = chat.locator('.turn').first().locator('.code-block img.output-image').first();
    await mplImg.waitFor({ state: 'visible', timeout: 10_000 });
    const [complete, width] = await mplImg.evaluate((el: HTMLImageElement) => [el.complete, el.naturalWidth] as const);
    assert.ok(complete && width >= 300, `matplotlib's PNG decoded (${width} px wide)`);
    await mplImg.scrollIntoViewIfNeeded();
    await vs.screenshot('chat-protocol-python-plot');

    const beforeSkip = chatRequests(server).length;
    await ask(chat, '[scenario:chat:mpl] Once more, please');
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    await dialog.getByRole('button', { name: 'Skip', exact: true }).click();
    await waitForTurn(chat, 2, 'completed', WARM_MS);
    const afterSkip = chatRequests(server).slice(beforeSkip);
    const declined = afterSkip.flatMap((r) => messagesOf(r.body)).filter((m) => m.role === 'tool').map((m) => textOf(m.content)).at(-1) ?? '';
    assert.match(declined, /The learner declined to run this code on their own Python/, 'Skip tells the model the learner declined');
    assert.equal(await chat.locator('.turn').nth(1).locator('.code-block img.output-image').count(), 0, 'nothing ran');
  });
});
