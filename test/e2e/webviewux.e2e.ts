/**
 * The chat's controls in a real VS Code (issue 8: actions, auto-scroll, accessibility, themes, language).
 * Two VS Code starts: one in English driving the editor panel, one with the Chinese display language.
 *
 * - Stop from the panel (Send turns into Stop), Regenerate, Edit and resend;
 * - code actions: Insert at the cursor (one undo step), Replace the selection, Open in a new editor with the
 *   language of a fence written by the model;
 * - auto-scroll pauses when the reader scrolls up and resumes with "Jump to latest";
 * - a keyboard-only flow; axe-core inside the webview frame on a finished chat and on an error;
 * - the theme switched while the chat is open (light, dark, high contrast screenshots);
 * - Chinese: the webview's strings and the commands' titles.
 */
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { ResponseBuilder, TUTOR_CODE } from '../fake/responsesScenarios';
import type { FakeServer } from '../fake/server';
import { assert, ask, cursorAtLine, openSidebar, readWorkspaceFile, responsesRequests, until, waitForTurn, withTutor } from './support';
import type { VsCode } from './harness';

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: unknown }>;
}

/**
 * axe-core inside the webview's own frame. Playwright evaluates through the DevTools protocol, which the page's CSP
 * (scripts only with a nonce, no eval) does not govern, so the test injects axe without weakening the product's CSP.
 */
async function axe(frame: Frame): Promise<AxeViolation[]> {
  await frame.evaluate(axeSource);
  return frame.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } };
    const r = await w.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

