// Runs the packaged extension in a real VS Code: code-server serves the workbench, Debian's chromium shows it and
// playwright-core drives it. Each start gets a fresh run dir (profile, extensions, XDG dirs) under .e2e/.
// Facts behind each step: shared/docs/real-vscode-e2e.md.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT, ensureCodeServer, log } from './install';

export const EXTENSION_ID = 'code-tutor.code-tutor';
export const DEFAULT_VSIX = process.env.CODE_TUTOR_E2E_VSIX ?? path.join(REPO_ROOT, 'dist', 'code-tutor.vsix');
export const SAMPLE_WORKSPACE = path.join(REPO_ROOT, 'test', 'workspace');
export const SCREENSHOTS_DIR = process.env.CODE_TUTOR_E2E_SCREENSHOTS ?? path.join(REPO_ROOT, 'test-results', 'screenshots');
export const FAILURES_DIR = path.join(REPO_ROOT, 'test-results', 'e2e-failures');
export const CHROMIUM = process.env.CODE_TUTOR_E2E_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export const BASE_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'editor.minimap.enabled': false,
};

export interface StartOptions {
  /** Prefix of the run dir under .e2e/ and of failure artifacts; defaults to "vscode". */
  readonly name?: string;
  /** The packaged extension; defaults to dist/code-tutor.vsix. */
  readonly vsix?: string;
  /** The folder to open; defaults to test/workspace. It is copied into the run dir unless copyWorkspace is false. */
  readonly workspaceDir?: string;
  readonly copyWorkspace?: boolean;
  /** Extra environment for code-server, and so for the extension host (e.g. OPENAI_BASE_URL). */
  readonly env?: Readonly<Record<string, string>>;
  /** User settings merged over BASE_SETTINGS. */
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly screenshotsDir?: string;
  /** Playwright's default timeout for each wait, in ms. */
  readonly timeoutMs?: number;
  readonly viewport?: { readonly width: number; readonly height: number };
  /** VS Code's display language (code-server `--locale`), e.g. `zh-cn`. */
  readonly locale?: string;
}

export interface VsCode {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly url: string;
  readonly port: number;
  readonly runDir: string;
  /** The folder VS Code has open (a copy of the sample workspace by default). */
  readonly workspaceDir: string;
  readonly userDataDir: string;
  readonly logFile: string;
  /** Runs a command by its title ("Code Tutor: Ask Assistant") from the F1 command palette. */
  runCommand(title: string): Promise<void>;
  /** Opens the F1 palette filtered to `title` and waits (reopening it) until that exact command's row shows; leaves it open. */
  showCommand(title: string, timeoutMs?: number): Promise<Locator>;
  /** Opens the F1 palette, types the text and returns the visible row labels without choosing one (Escape closes it). */
  paletteEntries(text: string): Promise<string[]>;
  /** Answers an open input box (showInputBox / a quick input) with `text` and Enter, then waits for it to close. */
  answerInput(text: string): Promise<void>;
  /** Opens a workspace file by its relative path through Quick Open (Ctrl+P) and waits for its tab. */
  openFile(relPath: string): Promise<void>;
  /** The inner frame of one of our webviews that contains an element matching `marker`; retries until it appears. */
  webviewFrame(marker: string, opts?: { view?: boolean; timeoutMs?: number }): Promise<Frame>;
  /** The visible text of the active editor (spaces normalised). */
  editorText(): Promise<string>;
  /** Saves <screenshotsDir>/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Saves the code-server log, the extension host logs and a screenshot under test-results/e2e-failures/. */
  saveFailureArtifacts(label?: string): Promise<string>;
  /** Closes chromium and kills code-server's process group. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Stops code-server and starts it again on the same port with the same user-data dir, extensions and workspace
   * (a restart of VS Code that keeps the profile), then reloads the page and waits for the workbench.
   */
  restartServer(): Promise<void>;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

function freePort(preferred = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (preferred !== 0 && error.code === 'EADDRINUSE') resolve(freePort(preferred + 1));
      else reject(error);
    });
    server.listen(preferred, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
export { freePort };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The environment code-server runs with: the caller's, minus anything that would tie it to another VS Code. */
export function serverEnv(dirs: { home: string; xdg: string; tmp: string }, extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(VSCODE_|ELECTRON_)/.test(key) || key === 'NODE_OPTIONS' || key.startsWith('npm_')) delete env[key];
  }
  return {
    ...env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.xdg, 'config'),
    XDG_DATA_HOME: path.join(dirs.xdg, 'data'),
    XDG_CACHE_HOME: path.join(dirs.xdg, 'cache'),
    XDG_STATE_HOME: path.join(dirs.xdg, 'state'),
    TMPDIR: dirs.tmp,
    ...extra,
  };
}

