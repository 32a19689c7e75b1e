/**
 * Issue 9 in a real VS Code and real Chromium, one VS Code start:
 * - the injection corpus (test/fixtures/payloads, 454 payloads) streamed through every channel a server controls
 *   (test/fake/hostileScenario.ts). A canary — a global `__canary()` (and alert/confirm/prompt) the payloads try to
 *   call, and a URL on the fake server they try to request — proves nothing ran and nothing was fetched; the
 *   webview frame never navigates; CSP violations are counted from the frame's first script on (an init script in
 *   every frame, plus a buffered ReportingObserver) and must be 0.
 * - a lying link opens only after a modal that names the real host; a local one is refused;
 * - Insert of code with hidden characters (and an item id longer than the door allows) warns first, then inserts;
 * - secrets: after full runs and failed runs whose server echoes the key, the key (any 12-character run of it) is
 *   nowhere: user-data dir (settings, logs, extension storage with the stored chats), the code-server log, the
 *   webview DOM, and the terminal client's output.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Frame } from 'playwright-core';
import { hostileAnswer, keyEchoFailures, LONG_ID_LENGTH } from '../fake/hostileScenario';
import { loadPayloads } from '../unit/support/payloads';
import { REPO_ROOT } from './install';
import { assert, ask, openSidebar, readWorkspaceFile, until, waitForTurn, withTutor } from './support';

declare global {
  interface Window {
    __ctCsp?: Array<{ directive: string; blocked: string; sample: string; source: string; line: number }>;
    __ctCanary?: number;
  }
}

/** Runs in every frame before its own scripts: count CSP violations and canary calls from the start. */
function watchFrame(): void {
  if (window.__ctCsp) return;
  window.__ctCsp = [];
  window.__ctCanary = 0;
  window.addEventListener(
    'securitypolicyviolation',
    (e) => window.__ctCsp!.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile, line: e.lineNumber }),
    true,
  );
  const canary = (): void => {
    window.__ctCanary = (window.__ctCanary ?? 0) + 1;
  };
  for (const name of ['__canary', 'alert', 'confirm', 'prompt', 'print']) {
    Object.defineProperty(window, name, { value: canary, writable: false, configurable: false });
  }
}

/** The terminal client's stdout and stderr (asynchronously: the fake server answers from this same process). */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args], { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

function keyRuns(key: string, n = 12): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= key.length; i++) out.push(key.slice(i, i + n));
  return out;
}

/** Every file under `dir` (bounded size) whose bytes contain any 12-character run of the key. */
function filesWithKey(dir: string, runs: readonly string[]): string[] {
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.statSync(p).size < 64 * 1024 * 1024) {
        const text = fs.readFileSync(p).toString('latin1');
        if (runs.some((r) => text.includes(r))) hits.push(p);
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return hits;
}

async function cspReport(frame: Frame): Promise<{ listener: NonNullable<Window['__ctCsp']>; observer: string[]; canary: number }> {
  return frame.evaluate(async () => {
    const observed: string[] = [];
    type ReportLike = { type: string; body: { effectiveDirective?: string; blockedURL?: string; sample?: string } };
    const RO = (window as unknown as { ReportingObserver?: new (cb: (r: ReportLike[]) => void, o: object) => { observe(): void; takeRecords(): ReportLike[] } }).ReportingObserver;
    if (RO) {
      // Reports go to the callback (takeRecords only returns those not yet delivered); `buffered` brings the ones
      // from before this observer, back to the document's start. (No named inner function: tsx would wrap it in a
      // helper the page does not have.)
      const reports: ReportLike[] = [];
      const ro = new RO((rs: ReportLike[]) => reports.push(...rs), { types: ['csp-violation'], buffered: true });
      ro.observe();
      await new Promise((r) => setTimeout(r, 200));
      reports.push(...ro.takeRecords());
      for (const r of reports) observed.push(`${r.body.effectiveDirective} ${r.body.blockedURL} ${r.body.sample ?? ''}`);
    }
    return { listener: window.__ctCsp ?? [], observer: observed, canary: window.__ctCanary ?? -1 };
  });
}