function serious(vs: readonly AxeViolation[]): AxeViolation[] {
  return vs.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Queue a Responses answer whose text is `text` (streamed in small deltas `delayMs` apart). */
function scriptText(server: FakeServer, text: string, delayMs?: number): void {
  const plan = new ResponseBuilder({ model: 'gpt-5-mini' }).start().message(text).complete();
  server.script({ events: plan.events.map((e) => ({ event: e.event, data: e.data })), kind: 'responses', ...(delayMs === undefined ? {} : { delayMs }) });
}

async function visible(frame: Frame, sel: string): Promise<boolean> {
  return frame.locator(sel).first().isVisible();
}

async function pickTheme(vs: VsCode, name: string): Promise<void> {
  await vs.runCommand('Preferences: Color Theme');
  const input = vs.page.locator('.quick-input-widget input');
  await input.fill(name);
  await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible' });
  await input.press('Enter');
  await vs.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

async function themeColours(frame: Frame): Promise<{ bg: string; keyword: string }> {
  return frame.evaluate(() => {
    const kw = document.querySelector('.hljs-keyword');
    return {
      bg: getComputedStyle(document.body).backgroundColor,
      keyword: kw ? getComputedStyle(kw).color : '',
    };
  });
}

async function activeTabText(page: Page): Promise<string> {
  return (await page.locator('.tabs-container .tab.active').first().innerText()).trim();
}

test('panel: Stop, Regenerate, Edit and resend, code actions, auto-scroll, keyboard, axe, themes', async () => {
  await withTutor({ name: 'webviewux', settings: { 'codeTutor.typewriter': false } }, async (vs, server) => {
    const before = await cursorAtLine(vs, 'primes.py', 13); // an empty line between the two functions

    // --- Stop from the panel: Send has turned into Stop while the run goes.
    await vs.runCommand('Code Tutor: Ask Assistant');
    await vs.answerInput('Explain it slowly [scenario:slow]');
    const panel = await vs.webviewFrame('#code-tutor-root .turn', { view: false });
    await panel.locator('#stop').waitFor({ state: 'visible' });
    assert.equal(await visible(panel, '#send'), false, 'Send gives way to Stop');
    await vs.screenshot('webviewux-panel-running');
    await panel.locator('#stop').click();
    await waitForTurn(panel, 1, 'cancelled');
    await panel.locator('#send').waitFor({ state: 'visible' });
    assert.equal(await visible(panel, '#stop'), false);

    // --- Regenerate: the same question again, its answer replaced (still one turn).
    server.script('tutor');
    await panel.locator('#regenerate').click();
    await waitForTurn(panel, 1, 'completed');
    assert.equal(await panel.locator('.turn').count(), 1, 'the regenerated answer replaces the stopped one');
    assert.equal(responsesRequests(server).length, 2);
    assert.match(await panel.locator('.turn-question-text').first().innerText(), /Explain it slowly/);

    // --- Edit and resend: the last question comes back into the box.
    await panel.locator('#edit-last').click();
    const box = panel.locator('textarea#question');
    assert.match(await box.inputValue(), /Explain it slowly/);
    await box.fill('Show me squares');
    await box.press('Enter');
    await panel.locator('.turn-question-text', { hasText: 'Show me squares' }).waitFor();
    await waitForTurn(panel, 1, 'completed');
    assert.equal(await panel.locator('.turn').count(), 1);
    const third = responsesRequests(server)[2].body as { input: string };
    assert.match(JSON.stringify(third.input), /Show me squares/);

    // --- Insert at the cursor (line 13), one undo step.
    await panel.locator('.code-block .code-insert').first().click();
    await vs.page.locator('.editor-group-container.active .view-lines', { hasText: 'squares = [n * n' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await vs.page.keyboard.press('Control+S');
    const inserted = await until(() => readWorkspaceFile(vs, 'primes.py'), (t) => t !== before);
    const lines = before.split('\n');
    assert.equal(
      inserted,
      [...lines.slice(0, 12), ...TUTOR_CODE.split('\n').slice(0, -1), TUTOR_CODE.split('\n').at(-1) + lines[12], ...lines.slice(13)].join('\n'),
      'inserted at the cursor, the editor focused (Ctrl+S saved it)',
    );
    await vs.page.keyboard.press('Control+Z');
    await vs.page.keyboard.press('Control+S');
    assert.equal(await until(() => readWorkspaceFile(vs, 'primes.py'), (t) => t === before), before, 'one undo takes it out');

    // --- Replace the selection: select line 1 and replace it.
    await cursorAtLine(vs, 'primes.py', 1);
    await vs.page.keyboard.press('Shift+End');
    await panel.locator('.code-block .code-replace').first().click();
    await vs.page.keyboard.press('Control+S');
    const replaced = await until(() => readWorkspaceFile(vs, 'primes.py'), (t) => t !== before);
    assert.equal(replaced, TUTOR_CODE + '\n' + before.split('\n').slice(1).join('\n'), 'line 1 replaced by the code');
    await vs.page.keyboard.press('Control+Z');
    await vs.page.keyboard.press('Control+S');
    await until(() => readWorkspaceFile(vs, 'primes.py'), (t) => t === before);

    // --- A fence written by the model: Open in a new editor, in the fence's language.
    const fenceJs = 'const doubled = [1, 2, 3].map((n) => n * 2);\nconsole.log(doubled);\n';
    scriptText(server, `Here it is in JavaScript:\n\n\`\`\`js\n${fenceJs}\`\`\`\n\nAnd in Python:\n\n\`\`\`python\nprint([n * 2 for n in (1, 2, 3)])\n\`\`\`\n\nTry both.`);
    await ask(panel, 'Double a list in JS');
    await waitForTurn(panel, 2, 'completed');
    const bars = panel.locator('.turn').nth(1).locator('.fence-toolbar');
    assert.equal(await bars.count(), 2, 'each fence has its toolbar');
    await bars.nth(0).locator('.code-open').click();
    await vs.page.locator('.editor-group-container.active .view-lines', { hasText: 'const doubled' }).first().waitFor({ state: 'visible' });
    // The new editor is in the fence's language (the status bar's language item says so).
    await vs.page.locator('.statusbar-item[id="status.editor.mode"]', { hasText: 'JavaScript' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    console.log(`open in editor: active tab "${await activeTabText(vs.page)}"`);
    await vs.screenshot('webviewux-open-in-editor');

    // --- Auto-scroll: a long answer; scrolling up pauses it; Jump to latest resumes.
    const long = Array.from({ length: 60 }, (_, i) => `Paragraph ${i + 1}: a sentence that is long enough to wrap in the panel, about loops and lists.`).join('\n\n');
    scriptText(server, long, 15);
    await ask(panel, 'Tell me a long story');
    const list = panel.locator('.turns');
    await panel.waitForFunction(() => {
      const l = document.querySelector('.turns')!;
      return l.scrollHeight > l.clientHeight * 2;
    });
    const atBottom = () => panel.evaluate(() => {
      const l = document.querySelector('.turns')!;
      return l.scrollHeight - l.scrollTop - l.clientHeight <= 48;
    });
    assert.ok(await atBottom(), 'following the stream');
    await list.hover();
    await vs.page.mouse.wheel(0, -1500);
    await panel.locator('#jump-latest').waitFor({ state: 'visible' });
    const grown = await list.evaluate((l) => l.scrollHeight);
    await panel.waitForFunction((h) => document.querySelector('.turns')!.scrollHeight > h + 100, grown); // more text arrives
    assert.equal(await atBottom(), false, 'paused: the view did not follow the new text');
    assert.equal(await panel.locator('.turn').nth(2).getAttribute('data-status'), 'in_progress', 'while the answer still streams');
    await vs.screenshot('webviewux-autoscroll-paused');
    await panel.locator('#jump-latest').click();
    await panel.waitForFunction(() => {
      const l = document.querySelector('.turns')!;
      return l.scrollHeight - l.scrollTop - l.clientHeight <= 48;
    });
    await waitForTurn(panel, 3, 'completed');
    assert.ok(await atBottom(), 'followed to the end');
    assert.equal(await visible(panel, '#jump-latest'), false);

    // --- Keyboard only: write a question, send it, then reach a code action by Tab and use it.
    await box.focus();
    await vs.page.keyboard.type('Show me squares again');
    await vs.page.keyboard.press('Enter');
    await waitForTurn(panel, 4, 'completed');
    let reached = '';
    for (let i = 0; i < 80 && reached !== 'code-open'; i++) {
      await vs.page.keyboard.press('Shift+Tab');
      reached = await panel.evaluate(() => {
        const a = document.activeElement;
        if (!a || !a.closest('.turn:last-child .code-block')) return '';
        return a.classList.contains('code-open') ? 'code-open' : a.className;
      });
    }
    assert.equal(reached, 'code-open', 'Open in Editor of the last code block reached by keyboard');
    // The toolkit's button draws its focus ring on the control inside its shadow root.
    const focusRing = await panel.evaluate(() => {
      const a = document.activeElement!;
      const inner = a.shadowRoot?.activeElement ?? a.shadowRoot?.querySelector('.control');
      return [getComputedStyle(a).outlineStyle, inner ? getComputedStyle(inner).outlineStyle : 'none'];
    });
    await vs.screenshot('webviewux-keyboard-focus');
    await vs.page.keyboard.press('Enter');
    await vs.page.locator('.editor-group-container.active .view-lines', { hasText: 'squares = [n * n' }).first().waitFor({ state: 'visible' });
    await vs.page.locator('.statusbar-item[id="status.editor.mode"]', { hasText: 'Python' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(focusRing.some((o) => o !== 'none'), `visible focus: ${focusRing.join(',')}`);

    // --- axe in the webview frame: a finished chat, then an error (asserted at the end, after the themes).
    const finished = await axe(panel);
    await ask(panel, 'Fail please [scenario:error-401]');
    await waitForTurn(panel, 5, 'failed');
    const failed = await axe(panel);
    console.log(`axe: finished chat ${JSON.stringify(finished.map((v) => `${v.id}:${v.impact}`))}, error ${JSON.stringify(failed.map((v) => `${v.id}:${v.impact}`))}`);

    // --- Theme switch while the chat is open: colours follow live.
    await panel.locator('.turn').nth(3).scrollIntoViewIfNeeded();
    const seen: Array<{ bg: string; keyword: string }> = [];
    for (const [theme, shot] of [
      ['Light Modern', 'webviewux-theme-light'],
      ['Dark Modern', 'webviewux-theme-dark'],
      ['Dark High Contrast', 'webviewux-theme-hc'],
      ['Light High Contrast', 'webviewux-theme-hc-light'],
    ] as const) {
      await pickTheme(vs, theme);
      await vs.page.waitForTimeout(500);
      seen.push(await themeColours(panel));
      await vs.screenshot(shot);
    }
    console.log(`themes: ${JSON.stringify(seen)}`);
    const hc = await axe(panel);
    console.log(`axe in high contrast (light): ${JSON.stringify(hc.map((v) => `${v.id}:${v.impact}`))}`);
    // Light Modern and Light High Contrast share a white background; the other two differ from it and each other.
    assert.ok(new Set(seen.map((s) => s.bg)).size >= 3, `the chat's background follows the theme: ${JSON.stringify(seen)}`);
    assert.ok(new Set(seen.map((s) => s.keyword)).size >= 3, `keywords coloured by the theme: ${JSON.stringify(seen)}`);
    assert.deepEqual(serious(finished), [], `axe on a finished chat: ${JSON.stringify(serious(finished), null, 1)}`);
    assert.deepEqual(serious(failed), [], `axe on an error: ${JSON.stringify(serious(failed), null, 1)}`);
    assert.deepEqual(serious(hc), [], `axe in high contrast: ${JSON.stringify(serious(hc), null, 1)}`);
  });
});

// Chinese display language (issue 8): code-server with `--locale zh-cn` and a test-only language pack (see
// writeTestLanguagePack in the harness): VS Code's own strings stay English, ours must be Chinese.
test('Chinese display language: the webview and the commands speak Chinese', async () => {
  await withTutor({ name: 'webviewux-zh', locale: 'zh-cn' }, async (vs) => {
    const row = await vs.showCommand('Code Tutor: 向助手提问');
    assert.match(await row.innerText(), /向助手提问/);
    const entries = await vs.paletteEntries('Code Tutor');
    await vs.page.keyboard.press('Escape');
    const chat = await openSidebar(vs);
    // The strings come with the view's first message from the host.
    await chat.waitForFunction(() => Boolean(document.querySelector('#send')?.textContent?.trim()), undefined, { timeout: 30_000 });
    assert.equal((await chat.locator('#send').innerText()).trim(), '发送');
    const placeholder = await chat.locator('textarea#question').getAttribute('placeholder');
    assert.match(placeholder ?? '', /[\u4e00-\u9fff]/, `placeholder in Chinese: ${placeholder}`);
    await ask(chat, '什么是列表推导式？');
    await waitForTurn(chat, 1, 'completed');
    assert.equal((await chat.locator('.code-block .code-insert').first().innerText()).trim(), '插入');
    assert.equal((await chat.locator('.code-block .code-open').first().innerText()).trim(), '在编辑器中打开');
    assert.equal((await chat.locator('#regenerate').innerText()).trim(), '重新生成');
    const lang = await chat.evaluate(() => document.documentElement.lang);
    const workbench = await vs.page.evaluate(() => document.documentElement.lang);
    console.log(`zh-cn: webview <html lang>=${lang}, workbench <html lang>=${workbench}, palette: ${entries.slice(0, 6).join(' | ')}`);
    await vs.screenshot('webviewux-zh-cn');
    const v = serious(await axe(chat));
    assert.deepEqual(v, [], `axe in Chinese: ${JSON.stringify(v, null, 1)}`);
  });
});