export interface CodeServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  kill(): Promise<void>;
}

const liveGroups = new Set<number>();
process.on('exit', () => {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Installs a .vsix into the given profile with code-server's CLI. */
/**
 * TEST ONLY: a language pack for `locale` with no translations of VS Code's own strings. No real pack can be
 * installed offline, and without one the server resolves any --locale to English (server-main.js: the pack's entry
 * in <user-data>/languagepacks.json, read at start, decides `resolvedLanguage`). With this entry VS Code's display
 * language is `locale`: vscode.env.language, the extension's package.nls.<locale>.json and l10n bundle follow it,
 * while the workbench's own strings fall back to English (the pack translates none of them).
 */
function writeTestLanguagePack(userDataDir: string, runDir: string, locale: string): void {
  const translations = path.join(runDir, 'test-language-pack', 'main.i18n.json');
  fs.mkdirSync(path.dirname(translations), { recursive: true });
  fs.writeFileSync(translations, JSON.stringify({ version: '1.0.0', contents: {} }));
  const entry = { hash: `codetutor-test-${locale}`, extensions: [{ extensionIdentifier: { id: `code-tutor-test.language-pack-${locale}` }, version: '0.0.1' }], translations: { vscode: translations }, label: locale };
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify({ [locale]: entry }));
}

export async function installExtension(codeServerBin: string, vsix: string, userDataDir: string, extensionsDir: string, env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  if (!fs.existsSync(vsix)) throw new Error(`no packaged extension at ${vsix}: run \`npm run package\` first`);
  const out = fs.openSync(logFile, 'a');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(codeServerBin, ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'], { env, stdio: ['ignore', out, out] });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  fs.closeSync(out);
  const installed = fs.existsSync(extensionsDir) && fs.readdirSync(extensionsDir).some((d) => d.toLowerCase().startsWith(`${EXTENSION_ID}-`));
  if (code !== 0 || !installed) throw new Error(`installing ${vsix} failed (exit ${code}):\n${tail(logFile, 20)}`);
}

/** Starts code-server detached in its own process group and waits for /healthz. */
export async function startCodeServer(opts: {
  codeServerBin: string;
  runDir: string;
  userDataDir: string;
  extensionsDir: string;
  workspaceDir: string;
  env: NodeJS.ProcessEnv;
  port?: number;
  logFile: string;
  timeoutMs?: number;
  locale?: string;
}): Promise<CodeServerProcess> {
  const port = opts.port ?? (await freePort());
  const config = path.join(opts.runDir, 'config.yaml');
  fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const out = fs.openSync(opts.logFile, 'a');
  const args = [
    '--config', config,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--user-data-dir', opts.userDataDir,
    '--extensions-dir', opts.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...(opts.locale ? ['--locale', opts.locale] : []),
    opts.workspaceDir,
  ];
  const child = spawn(opts.codeServerBin, args, { env: opts.env, stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${opts.codeServerBin}`);
  liveGroups.add(pid);
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = signal ?? `exit code ${code}`;
  });
  const url = `http://127.0.0.1:${port}`;
  const kill = async () => {
    if (!liveGroups.has(pid)) return;
    const signalGroup = (signal: NodeJS.Signals | 0) => {
      try {
        process.kill(-pid, signal);
        return true;
      } catch {
        return false;
      }
    };
    signalGroup('SIGTERM');
    for (let i = 0; i < 50 && signalGroup(0); i++) await sleep(100);
    signalGroup('SIGKILL');
    liveGroups.delete(pid);
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`code-server exited (${exited}) before it was ready:\n${tail(opts.logFile)}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`code-server did not answer ${url}/healthz within ${(opts.timeoutMs ?? 60_000) / 1000} s:\n${tail(opts.logFile)}`);
    }
    await sleep(200);
  }
  return { child, port, url, logFile: opts.logFile, kill };
}

let runCounter = 0;

export async function startVsCode(options: StartOptions = {}): Promise<VsCode> {
  const started = Date.now();
  const name = options.name ?? 'vscode';
  const { codeServerBin } = await ensureCodeServer({ quiet: true });
  const runDir = path.join(REPO_ROOT, '.e2e', `${name}-${timestamp()}-${process.pid}-${++runCounter}`);
  // socket paths must stay under 108 characters, so the server's TMPDIR is short and outside the run dir
  const tmp = fs.mkdtempSync(path.join('/tmp', 'ct-'));
  const dirs = {
    home: path.join(runDir, 'home'),
    xdg: path.join(runDir, 'xdg'),
    tmp,
    userData: path.join(runDir, 'user-data'),
    extensions: path.join(runDir, 'extensions'),
    chromiumProfile: path.join(runDir, 'chromium-profile'),
    chromiumHome: path.join(runDir, 'chromium-home'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  for (const sub of ['config', 'data', 'cache', 'state']) fs.mkdirSync(path.join(dirs.xdg, sub), { recursive: true });
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...options.settings }, null, 2));
  if (options.locale && !options.locale.toLowerCase().startsWith('en')) writeTestLanguagePack(dirs.userData, runDir, options.locale.toLowerCase());

  const sourceWorkspace = path.resolve(options.workspaceDir ?? SAMPLE_WORKSPACE);
  let workspaceDir = sourceWorkspace;
  if (options.copyWorkspace ?? true) {
    workspaceDir = path.join(runDir, 'workspace');
    fs.cpSync(sourceWorkspace, workspaceDir, { recursive: true });
  }
  const logFile = path.join(runDir, 'code-server.log');
  const screenshotsDir = options.screenshotsDir ?? SCREENSHOTS_DIR;
  const env = serverEnv(dirs, options.env ?? {});

  let server: CodeServerProcess | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await context?.close().catch(() => undefined);
    await server?.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  };

  const saveFailureArtifacts = async (label = 'failure') => {
    const dir = path.join(FAILURES_DIR, `${path.basename(runDir)}-${label}`.replace(/[^\w.-]+/g, '_'));
    fs.mkdirSync(dir, { recursive: true });
    for (const file of [logFile, path.join(runDir, 'browser-console.log')]) {
      if (fs.existsSync(file)) fs.copyFileSync(file, path.join(dir, path.basename(file)));
    }
    const logsRoot = path.join(dirs.userData, 'logs');
    if (fs.existsSync(logsRoot)) fs.cpSync(logsRoot, path.join(dir, 'vscode-logs'), { recursive: true });
    if (page && !page.isClosed()) await page.screenshot({ path: path.join(dir, 'screenshot.png') }).catch(() => undefined);
    log(`failure artifacts: ${dir}`);
    return dir;
  };

  try {
    await installExtension(codeServerBin, path.resolve(options.vsix ?? DEFAULT_VSIX), dirs.userData, dirs.extensions, env, logFile);
    server = await startCodeServer({ codeServerBin, runDir, userDataDir: dirs.userData, extensionsDir: dirs.extensions, workspaceDir, env, logFile, locale: options.locale });
    context = await chromium.launchPersistentContext(dirs.chromiumProfile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      env: { ...process.env, HOME: dirs.chromiumHome },
      viewport: options.viewport ?? { width: 1400, height: 900 },
    });
    context.setDefaultTimeout(options.timeoutMs ?? 30_000);
    page = context.pages()[0] ?? (await context.newPage());
    // the workbench's and the webviews' console, for failure reports
    const consoleLog = fs.createWriteStream(path.join(runDir, 'browser-console.log'));
    page.on('console', (message) => consoleLog.write(`[${message.type()}] ${message.text()}\n`));
    page.on('pageerror', (error) => consoleLog.write(`[pageerror] ${error.stack ?? error.message}\n`));
    page.on('close', () => consoleLog.end());
    await page.goto(`${server.url}/?folder=${encodeURI(workspaceDir)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.part.statusbar').waitFor({ timeout: 60_000 });
  } catch (error) {
    await saveFailureArtifacts('start');
    await stop();
    throw error;
  }

  const p: Page = page;
  const quickInput = p.locator('.quick-input-widget');
  const quickInputBox = quickInput.locator('input.input, .quick-input-box input').first();

  /**
   * Opens the quick input with `key` and types `prefix`. A dialog or a focus change can close it, or leave it inert,
   * between opening and typing (seen in a CI run: the fill waited 90 s on an inert box): then it is opened again.
   */
  const openQuickInput = async (key: string, prefix: string) => {
    for (let attempt = 1; ; attempt++) {
      await p.keyboard.press('Escape');
      await p.locator('.monaco-workbench').focus().catch(() => undefined);
      await p.keyboard.press(key);
      try {
        await quickInputBox.waitFor({ state: 'visible', timeout: 15_000 });
        await quickInputBox.fill(prefix, { timeout: 10_000 });
        return;
      } catch (e) {
        if (attempt >= 4) throw e;
      }
    }
  };

  /**
   * Waits until the quick input we filled with `value` has gone: hidden, or reused by the next prompt (a command
   * that asks with showInputBox reopens the same widget at once, so "hidden" alone may never be seen).
   */
  const quickInputDone = async (value: string) => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const visible = await quickInput.isVisible().catch(() => false);
      if (!visible) return;
      const current = await quickInputBox.inputValue({ timeout: 1000 }).catch(() => undefined);
      if (current !== undefined && current !== value) return;
      await sleep(50);
    }
    throw new Error(`the quick input still shows "${value}" 10 s after Enter`);
  };

  const rowsFor = (text: string): Locator => quickInput.locator('.quick-input-list .monaco-list-row').filter({ hasText: text });

  const vs: VsCode = {
    page: p,
    context: context,
    url: server.url,
    port: server.port,
    runDir,
    workspaceDir,
    userDataDir: dirs.userData,
    logFile,

    async showCommand(title, timeoutMs = 30_000) {
      // Right after start the palette may open before the extension's commands are registered, and an open
      // palette does not pick them up later: reopen it until the row shows.
      const deadline = Date.now() + timeoutMs;
      const exact = p.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) });
      for (;;) {
        await openQuickInput('F1', `>${title}`);
        const row = rowsFor(title).filter({ has: exact }).first();
        try {
          await row.waitFor({ state: 'visible', timeout: Math.max(1000, Math.min(4000, deadline - Date.now())) });
          return row;
        } catch (error) {
          if (Date.now() >= deadline) {
            const shown = await quickInput.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts().catch(() => []);
            throw new Error(`command "${title}" not in the palette after ${timeoutMs / 1000} s; it showed ${JSON.stringify(shown)}`, { cause: error });
          }
        }
      }
    },

    async runCommand(title) {
      const row = await vs.showCommand(title);
      await row.click();
      await quickInputDone(`>${title}`);
    },

    async paletteEntries(text) {
      await openQuickInput('F1', `>${text}`);
      await rowsFor(text).first().waitFor({ state: 'visible' }).catch(() => undefined);
      const labels = await quickInput.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
      return labels.map((l) => l.replace(/\s+/g, ' ').trim());
    },

    async answerInput(text) {
      await quickInputBox.waitFor({ state: 'visible' });
      await quickInputBox.fill(text);
      await p.keyboard.press('Enter');
      await quickInputDone(text);
    },

    async openFile(relPath) {
      await openQuickInput('Control+P', relPath);
      const base = path.basename(relPath);
      const row = rowsFor(base);
      await row.first().waitFor({ state: 'visible' });
      await p.keyboard.press('Enter');
      await p.locator('.tabs-container .tab.active', { hasText: base }).first().waitFor({ state: 'visible' });
      await p.locator('.editor-group-container.active .editor-instance .view-lines').first().waitFor({ state: 'visible' });
    },

    async webviewFrame(marker, opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
      for (;;) {
        for (const frame of p.frames()) {
          const parent = frame.parentFrame();
          if (!parent || frame.isDetached()) continue;
          const parentUrl = parent.url();
          if (!parentUrl.includes(`extensionId=${EXTENSION_ID}`)) continue;
          if (opts.view !== undefined && parentUrl.includes('purpose=webviewView') !== opts.view) continue;
          try {
            if ((await frame.locator(marker).count()) > 0) return frame;
          } catch {
            // the frame navigated or went away while we looked
          }
        }
        if (Date.now() > deadline) {
          throw new Error(`no ${opts.view ? 'webview view' : 'webview'} of ${EXTENSION_ID} showed "${marker}" within ${(opts.timeoutMs ?? 30_000) / 1000} s`);
        }
        await sleep(250);
      }
    },

    async editorText() {
      const lines = p.locator('.editor-group-container.active .editor-instance .view-lines').first();
      return (await lines.innerText()).replace(/\u00a0/g, ' ');
    },

    async screenshot(shotName) {
      fs.mkdirSync(screenshotsDir, { recursive: true });
      const file = path.join(screenshotsDir, `${shotName.replace(/[^\w.-]+/g, '_')}.png`);
      await p.screenshot({ path: file });
      return file;
    },

    saveFailureArtifacts,
    stop,

    async restartServer() {
      const port = server!.port;
      await server!.kill();
      server = await startCodeServer({ codeServerBin, runDir, userDataDir: dirs.userData, extensionsDir: dirs.extensions, workspaceDir, env, logFile, port });
      await p.goto(`${server.url}/?folder=${encodeURI(workspaceDir)}`);
      await p.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await p.locator('.part.statusbar').waitFor({ timeout: 60_000 });
    },
  };
  log(`VS Code ready at ${server.url} in ${((Date.now() - started) / 1000).toFixed(1)} s (run dir ${runDir})`);
  return vs;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Starts VS Code, runs `body`, and stops it. On failure the code-server log, VS Code's logs and a screenshot are
 * kept under test-results/e2e-failures/ and the error is rethrown; on success the run dir is removed
 * (set CODE_TUTOR_E2E_KEEP=1 to keep it).
 */
export async function withVsCode<T>(options: StartOptions, body: (vs: VsCode) => Promise<T>): Promise<T> {
  const vs = await startVsCode(options);
  let ok = false;
  try {
    const result = await body(vs);
    ok = true;
    return result;
  } catch (error) {
    await vs.saveFailureArtifacts(options.name ?? 'failure');
    throw error;
  } finally {
    await vs.stop();
    if (ok && !process.env.CODE_TUTOR_E2E_KEEP) fs.rmSync(vs.runDir, { recursive: true, force: true });
  }
}

/** A folder under the run dir or /tmp for a test's own files. */
export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}
