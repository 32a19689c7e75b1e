/**
 * Issue 3 in a real VS Code: the Assistants run protocol (OpenAI and DashScope shapes), a function tool round trip
 * that reads the learner's selection, a plot shown as an image, and Stop keeping the partial answer.
 */
import { test } from 'node:test';
import { startFakeServer } from '../fake/server';
import { withVsCode } from './harness';
import { assert, ask, closeAllEditors, newSidebarChat, openSidebar, responsesRequests, scenario, waitForTurn, withTutor } from './support';

test('Assistants protocol: a run with code, its logs and its plot', async () => {
  await withTutor({ name: 'assistants', settings: { 'codeTutor.protocol': 'assistants' } }, async (vs, server) => {
    const chat = await openSidebar(vs);
    await ask(chat, '[scenario:assistants:tutor] Why does sqrt grow slowly?');
    await waitForTurn(chat, 1, 'completed');
    const code = await chat.locator('.code-block pre code.code-source').first().textContent();
    assert.match(code ?? '', /math\.sqrt/);
    assert.ok(((await chat.locator('.code-block .output-logs').first().textContent()) ?? '').trim().length > 0, 'logs shown');
    const img = chat.locator('.code-block img.output-image').first();
    await img.waitFor({ state: 'visible' });
    assert.ok(await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0), 'the plot decoded and is shown');
    const paths = server.requests.map((r) => `${r.method} ${r.path}`);
    assert.ok(paths.includes('POST /v1/assistants') && paths.includes('POST /v1/threads/runs'), paths.join('\n'));
    assert.equal(responsesRequests(server).length, 0, 'no Responses call on this protocol');
    await vs.screenshot('assistants-run');
  });
});

test('DashScope-shaped Assistants run (content object, arguments/output strings)', async () => {
  await withDashScope(async (vs, server) => {
      const chat = await openSidebar(vs);
      await ask(chat, '用一个例子解释平方根');
      await waitForTurn(chat, 1, 'completed');
      const code = await chat.locator('.code-block pre code.code-source').first().textContent();
      assert.ok((code ?? '').length > 10, 'the code from `arguments` is shown');
      assert.ok(((await chat.locator('.code-block .output-logs').first().textContent()) ?? '').trim().length > 0, 'the `output` string is shown as logs');
      const run = server.requests.find((r) => r.path === '/api/v1/threads/runs');
      assert.ok(run, 'the DashScope Assistant API path was used');
      assert.equal(run.headers.authorization, 'Bearer sk-dashscope');
      await vs.screenshot('dashscope-run');
  });
});

/** The DashScope preset pointed at the fake server's DashScope-style base (/api/v1), its key from DASHSCOPE_API_KEY. */
async function withDashScope(body: Parameters<typeof withTutor>[1]): Promise<void> {
  const server = await startFakeServer();
  try {
    const settings = { 'codeTutor.provider': 'dashscope', 'codeTutor.protocol': 'assistants', 'codeTutor.baseUrl': `${server.origin}/api/v1` };
    await withVsCode({ name: 'dashscope', settings, env: { DASHSCOPE_API_KEY: 'sk-dashscope' } }, (vs) => body(vs, server));
  } finally {
    await server.close();
  }
}

/**
 * The three Responses scenarios run with the default settings, so they share one VS Code start (each start costs CI
 * 20-30 s) as subtests in sequence; each looks only at the requests made since it began.
 */
test('Responses runs in VS Code: function tool, plot, Stop (one VS Code start)', async (t) => {
  await withTutor({ name: 'responses' }, async (vs, server) => {
    await scenario(t, vs, 'function-tool', 'function tool round trip: the tutor reads the selection and the run continues', async () => {
      const before = responsesRequests(server).length;
      await vs.openFile('stats.js');
      const editor = vs.page.locator('.editor-group-container.active .monaco-editor').first();
      await editor.locator('.view-line').first().click();
      await vs.page.keyboard.press('Control+Home');
      for (let i = 0; i < 3; i++) await vs.page.keyboard.press('Shift+ArrowDown');
      const chat = await openSidebar(vs);
      await ask(chat, '[scenario:function-call] what does my selection do?');
      await waitForTurn(chat, 1, 'completed');
      const call = chat.locator('.tool-item .tool-call').first();
      assert.match(await call.innerText(), /get_selection/);
      const [, followUp] = responsesRequests(server).slice(before);
      assert.ok(followUp, 'the run went on with a second /responses request');
      const input = (followUp.body as { input: Array<{ type: string; output: string }>; previous_response_id: string }).input;
      const output = JSON.parse(input.find((i) => i.type === 'function_call_output')?.output ?? '{}') as { file: string; text: string; startLine: number };
      assert.equal(output.file, 'stats.js');
      assert.equal(output.startLine, 1);
      assert.ok(output.text.length > 10, 'the tool returned the selected text');
      const answer = await chat.locator('.turn-answer .md-text').last().innerText();
      assert.match(answer, /I read your selection/);
      await vs.screenshot('function-tool');
    });

    await scenario(t, vs, 'plot', 'Responses plot: the image the interpreter made is shown under its code', async () => {
      await closeAllEditors(vs);
      await vs.runCommand('Code Tutor: Ask Assistant');
      await vs.answerInput('[scenario:plot] plot sin(x)');
      const panel = await vs.webviewFrame('#code-tutor-root .turn', { view: false });
      await waitForTurn(panel, 1, 'completed');
      const img = panel.locator('.code-block img.output-image').first();
      await img.waitFor({ state: 'visible' });
      const size = await img.evaluate((el: HTMLImageElement) => [el.naturalWidth, el.naturalHeight]);
      assert.deepEqual(size, [160, 100], 'the real PNG decoded');
      await vs.screenshot('plot');
    });

    await scenario(t, vs, 'stop', 'Stop during a run keeps the partial answer and marks it stopped', async () => {
      // The sidebar still shows the function tool's chat: a clean editor area (the chat panel closed, so New Chat goes
      // to the sidebar), then a new chat, so the slow run is its first turn.
      await closeAllEditors(vs);
      const chat = await newSidebarChat(vs);
      const before = server.requests.length;
      await ask(chat, '[scenario:slow] tell me about recursion');
      await chat.locator('.turn-answer .md-text').first().waitFor({ state: 'visible', timeout: 30_000 });
      await chat.waitForFunction(() => (document.querySelector('.turn-answer .md-text')?.textContent ?? '').length > 20, undefined, { timeout: 30_000 });
      // While the run goes, the Chat view's title offers Stop too; it goes away when the run ends. (With the History
      // view beside it, the Chat view's actions sit in its own pane header, which VS Code shows on hover or focus.)
      const titleStop = vs.page.locator('.part.sidebar .action-label[aria-label*="Stop"]');
      await titleStop.first().waitFor({ state: 'attached', timeout: 10_000 });
      await chat.locator('#stop').click();
      await waitForTurn(chat, 1, 'cancelled', 10_000);
      await titleStop.first().waitFor({ state: 'detached', timeout: 10_000 });
      await chat.locator('.run-stopped').first().waitFor({ state: 'visible' });
      const kept = await chat.locator('.turn-answer .md-text').first().innerText();
      assert.ok(kept.length > 20, 'the partial answer is kept');
      const req = await server.waitFor((r) => server.requests.indexOf(r) >= before && r.path.endsWith('/responses') && r.aborted, 5000);
      assert.equal(req.aborted, true, 'the HTTP stream was closed at once');
      await vs.screenshot('stop');
    });
  });
});
