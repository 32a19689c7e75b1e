/**
 * Issue 8, chats and history, in a real VS Code: the empty history's welcome content and the walkthrough; several
 * chats created, switched, renamed, deleted and undone, searched by content; a notebook export opened in the notebook
 * editor with its cells and plot; then a window reload and a code-server restart with the same profile, after which
 * every chat comes back exactly, a damaged chat file is reported by name, and a follow-up in a restored chat
 * continues the same server conversation. One VS Code start plus one restart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import type { VsCode } from './harness';
import { assert, ask, chatsDir, historyPane, responsesRequests, until, waitForHistory, waitForTurn, withTutor } from './support';

interface ShownTurn {
  question: string;
  texts: string[];
  code: string[];
  logs: string[];
  images: string[];
  status: string | null;
}

/** What a person sees of the chat in the sidebar: every turn's question, explanation, code, logs and images. */
async function shownChat(frame: Frame): Promise<ShownTurn[]> {
  return frame.evaluate(() =>
    Array.from(document.querySelectorAll('.turn')).map((t) => ({
      question: (t.querySelector('.turn-question') as HTMLElement | null)?.innerText.trim() ?? '',
      texts: Array.from(t.querySelectorAll('.md-text')).map((e) => (e as HTMLElement).innerText.trim()),
      code: Array.from(t.querySelectorAll('.code-block pre code.code-source')).map((e) => e.textContent ?? ''),
      logs: Array.from(t.querySelectorAll('.output-logs')).map((e) => e.textContent ?? ''),
      images: Array.from(t.querySelectorAll('img.output-image')).map((e) => {
        const img = e as HTMLImageElement;
        return `${img.naturalWidth}x${img.naturalHeight}:${img.src.length}`;
      }),
      status: t.getAttribute('data-status'),
    })),
  );
}

async function clickHistoryRow(page: Page, title: string): Promise<void> {
  await historyPane(page).locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: title }) }).first().click();
}

/** Show the Code Tutor side bar (click its activity-bar icon only when it is not showing: a click would hide it). */
async function showSidebar(vs: VsCode): Promise<Frame> {
  const item = vs.page.locator('.activitybar li.action-item:has(a[aria-label^="Code Tutor"]), .activitybar li.action-item[aria-label^="Code Tutor"]').first();
  await item.waitFor({ state: 'visible', timeout: 90_000 });
  // The workbench restores the side bar it showed last; give it a moment before deciding to click.
  await historyPane(vs.page).waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
  const active = await item.evaluate((e) => e.classList.contains('checked'));
  if (!active && !(await historyPane(vs.page).isVisible().catch(() => false))) await item.click();
  // The machine may be busy: the first webview can take a while.
  return vs.webviewFrame('#code-tutor-root textarea#question', { view: true, timeoutMs: 90_000 });
}

/** Open a chat from the history and wait until the sidebar shows it (its first question). */
async function openFromHistory(vs: VsCode, title: string, question: string): Promise<Frame> {
  await clickHistoryRow(vs.page, title);
  const frame = await vs.webviewFrame('#code-tutor-root textarea#question', { view: true });
  await frame.waitForFunction((q) => (document.querySelector('.turn .turn-question') as HTMLElement | null)?.innerText.includes(q) ?? false, question, { timeout: 20_000, polling: 100 });
  await frame.waitForFunction(() => Array.from(document.querySelectorAll('img.output-image')).every((i) => (i as HTMLImageElement).complete));
  return frame;
}

/** The sidebar chat's webview frame showing `n` turns. */
async function sidebarWithTurns(vs: VsCode, n: number): Promise<Frame> {
  const frame = await vs.webviewFrame('#code-tutor-root textarea#question', { view: true });
  await frame.waitForFunction((count) => document.querySelectorAll('.turn').length === count, n, { timeout: 20_000, polling: 100 });
  return frame;
}

async function notification(page: Page, text: string | RegExp, timeoutMs = 20_000): Promise<Locator> {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return toast;
}

/** A notification, as a toast or (if the toast already hid itself) in the notification centre. */
async function notificationAnywhere(vs: VsCode, text: string): Promise<void> {
  try {
    await notification(vs.page, text, 90_000);
  } catch {
    await vs.runCommand('Notifications: Show Notifications');
    await vs.page.locator('.notifications-center', { hasText: text }).first().waitFor({ state: 'visible', timeout: 10_000 });
  }
}

