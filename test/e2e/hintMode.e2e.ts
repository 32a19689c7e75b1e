/**
 * Issue 6 in a real VS Code, in one start: a course file in the workspace puts the chat in hint mode (header and a
 * locked switch); the fake server answers with a complete 15-line solution, and sampling the webview DOM throughout
 * the stream never finds a line of it; the placeholder takes its place; "Show the code anyway" is offered only once
 * the course allows it and then reveals the code; the instructions reach the request and the read-only document;
 * a broken course file gives its message and the defaults (an unlocked switch) apply.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { SAMPLE_WORKSPACE } from './harness';
import { LIST_CONTINUATION, SOLUTION_CODE, SOLUTION_LOGS } from '../fake/tutorScenarios';
import { assert, ask, openSidebar, responsesRequests, waitForTurn, withTutor } from './support';

const solutionLines = SOLUTION_CODE.split('\n').filter((l) => l.trim().length >= 12).map((l) => l.trim());

function workspaceWithCourse(rules: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-hint-ws-'));
  fs.cpSync(SAMPLE_WORKSPACE, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '.codetutor.json'), JSON.stringify(rules, null, 2));
  return dir;
}

test('hint mode set by the course: the solution never reaches the screen, reveal only when allowed, header, lock, broken file', async () => {
  const course = { course: 'CS101', level: 'beginner', allowedModes: ['hint'], allowReveal: false, avoid: ['list comprehension'], context: 'Assignment 3: is_prime' };
  const source = workspaceWithCourse(course);
  try {
    await withTutor({ name: 'hint-mode', workspaceDir: source, timeoutMs: 60_000 }, async (vs, server) => {
      const courseFile = path.join(vs.workspaceDir, '.codetutor.json');
      const chat = await openSidebar(vs);

      // The header says what is in force, and the switch is locked to hint.
      const header = chat.locator('.tutor-header .tutor-rules');
      await header.filter({ hasText: 'CS101' }).waitFor({ state: 'visible', timeout: 20_000 });
      assert.equal(await header.innerText(), 'CS101 · Hint mode, set by your course');
      assert.equal(await chat.locator('select#tutor-mode').isDisabled(), true, 'allowedModes ["hint"] locks the switch');
      assert.equal(await chat.locator('select#tutor-mode').inputValue(), 'hint');
      await vs.screenshot('hint-course-header');

      // Ask; sample the whole webview text throughout the stream.
      await ask(chat, '[scenario:solution][delay:25] Please write is_prime for me');
      const root = chat.locator('#code-tutor-root');
      let samples = 0;
      let sawPlaceholderWhileRunning = false;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { text, status, placeholders } = await root.evaluate((el) => ({
          text: el.textContent ?? '',
          status: el.querySelector('.turn')?.getAttribute('data-status') ?? 'none',
          placeholders: el.querySelectorAll('.withheld-notice').length,
        }));
        samples++;
        for (const line of solutionLines) assert.ok(!text.includes(line), `sample ${samples}: a solution line reached the webview: ${line}`);
        if (status === 'in_progress' && placeholders > 0) sawPlaceholderWhileRunning = true;
        if (status !== 'in_progress' && status !== 'none') break;
        assert.ok(Date.now() < deadline, 'the run finished');
      }
      await waitForTurn(chat, 1, 'completed');
      assert.ok(samples >= 20, `sampled the DOM ${samples} times during the stream`);
      assert.ok(sawPlaceholderWhileRunning, 'the placeholder appeared while the answer was still streaming');

      // One placeholder for the text block, one fold for the interpreter code; its output still shows.
      const placeholder = chat.locator('.withheld .withheld-notice').first();
      assert.match(await placeholder.innerText(), /Code withheld: 15 lines of python/);
      assert.match(await placeholder.innerText(), /Hint mode shows at most 4 lines of code/);
      assert.equal(await chat.locator('.code-block[data-withheld="true"] .withheld-notice').count(), 1, 'the interpreter code is folded');
      assert.equal(await chat.locator('.code-block[data-withheld="true"] pre.code-pre').isVisible(), false);
      assert.equal((await chat.locator('.code-block .output-logs').first().innerText()).trim(), SOLUTION_LOGS.trim());
      assert.equal(await chat.locator('.code-block[data-withheld] .code-insert').isVisible(), false, 'no Insert for withheld code');
      assert.equal(await chat.locator('.withheld-reveal:visible').count(), 0, 'allowReveal false: no "Show the code anyway"');
      const after = await root.evaluate((el) => el.textContent ?? '');
      for (const line of solutionLines) assert.ok(!after.includes(line), `after the run: ${line}`);
      await vs.screenshot('hint-withheld');

      // The same solution as an INDENTED code block: withheld too; a list item's indented paragraph is not code.
      await ask(chat, '[scenario:solution-indented][delay:10] And without a fence?');
      await waitForTurn(chat, 2, 'completed');
      const second = chat.locator('.turn').nth(1);
      const secondText = await second.evaluate((el) => el.textContent ?? '');
      for (const line of solutionLines) assert.ok(!secondText.includes(line), `indented: a solution line reached the webview: ${line}`);
      assert.equal(await second.locator('.withheld .withheld-notice').count(), 1, 'one placeholder for the indented block');
      assert.match(await second.locator('.withheld .withheld-notice').innerText(), /Code withheld: 15 lines\b/);
      for (const line of LIST_CONTINUATION) assert.ok(secondText.includes(line), `the list item's paragraph is shown: ${line}`);
      await second.locator('.withheld').scrollIntoViewIfNeeded();
      await vs.screenshot('hint-withheld-indented');

      // The request's instructions carried the mode and the course rules.
      const instructions = (responsesRequests(server)[0].body as { instructions: string }).instructions;
      for (const re of [/Mode: HINT/, /Course: CS101/, /Learner level: beginner/, /"list comprehension"/, /Assignment 3: is_prime/]) assert.match(instructions, re);

      // The instructor allows reveal: the action appears and reveals the code, recorded in the chat.
      fs.writeFileSync(courseFile, JSON.stringify({ ...course, allowReveal: true }));
      await vs.openFile('primes.py'); // a new active editor also re-reads the course
      const reveal = chat.locator('.withheld .withheld-reveal').first();
      await reveal.waitFor({ state: 'visible', timeout: 20_000 });
      await reveal.click();
      await chat.locator('.withheld pre.withheld-code', { hasText: 'divisor_to_try += 2' }).waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await chat.locator('.withheld').first().innerText(), /You chose to see this code/);
      assert.equal(await chat.locator('.code-block[data-withheld="true"] pre.code-pre').isVisible(), false, 'the other block stays folded');
      await vs.screenshot('hint-revealed');

      // What the tutor was told, read-only.
      await vs.runCommand('Code Tutor: Show What the Tutor Was Told');
      await vs.page.locator('.tabs-container .tab.active', { hasText: 'What the Tutor Was Told' }).waitFor({ state: 'visible' });
      const told = await vs.editorText();
      assert.match(told, /Mode: HINT/);
      assert.match(told, /Course: CS101/);
      await vs.page.keyboard.type('x');
      assert.equal(await vs.page.locator('.tabs-container .tab.active.dirty').count(), 0, 'the document is read-only');
      await vs.screenshot('hint-instructions');

      // A broken course file: its message with the file and the reason; the defaults apply (switch unlocked).
      fs.writeFileSync(courseFile, '{ "course": "CS101", "allowedModes": ["hint"');
      await vs.openFile('stats.js');
      const toast = vs.page.locator('.notifications-toasts .notification-toast', { hasText: 'are not used' }).first();
      await toast.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(await toast.innerText(), /\.codetutor\.json/);
      assert.match(await toast.innerText(), /not valid JSON/);
      await chat.locator('.tutor-header .tutor-rules', { hasText: /^Explain mode$/ }).waitFor({ state: 'visible', timeout: 10_000 });
      assert.equal(await chat.locator('select#tutor-mode').isDisabled(), false, 'no course: the learner may switch');
      await chat.locator('select#tutor-mode').selectOption('review');
      await chat.locator('.tutor-header .tutor-rules', { hasText: /^Review mode$/ }).waitFor({ state: 'visible', timeout: 10_000 });
      await vs.screenshot('course-broken');
    });
  } finally {
    fs.rmSync(source, { recursive: true, force: true });
  }
});
