/** Shared steps of the product's end-to-end tests: a fake model server, and what a person does in the chat. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import { type FakeServer, startFakeServer } from '../fake/server';
import { type StartOptions, type VsCode, withVsCode } from './harness';

/**
 * Where the extension keeps this workspace's chats: <user-data>/User/workspaceStorage/<hash>/code-tutor.code-tutor/chats.
 * The folder that already has chats, else the one workspace's storage folder (the chats folder may not exist yet).
 */
export function chatsDir(vs: VsCode): string {
  const root = path.join(vs.userDataDir, 'User', 'workspaceStorage');
  const inside = (ws: string) => path.join(root, ws, 'code-tutor.code-tutor', 'chats');
  const folders = fs.readdirSync(root);
  const existing = folders.find((ws) => fs.existsSync(inside(ws)));
  if (existing) return inside(existing);
  const workspaces = folders.filter((ws) => fs.existsSync(path.join(root, ws, 'meta.json')) || fs.existsSync(path.join(root, ws, 'workspace.json')));
  if (workspaces.length !== 1) throw new Error(`no chats folder under ${root}, and ${workspaces.length} workspace storage folders to put one in`);
  return inside(workspaces[0]!);
}

/** Starts the fake server, then VS Code whose extension host talks to it, and stops both. */
export async function withTutor(options: StartOptions, body: (vs: VsCode, server: FakeServer) => Promise<void>): Promise<void> {
  const server = await startFakeServer();
  try {
    await withVsCode({ ...options, env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-e2e', ...options.env } }, (vs) => body(vs, server));
  } finally {
    await server.close();
  }
}

/**
 * One scenario of a file whose scenarios share a VS Code start, as a node:test subtest: it keeps its own name and
 * failure report, and a failure also keeps VS Code's logs and a screenshot under test-results/e2e-failures/ (labelled
 * `label`), since the shared start only fails, and saves its own, when every scenario is done.
 */
export async function scenario(t: TestContext, vs: VsCode, label: string, name: string, body: () => Promise<void>): Promise<void> {
  await t.test(name, async () => {
    try {
      await body();
    } catch (error) {
      await vs.saveFailureArtifacts(label);
      throw error;
    }
  });
}

/** Close every editor (files and the chat panel), as "View: Close All Editors" does, and wait until no tab is left. */
export async function closeAllEditors(vs: VsCode): Promise<void> {
  await vs.runCommand('View: Close All Editors');
  await vs.page.waitForFunction(() => document.querySelectorAll('.editor-group-container .tabs-container .tab').length === 0, undefined, { timeout: 10_000 });
}

/**
 * Start a new chat in the sidebar: "Code Tutor: New Chat" while the chat panel is not the active editor (it would
 * start one there instead), then wait until the sidebar shows an empty chat. Returns the sidebar's webview.
 */
export async function newSidebarChat(vs: VsCode): Promise<Frame> {
  await vs.runCommand('Code Tutor: New Chat');
  const chat = await vs.webviewFrame('#code-tutor-root textarea#question', { view: true });
  await chat.waitForFunction(() => document.querySelectorAll('.turn').length === 0, undefined, { timeout: 20_000, polling: 100 });
  return chat;
}

/** Start a new chat in the open chat panel: click its tab, run "Code Tutor: New Chat", wait until it shows no turn. */
export async function newPanelChat(vs: VsCode): Promise<Frame> {
  await vs.page.locator('.tabs-container .tab', { hasText: 'Code Tutor' }).first().click();
  await vs.runCommand('Code Tutor: New Chat');
  const panel = await vs.webviewFrame('#code-tutor-root', { view: false });
  await panel.waitForFunction(() => document.querySelectorAll('.turn').length === 0, undefined, { timeout: 20_000, polling: 100 });
  return panel;
}

/**
 * Open `file` of the workspace and put the cursor at the start of line `line` (1-based) with a click, as a person
 * would; returns the file's text on disk.
 */
export async function cursorAtLine(vs: VsCode, file: string, line: number): Promise<string> {
  await vs.openFile(file);
  const text = readWorkspaceFile(vs, file);
  const editor = vs.page.locator('.editor-group-container.active .monaco-editor').first();
  await editor.locator('.view-line').nth(line - 1).click();
  await vs.page.keyboard.press('Home');
  return text;
}

/** Open the Code Tutor sidebar through its activity-bar icon, as a person would, and return its webview. */
export async function openSidebar(vs: VsCode): Promise<Frame> {
  await vs.page.locator('.activitybar .action-item a[aria-label^="Code Tutor"], .activitybar .action-item[aria-label^="Code Tutor"]').first().click();
  return vs.webviewFrame('#code-tutor-root textarea#question', { view: true });
}

/** Type a question in the chat's message box and send it with Enter. */
export async function ask(frame: Frame, question: string): Promise<void> {
  const box = frame.locator('textarea#question');
  await box.click();
  await box.fill(question);
  await box.press('Enter');
}

/** Wait until the n-th turn (1-based) has ended with the given status. */
export async function waitForTurn(frame: Frame, n: number, status: string, timeoutMs = 60_000): Promise<void> {
  await frame.locator(`.turn:nth-child(${n})[data-status="${status}"], .turn >> nth=${n - 1}`).first().waitFor({ state: 'attached', timeout: timeoutMs });
  await frame.waitForFunction(
    ([i, s]) => {
      const turns = document.querySelectorAll('.turn');
      return turns.length >= i && turns[i - 1].getAttribute('data-status') === s;
    },
    [n, status] as const,
    { timeout: timeoutMs, polling: 100 },
  );
}

/** Samples `measure` until it has grown at least `times` times while `done` is still false: proof of streaming. */
export async function watchGrowth(measure: () => Promise<number>, done: () => Promise<boolean>, timeoutMs = 30_000): Promise<number[]> {
  const seen: number[] = [];
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !(await done())) {
    const v = await measure();
    if (seen.length === 0 || v !== seen[seen.length - 1]) seen.push(v);
    await new Promise((r) => setTimeout(r, 60));
  }
  return seen;
}

/** Poll `read` until `ok` says yes (or time runs out), and return the last value read. */
export async function until<T>(read: () => T, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = read();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    v = read();
  }
  return v;
}

/** The History pane of the Code Tutor side bar. */
export function historyPane(page: Page): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^History|History$/ }) }).first();
}

/** The titles the History list shows, top to bottom. */
export async function historyTitles(page: Page): Promise<string[]> {
  const labels = await historyPane(page).locator('.monaco-list-row .label-name').allInnerTexts();
  return labels.map((l) => l.trim());
}

/** Wait until the History list's titles satisfy `ok`; fails with what it shows. */
export async function waitForHistory(page: Page, ok: (titles: string[]) => boolean, what: string): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  let titles: string[] = [];
  while (Date.now() < deadline) {
    titles = await historyTitles(page).catch(() => []);
    if (ok(titles)) return titles;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`history: ${what}; it shows ${JSON.stringify(titles)}`);
}

export function readWorkspaceFile(vs: VsCode, rel: string): string {
  return fs.readFileSync(path.join(vs.workspaceDir, rel), 'utf8');
}

export function responsesRequests(server: FakeServer) {
  return server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/responses'));
}

export { assert };