test('many chats: create, switch, rename, delete and undo, search, export a notebook, and all of it survives a reload and a restart', async () => {
  await withTutor({ name: 'chats', settings: { 'codeTutor.typewriter': false }, timeoutMs: 90_000 }, async (vs, server) => {
    const { page } = vs;
    // First run: the empty history shows what to do, with the provider, the key and an example question.
    let chat = await showSidebar(vs);
    const welcome = historyPane(page).locator('.welcome-view-content');
    await welcome.waitFor({ state: 'visible' });
    const welcomeText = await welcome.innerText();
    for (const s of ['No chats yet', 'Choose a Provider', 'Set API Key', 'Use a Local Server', 'What is a list comprehension?']) {
      assert.ok(welcomeText.includes(s), `welcome content shows "${s}":\n${welcomeText}`);
    }
    await vs.screenshot('chats-welcome');

    // Three chats.
    await ask(chat, 'Plot something [scenario:plot]');
    await waitForTurn(chat, 1, 'completed');
    await waitForHistory(page, (t) => t.length === 1, 'one chat after the first question');
    await vs.runCommand('Code Tutor: New Chat');
    chat = await sidebarWithTurns(vs, 0);
    await ask(chat, 'What is a closure?');
    await waitForTurn(chat, 1, 'completed');
    await vs.runCommand('Code Tutor: New Chat');
    chat = await sidebarWithTurns(vs, 0);
    await ask(chat, 'How do loops work?');
    await waitForTurn(chat, 1, 'completed');
    let titles = await waitForHistory(page, (t) => t.length === 3, 'three chats');
    assert.deepEqual(titles, ['How do loops work?', 'What is a closure?', 'Plot something [scenario:plot]'], 'newest first, titled by the first question');
    const loops = await shownChat(chat);

    // Switch: a row opens its chat in the sidebar.
    chat = await openFromHistory(vs, 'Plot something', 'Plot something');
    await chat.locator('.turn img.output-image').first().waitFor({ state: 'attached' });
    const plot = await shownChat(chat);
    assert.equal(plot.length, 1);
    assert.ok(plot[0].images.length > 0 && !plot[0].images[0].startsWith('0x0'), `the plot is shown: ${plot[0].images.join()}`);
    assert.ok(plot[0].code.length > 0 && plot[0].code[0].length > 10);

    // Rename (the selected row), F2 from the palette.
    await vs.runCommand('Code Tutor: Rename Chat');
    await vs.answerInput('Plots lesson');
    titles = await waitForHistory(page, (t) => t.includes('Plots lesson'), 'the renamed chat');
    const description = await historyPane(page).locator('.monaco-list-row', { hasText: 'Plots lesson' }).locator('.label-description').innerText();
    assert.match(description, /\d/, `the row shows a date: ${description}`);
    await vs.screenshot('chats-history');

    // Delete with Undo.
    await openFromHistory(vs, 'What is a closure?', 'What is a closure?');
    await vs.runCommand('Code Tutor: Delete Chat');
    await waitForHistory(page, (t) => t.length === 2 && !t.includes('What is a closure?'), 'the deleted chat gone');
    const toast = await notification(page, 'Deleted the chat');
    await toast.locator('.monaco-button', { hasText: 'Undo' }).click();
    await waitForHistory(page, (t) => t.length === 3 && t.includes('What is a closure?'), 'the chat back after Undo');

    // Search by content: "closure" is in the second chat's question and answer only; "squares" is in the answers.
    await vs.runCommand('Code Tutor: Search Chats');
    const quick = page.locator('.quick-input-widget');
    await quick.locator('input').first().fill('closure');
    await page.waitForFunction(() => {
      const rows = Array.from(document.querySelectorAll('.quick-input-widget .quick-input-list .monaco-list-row .label-name')).map((e) => (e as HTMLElement).innerText);
      return rows.length === 1 && rows[0].includes('closure');
    });
    await vs.screenshot('chats-search');
    await page.keyboard.press('Escape');

    // Export the plot chat as a notebook: it opens in the notebook editor with its cells and the plot.
    await openFromHistory(vs, 'Plots lesson', 'Plot something');
    await vs.runCommand('Code Tutor: Export Chat as Jupyter Notebook');
    const dialogInput = page.locator('.quick-input-widget input').first();
    await dialogInput.waitFor({ state: 'visible' });
    // The simple file dialog fills its path in steps: wait for the suggested file name.
    await page.waitForFunction(() => /\.ipynb$/.test((document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value ?? ''), undefined, { timeout: 30_000, polling: 100 });
    assert.match(await dialogInput.inputValue(), /Plots-lesson\.ipynb$/);
    await page.keyboard.press('Enter');
    const notebookFile = path.join(vs.workspaceDir, 'Plots-lesson.ipynb');
    // VS Code creates the file, then writes it: wait until it holds the whole notebook (seen empty in a CI run).
    type Notebook = { nbformat: number; cells: { cell_type: string; outputs?: { output_type: string; data?: Record<string, unknown> }[] }[] };
    const readNotebook = (): Notebook | undefined => {
      try {
        return JSON.parse(fs.readFileSync(notebookFile, 'utf8')) as Notebook;
      } catch {
        return undefined;
      }
    };
    const nb = (await until(readNotebook, (v) => v !== undefined, 15_000))!;
    assert.equal(nb.nbformat, 4);
    const codeCells = nb.cells.filter((c) => c.cell_type === 'code');
    assert.ok(codeCells.length >= 1);
    assert.ok(codeCells.some((c) => c.outputs?.some((o) => o.output_type === 'display_data' && typeof o.data?.['image/png'] === 'string')), 'a plot output');
    const editor = page.locator('.notebook-editor').first();
    await editor.waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.tabs-container .tab.active', { hasText: 'Plots-lesson.ipynb' }).waitFor({ state: 'visible' });
    // What a person sees: the interpreter code as a code cell (a Monaco editor inside the notebook), and the
    // explanations as rendered markdown (in the notebook's own webview, checked with the plot below).
    const codeCell = page.locator('.notebook-editor .monaco-editor .view-lines', { hasText: 'import matplotlib.pyplot as plt' }).first();
    await codeCell.waitFor({ state: 'visible' });
    // The plot is drawn by the notebook's output renderer (a webview of its own).
    const plotShown = async () => {
      for (const f of page.frames()) {
        if (f.parentFrame()?.url().includes('extensionId=code-tutor')) continue;
        const n = await f.evaluate(() => Array.from(document.querySelectorAll('img')).filter((i) => i.naturalWidth > 20 && /^(data|blob):/.test(i.src)).length).catch(() => 0);
        if (n > 0) return true;
      }
      return false;
    };
    let shown = false;
    for (let i = 0; i < 60 && !shown; i++) {
      shown = await plotShown();
      if (!shown) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(shown, 'the plot is drawn in the notebook editor');
    await vs.screenshot('chats-notebook-export');

    // The walkthrough is on the Welcome page.
    await vs.runCommand('Welcome: Open Walkthrough...');
    const walk = quick.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Code Tutor' }).first();
    await walk.waitFor({ state: 'visible' });
    await walk.click();
    const gs = page.locator('.gettingStartedContainer').first();
    await gs.waitFor({ state: 'visible' });
    await page.locator('.gettingStartedContainer', { hasText: 'Choose a provider' }).first().waitFor({ state: 'visible' });
    await vs.screenshot('chats-walkthrough');

    // Capture every chat as shown, then damage a file and reload the window.
    const questions = new Map([
      ['Plots lesson', 'Plot something'],
      ['What is a closure?', 'What is a closure?'],
      ['How do loops work?', 'How do loops work?'],
    ]);
    const before = new Map<string, ShownTurn[]>();
    for (const [t, q] of questions) before.set(t, await shownChat(await openFromHistory(vs, t, q)));
    assert.deepEqual(before.get('Plots lesson'), plot);
    assert.equal(before.get('How do loops work?')?.[0].code.join(), loops[0].code.join(), 'the same code as shown live');
    const dir = chatsDir(vs);
    const stored = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.equal(stored.length, 3);
    for (const f of stored) assert.ok(!fs.readFileSync(path.join(dir, f), 'utf8').includes('sk-e2e'), `no key in ${f}`);
    assert.ok(fs.readdirSync(dir).some((f) => f.endsWith('.files')), 'the plot is stored as a file beside the chat');
    fs.writeFileSync(path.join(dir, 'chat_broken.json'), '{"format":"code-tutor.chat","version":1,"chat":{"id":"chat_broken","turns":[');

    const check = async (label: string) => {
      chat = await showSidebar(vs); // activates the extension if the restored workbench did not
      await notificationAnywhere(vs, 'chat_broken.json');
      await vs.screenshot(`chats-damaged-${label}`);
      await waitForHistory(page, (t) => t.length === 3, `three chats after ${label}`);
      for (const [t, shownBefore] of before) {
        const f = await openFromHistory(vs, t, questions.get(t)!);
        assert.deepEqual(await shownChat(f), shownBefore, `"${t}" after ${label}`);
      }
      assert.ok(fs.existsSync(path.join(dir, 'chat_broken.json')), 'the damaged file is kept');
    };
    await vs.runCommand('Developer: Reload Window');
    await check('reload');
    await vs.restartServer();
    await check('restart');

    // A follow-up in a restored chat continues the same conversation on the server.
    const loopsFile = stored.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))).find((j) => j.chat.turns[0].question.text === 'How do loops work?');
    const responseId = loopsFile.chat.turns[0].run.responseId as string;
    assert.match(responseId, /^resp_/);
    chat = await openFromHistory(vs, 'How do loops work?', 'How do loops work?');
    const requestsBefore = responsesRequests(server).length;
    await ask(chat, 'And with a while loop?');
    await waitForTurn(chat, 2, 'completed');
    const followUp = responsesRequests(server).slice(requestsBefore)[0].body as { previous_response_id?: string };
    assert.equal(followUp.previous_response_id, responseId, 'the follow-up continues from the stored response');
    await vs.screenshot('chats-restored-followup');
  });
});