test('hostile content and secrets: the corpus through every channel, lying links, hidden characters, the key nowhere', async () => {
  const key = `sk-proj-${randomBytes(24).toString('hex')}`;
  const runs = keyRuns(key);
  await withTutor({ name: 'hostile', env: { OPENAI_API_KEY: key }, timeoutMs: 90_000, settings: { 'editor.unusualLineTerminators': 'off' } }, async (vs, server) => {
    const canaryBase = `${server.origin}/__canary`;
    const payloads = loadPayloads(canaryBase).map((p) => p.payload);
    await vs.context.addInitScript(watchFrame);
    const navigations: string[] = [];
    vs.page.on('framenavigated', (f) => {
      if (f.parentFrame()?.url().includes('extensionId=code-tutor.code-tutor')) navigations.push(f.url());
    });

    // An editor to insert into, cursor on the empty line 13 of primes.py.
    await vs.openFile('primes.py');
    const before = readWorkspaceFile(vs, 'primes.py');
    await vs.page.locator('.editor-group-container.active .monaco-editor .view-line').nth(12).click();

    const toolNames = [`get\u202E_selection`, '<img src=x onerror=__canary()>', `read_file\u0000\u001b[2K`];
    server.script(...hostileAnswer({ payloads, toolNames }), ...keyEchoFailures(key, payloads));
    const chat = await openSidebar(vs);
    const framesAtStart = navigations.length;
    await ask(chat, `Show me everything ${payloads[5]}`);
    await waitForTurn(chat, 1, 'completed', 240_000);
    await vs.screenshot('hostile-rendered');

    // What reached the page.
    const shown = await chat.evaluate(() => ({
      texts: document.querySelectorAll('.turn .md-text').length,
      code: document.querySelectorAll('.turn .code-block').length,
      tools: document.querySelectorAll('.turn .tool-item').length,
      files: document.querySelectorAll('.turn .output-file-name').length,
      dangerous: document.querySelectorAll('#code-tutor-root script, #code-tutor-root iframe, #code-tutor-root object, #code-tutor-root embed, #code-tutor-root svg, #code-tutor-root math, #code-tutor-root form, #code-tutor-root style, #code-tutor-root link, #code-tutor-root meta, #code-tutor-root base, #code-tutor-root img:not(.output-image)').length,
      attrs: document.querySelectorAll('#code-tutor-root .turn [style], #code-tutor-root .turn [href], #code-tutor-root .turn [src], #code-tutor-root .turn [srcdoc]').length,
      raw: /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/.test(document.querySelector('#code-tutor-root .turn')?.textContent ?? ''),
      codeId: document.querySelector('.turn .code-block')?.getAttribute('data-item-id') ?? '',
      toolText: Array.from(document.querySelectorAll('.turn .tool-call')).map((e) => e.textContent),
    }));
    assert.ok(shown.texts >= 3, `text items shown: ${shown.texts}`);
    assert.equal(shown.code, 1);
    assert.equal(shown.tools, 3);
    assert.equal(shown.dangerous, 0, 'no dangerous element reached the page');
    assert.equal(shown.attrs, 0, 'no style/href/src attribute reached the page');
    assert.equal(shown.raw, false, 'no control or bidi character reached the page raw');
    assert.ok(shown.toolText[0]?.startsWith('get⟨U+202E⟩_selection('), shown.toolText[0] ?? '');
    assert.ok(shown.codeId.length <= 200 && shown.codeId.startsWith('~'), `the long server id travels as a stand-in: ${shown.codeId}`);

    // A lying link: the confirmation names the real host; cancel it.
    const lying = chat.locator('a.md-link[data-href="https://docs.python.org@evil.example/"]').first();
    assert.match((await lying.getAttribute('title')) ?? '', /^evil\.example — /);
    await lying.scrollIntoViewIfNeeded();
    await lying.click();
    const dialog = vs.page.locator('.monaco-dialog-box').first();
    await dialog.waitFor({ state: 'visible' });
    const dialogText = await dialog.innerText();
    assert.match(dialogText, /It goes to: evil\.example/);
    await vs.screenshot('hostile-link-confirm');
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
    await dialog.waitFor({ state: 'hidden' });
    // A local one is refused with a notice.
    await chat.locator('a.md-link[data-href="http://127.0.0.1/"]').first().click();
    await chat.locator('.notice-text', { hasText: 'local network' }).first().waitFor({ state: 'visible' });

    // Insert: the hidden characters are named in a modal first; then the code goes in (by a 320-character id).
    await chat.locator('.code-block .code-insert').first().click();
    await dialog.waitFor({ state: 'visible' });
    assert.match(await dialog.innerText(), /This code contains hidden characters/);
    await vs.screenshot('hostile-insert-warning');
    await dialog.locator('.monaco-button', { hasText: 'Insert Anyway' }).first().click();
    await vs.page.keyboard.press('Control+S');
    const after = await until(() => readWorkspaceFile(vs, 'primes.py'), (t) => t !== before, 20_000);
    assert.ok(after.includes(payloads[0].split('\n')[0]), `Insert worked for an id of ${LONG_ID_LENGTH} characters`);
    assert.ok(after.includes('\u202E'), 'the code was inserted as written (the warning, not a rewrite, protects the learner)');

    // Failed runs whose server echoes the key.
    for (const [n, q] of [[2, 'again'], [3, 'and again'], [4, 'once more']] as const) {
      await ask(chat, q);
      await waitForTurn(chat, n, 'failed', 60_000);
    }
    // The links and the Insert button clicked above were before these questions: each is followed to its end (a
    // layout move within a second of the Insert click was once taken for the reader, with Jump to latest shown).
    await chat.waitForFunction(() => {
      const list = document.querySelector('.turns')!;
      return list.scrollHeight - list.scrollTop - list.clientHeight < 2;
    }, undefined, { timeout: 5_000 });
    assert.equal(await chat.locator('#jump-latest').isVisible(), false, 'no Jump to latest after the questions');
    await vs.screenshot('hostile-failed-runs');

    // The canary: no call, no request, no navigation; CSP violations counted from the start.
    const frames = vs.page.frames().filter((f) => f.parentFrame()?.url().includes('extensionId=code-tutor.code-tutor'));
    let canaryCalls = 0;
    const violations: string[] = [];
    for (const f of frames) {
      // A frame that went away meanwhile has nothing to report; any other failure is the test's own and must show.
      const r = await cspReport(f).catch((e: unknown) => {
        if (f.isDetached()) return undefined;
        throw e;
      });
      if (!r) continue;
      canaryCalls += Math.max(0, r.canary);
      violations.push(...r.listener.map((v) => `${v.directive} ${v.blocked} ${v.sample} ${v.source}:${v.line}`));
      for (const o of r.observer) if (!violations.some((v) => v.startsWith(o.split(' ')[0]))) violations.push(`(observer) ${o}`);
    }
    const canaryRequests = server.requests.filter((r) => r.path.includes('__canary'));
    const chatNavigations = navigations.slice(framesAtStart);
    console.log(
      `hostile e2e: ${payloads.length} payloads through ${9} channels; canary calls ${canaryCalls}; canary requests ${canaryRequests.length}; ` +
        `webview navigations after load ${chatNavigations.length}; CSP violations ${violations.length}${violations.length ? `:\n  ${violations.join('\n  ')}` : ''}`,
    );
    assert.equal(canaryCalls, 0, 'no payload ran');
    assert.equal(canaryRequests.length, 0, `no payload made a request: ${canaryRequests.map((r) => r.path).join(', ')}`);
    assert.deepEqual(chatNavigations, [], 'the webview never navigated');
    // Positive control (so that 0 means something): one deliberate inline style in the chat frame must be seen by
    // the buffered ReportingObserver (which counts from the document's start). The init-script listener is counted
    // too, but VS Code writes the webview's document after the init script ran, which erases window listeners.
    await chat.evaluate(() => {
      const el = document.createElement('div');
      el.setAttribute('style', 'color: red');
      document.body.append(el);
    });
    await new Promise((r) => setTimeout(r, 500));
    const control = await cspReport(chat);
    console.log(`hostile e2e: positive control — watcher installed ${control.canary >= 0}, listener saw ${control.listener.length}, observer saw ${control.observer.length}`);
    assert.ok(control.observer.some((o) => o.startsWith('style-src')), `the counters see a deliberate violation: ${JSON.stringify(control)}`);
    assert.deepEqual(violations, [], 'no payload got into the DOM only to be stopped by the CSP');

    // Secrets: the webview DOM, the user-data dir (settings, logs, extension storage and stored chats), the logs.
    const dom = (await chat.content()) + (await vs.page.content());
    assert.equal(runs.filter((r) => dom.includes(r)).length, 0, 'the key is not in the webview or workbench DOM');
    const hits = [...filesWithKey(vs.userDataDir, runs), ...filesWithKey(path.dirname(vs.logFile), runs).filter((f) => !f.startsWith(vs.userDataDir))];
    assert.deepEqual(hits, [], 'the key is in no file of the profile, storage or logs');
  });

  // The terminal client, against a server that echoes the key in each of the three ways.
  const { startFakeServer } = await import('../fake/server');
  const server = await startFakeServer();
  try {
    const cliOut: string[] = [];
    for (const entry of keyEchoFailures(key, ['<img src=x onerror=alert(1)>'])) {
      server.script(entry);
      cliOut.push(await runCli(['ask', 'hi'], { ...process.env, OPENAI_API_KEY: key, OPENAI_BASE_URL: server.url, LANG: 'en_US.UTF-8' }));
    }
    for (const [i, out] of cliOut.entries()) {
      assert.ok(out.trim().length > 0, `the CLI said something (${i})`);
      assert.deepEqual(runs.filter((r) => out.includes(r)), [], `the CLI printed part of the key (case ${i}):\n${out}`);
    }
  } finally {
    await server.close();
  }
});
