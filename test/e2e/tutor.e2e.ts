/**
 * Issue 2 in a real VS Code: the three ways in (palette, sidebar, right-click), the run streaming into the webview,
 * a follow-up continuing the conversation, and Insert putting the code into the document at the cursor.
 *
 * The four scenarios share one VS Code start (each start costs CI 20-30 s) and run in sequence as subtests. Each
 * one begins as a person would after the one before: it closes the editors, starts a new chat where it needs its
 * chat's first question, and looks only at the requests made since it began. Insert restores primes.py (one undo,
 * saved) before Explain Selection reads it.
 */
import { test } from 'node:test';
import { TUTOR_CODE, TUTOR_LOGS } from '../fake/responsesScenarios';
import {
  assert,
  ask,
  closeAllEditors,
  cursorAtLine,
  newPanelChat,
  newSidebarChat,
  openSidebar,
  readWorkspaceFile,
  responsesRequests,
  scenario,
  until,
  waitForTurn,
  watchGrowth,
  withTutor,
} from './support';

test('the tutor in VS Code: palette, Insert, sidebar follow-up, Explain Selection (one VS Code start)', async (t) => {
  await withTutor({ name: 'tutor' }, async (vs, server) => {
    await scenario(t, vs, 'ask-palette', 'palette "Ask Assistant": the panel types the text, streams the code in, then shows its logs', async () => {
      const before = responsesRequests(server).length;
      await vs.runCommand('Code Tutor: Ask Assistant');
      await vs.answerInput('How do I add up squares? [delay:40]');
      const panel = await vs.webviewFrame('#code-tutor-root .turn', { view: false });

      // While the run streams, the text grows and the code block grows: sample both before the run ends.
      const running = async () => (await panel.locator('.turn[data-status="in_progress"]').count()) === 0;
      const codeLengths = await watchGrowth(async () => ((await panel.locator('pre code.code-source').first().textContent().catch(() => '')) ?? '').length, running);
      assert.ok(codeLengths.filter((n) => n > 0).length >= 3, `the code streamed in (lengths seen: ${codeLengths.join(',')})`);
      await vs.screenshot('ask-palette-streaming');
      await waitForTurn(panel, 1, 'completed');

      const code = await panel.locator('.code-block pre code.code-source').first().textContent();
      assert.equal(code?.trimEnd(), TUTOR_CODE.trimEnd(), 'the whole code, exactly');
      assert.equal(await panel.locator('.code-block .code-status').first().getAttribute('data-status'), 'done');
      const logs = await panel.locator('.code-block .output-logs').first().textContent();
      assert.equal(logs?.trim(), TUTOR_LOGS.trim());
      const texts = await panel.locator('.md-text').allInnerTexts();
      assert.match(texts[0], /You asked: “How do I add up squares\?/);
      assert.match(texts.join('\n'), /the total is 385/);
      // Highlighted in the theme's colours: keywords are wrapped in highlight spans.
      assert.ok((await panel.locator('.code-block pre code.code-source .hljs-keyword').count()) > 0, 'syntax highlighted');
      const request = responsesRequests(server).slice(before)[0];
      assert.ok(request, 'the question was sent to /responses');
      const body = request.body as { input: string; tools: unknown; include: unknown };
      const tools = body.tools as Array<{ type: string; name?: string }>;
      assert.deepEqual(tools[0], { type: 'code_interpreter', container: { type: 'auto' } });
      assert.deepEqual(
        tools.slice(1).map((tool) => `${tool.type}:${tool.name}`),
        ['function:get_selection', 'function:read_workspace_file', 'function:get_diagnostics'],
      );
      assert.deepEqual(body.include, ['code_interpreter_call.outputs']);
      await vs.screenshot('ask-palette-done');
    });

    await scenario(t, vs, 'insert', 'Insert puts the code into the document at the cursor, exactly once, as one undo step', async () => {
      // The panel still shows the palette's chat: a new chat there, then a clean editor area.
      await newPanelChat(vs);
      await closeAllEditors(vs);
      const before = await cursorAtLine(vs, 'primes.py', 13); // an empty line between the two functions

      await vs.runCommand('Code Tutor: Ask Assistant');
      await vs.answerInput('Show me squares');
      const panel = await vs.webviewFrame('#code-tutor-root .turn', { view: false });
      await waitForTurn(panel, 1, 'completed');
      await panel.locator('.code-block .code-insert').first().click();

      // Insert focuses the editor again; save it and read what a person would now have on disk.
      await vs.page.locator('.tabs-container .tab.active', { hasText: 'primes.py' }).waitFor({ state: 'visible' });
      await vs.page.locator('.editor-group-container.active .view-lines', { hasText: 'squares = [n * n' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await vs.screenshot('insert-done');
      await vs.page.keyboard.press('Control+S');
      const after = await until(() => readWorkspaceFile(vs, 'primes.py'), (text) => text !== before);
      const lines = before.split('\n');
      const expected = [...lines.slice(0, 12), ...TUTOR_CODE.split('\n').slice(0, -1), TUTOR_CODE.split('\n').at(-1) + lines[12], ...lines.slice(13)].join('\n');
      assert.equal(after, expected, 'the code is inserted at the cursor (line 13) and nothing else changed');
      assert.equal(after.split('squares = [n * n').length - 1, 1, 'exactly once');

      // One undo step takes it all out again (and leaves primes.py as it was for Explain Selection).
      await vs.page.keyboard.press('Control+Z');
      await vs.page.keyboard.press('Control+S');
      assert.equal(await until(() => readWorkspaceFile(vs, 'primes.py'), (text) => text === before), before, 'one undo restores the file');
    });

    await scenario(t, vs, 'sidebar-followup', 'sidebar chat: an answer, then a follow-up that continues with the previous response id', async () => {
      // The Chat view's own New Chat button starts a chat in the sidebar, even while the chat panel (which shows
      // Insert's answer) is the active editor: the panel keeps its chat.
      await vs.page.locator('.tabs-container .tab', { hasText: 'Code Tutor' }).first().click();
      const sidebarChat = await openSidebar(vs);
      await vs.page.locator('.part.sidebar .pane', { has: vs.page.locator('.pane-header', { hasText: /^Chat|Chat$/ }) }).first().locator('.pane-header').hover();
      await vs.page.locator('.part.sidebar .pane-header .action-label[aria-label="New Chat"]').first().click();
      await sidebarChat.waitForFunction(() => document.querySelectorAll('.turn').length === 0, undefined, { timeout: 10_000 });
      const panel = await vs.webviewFrame('#code-tutor-root', { view: false });
      await new Promise((res) => setTimeout(res, 1000));
      assert.equal(await panel.locator('.turn').count(), 1, 'the panel still shows its chat');
      await closeAllEditors(vs);
      const before = responsesRequests(server).length;
      const chat = sidebarChat; // the sidebar is open (its icon again would close it)
      await chat.waitForFunction(() => document.querySelectorAll('.turn').length === 0, undefined, { timeout: 10_000 });
      await ask(chat, 'What is a list comprehension?');
      await waitForTurn(chat, 1, 'completed');
      assert.equal((await chat.locator('.turn').first().locator('.code-block pre code.code-source').textContent())?.trimEnd(), TUTOR_CODE.trimEnd());

      await ask(chat, 'And how would I do it with a loop?');
      await waitForTurn(chat, 2, 'completed');
      const [first, second] = responsesRequests(server).slice(before);
      assert.ok(first && second, 'both questions were sent to /responses');
      assert.equal((first.body as { previous_response_id?: string }).previous_response_id, undefined);
      const previous = (second.body as { previous_response_id?: string }).previous_response_id;
      assert.match(previous ?? '', /^resp_/, 'the follow-up names the first response');
      const secondText = await chat.locator('.turn').nth(1).locator('.md-text').first().innerText();
      assert.match(secondText, /turn 2/, 'the server continued the same conversation');
      // Nobody scrolled: the chat followed the answer to its end (the buttons that appear under the box as the run
      // ends once left it short of the bottom, paused, with "Jump to latest" over the text).
      await chat.waitForFunction(() => {
        const list = document.querySelector('.turns')!;
        return list.scrollHeight - list.scrollTop - list.clientHeight < 2;
      }, undefined, { timeout: 5_000 });
      assert.equal(await chat.locator('#jump-latest').isVisible(), false, 'no Jump to latest: the reader never scrolled');
      await vs.screenshot('sidebar-followup');
    });

    await scenario(t, vs, 'explain-selection', 'right-click "Explain Selection": the selected code reaches the server and the explanation shows in the sidebar', async () => {
      // The sidebar still shows the follow-up's chat: a clean editor area (the chat panel closed, so New Chat goes
      // to the sidebar), then a new chat, so the explanation is its first question.
      await closeAllEditors(vs);
      await newSidebarChat(vs);
      const before = responsesRequests(server).length;
      await cursorAtLine(vs, 'primes.py', 4); // def is_prime(n):
      const editor = vs.page.locator('.editor-group-container.active .monaco-editor').first();
      for (let i = 0; i < 8; i++) await vs.page.keyboard.press('Shift+ArrowDown'); // lines 4-11
      await editor.locator('.view-line').nth(5).click({ button: 'right' });
      const item = vs.page.locator('.context-view .monaco-menu .action-item', { hasText: 'Explain Selection' }).first();
      await item.waitFor({ state: 'visible' });
      await vs.screenshot('explain-selection-menu');
      await item.click();

      const chat = await vs.webviewFrame('#code-tutor-root .turn', { view: true });
      await waitForTurn(chat, 1, 'completed');
      const selected = readWorkspaceFile(vs, 'primes.py').split('\n').slice(3, 11).join('\n') + '\n';
      const request = responsesRequests(server).slice(before)[0];
      assert.ok(request, 'the explanation was asked of /responses');
      const input = (request.body as { input: string }).input;
      assert.ok(input.includes(selected), `the request contains the selected code:\n${input}`);
      assert.match(input, /primes\.py \(lines 4-11, python\)/);
      assert.equal((request.body as { previous_response_id?: string }).previous_response_id, undefined, 'a new chat: no previous response');
      const question = await chat.locator('.turn-question').first().innerText();
      assert.match(question, /def is_prime/, 'the question shows the selected code');
      assert.ok((await chat.locator('.turn-answer .md-text').count()) > 0, 'the explanation appears in the sidebar');
      await vs.screenshot('explain-selection-sidebar');
    });
  });
});
