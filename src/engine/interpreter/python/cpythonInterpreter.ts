/**
 * The opt-in second runtime: the learner's own Python (real numpy, matplotlib, whatever they installed). Nothing runs
 * without consent: every cell is shown to `confirm` first (Run / Skip / Always for this chat). A long-lived driver
 * process (driverSource.ts) keeps the namespace between cells; it runs in a temporary folder, in its own process
 * group, so a timeout can stop the whole tree: SIGINT first (KeyboardInterrupt, state kept), then SIGKILL to the
 * group and a fresh process. Files the cell writes in its folder come back as file or image outputs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { CodeOutput } from '../../../shared/events';
import type { LocalInterpreter, RunCodeResult, RunCodeStatus } from '../localInterpreter';
import { format, interpreterMessages, type InterpreterMessages } from '../interpreterMessages';
import { DEFAULT_OUTPUT_LIMITS, OutputCollector, type OutputLimits } from '../outputCollector';
import { DRIVER_SOURCE } from './driverSource';

export type Consent = 'run' | 'skip' | 'always';

export interface CPythonInterpreterOptions {
  /** Asked before each cell until it answers 'always'. */
  readonly confirm: (code: string) => Promise<Consent>;
  readonly pythonPath?: string;
  readonly timeLimitMs?: number;
  readonly interruptGraceMs?: number;
  readonly outputLimits?: Partial<OutputLimits>;
  readonly locale?: string;
}

type Frame =
  | { t: 'ready'; version: string }
  | { t: 'stream'; s: 'stdout' | 'stderr'; d: string }
  | { t: 'image'; mime: string; b64: string }
  | { t: 'done'; id: number; status: 'ok' | 'error' | 'interrupted'; error?: string | null };

interface Driver {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly ready: Promise<void>;
  onFrame?: (f: Frame) => void;
  onExit?: (reason: string) => void;
  exited: boolean;
}

const IMAGE_MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };
const FILE_LIMIT_BYTES = 25 * 1024 * 1024;

export class CPythonInterpreter implements LocalInterpreter {
  readonly runtime = 'python' as const;
  private driver: Driver | undefined;
  private always = false;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly messages: InterpreterMessages;
  private readonly limits: OutputLimits;

  constructor(private readonly options: CPythonInterpreterOptions) {
    this.messages = interpreterMessages(options.locale);
    this.limits = { ...DEFAULT_OUTPUT_LIMITS, ...options.outputLimits };
  }

  run(code: string, onOutput: (output: CodeOutput) => void, signal?: AbortSignal): Promise<RunCodeResult> {
    const result = this.queue.then(() => this.runNow(code, onOutput, signal));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async reset(): Promise<void> {
    const d = this.driver;
    if (!d || d.exited) return;
    await new Promise<void>((resolve) => {
      const id = this.nextId++;
      d.onFrame = (f) => f.t === 'done' && f.id === id && resolve();
      d.onExit = () => resolve();
      d.child.stdin?.write(JSON.stringify({ reset: true, id }) + '\n');
    });
  }

  dispose(): void {
    const d = this.driver;
    this.driver = undefined;
    if (d) this.kill(d);
  }

  private start(): Driver {
    if (this.driver && !this.driver.exited) return this.driver;
    const dir = mkdtempSync(join(tmpdir(), 'code-tutor-python-'));
    const child = spawn(this.options.pythonPath ?? 'python3', ['-u', '-c', DRIVER_SOURCE], {
      cwd: dir,
      detached: true, // its own process group: a timeout kills everything the cell started
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, MPLBACKEND: 'Agg', PYTHONIOENCODING: 'utf-8', PYTHONUNBUFFERED: '1' },
    });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    ready.catch(() => undefined);
    const d: Driver = { child, dir, ready, exited: false };
    createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
      let f: Frame;
      try {
        f = JSON.parse(line) as Frame;
      } catch {
        return;
      }
      if (f.t === 'ready') readyResolve();
      else d.onFrame?.(f);
    });
    // Output below the Python level (C extensions, child processes) arrives here, as it comes.
    const raw = (s: 'stdout' | 'stderr') => (chunk: Buffer) => d.onFrame?.({ t: 'stream', s, d: chunk.toString('utf8') });
    child.stdout?.on('data', raw('stdout'));
    let startErr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      startErr += chunk.toString('utf8');
      raw('stderr')(chunk);
    });
    const gone = (reason: string): void => {
      if (d.exited) return;
      d.exited = true;
      readyReject(new Error(startErr.trim() || reason));
      d.onExit?.(reason);
      rmSync(dir, { recursive: true, force: true });
    };
    child.on('error', (e) => gone(e.message));
    child.on('exit', (code, sig) => gone(sig ? `signal ${sig}` : `exit code ${code}`));
    this.driver = d;
    return d;
  }

  private kill(d: Driver): void {
    try {
      if (d.child.pid) process.kill(-d.child.pid, 'SIGKILL');
    } catch {
      d.child.kill('SIGKILL');
    }
  }

  private async runNow(code: string, onOutput: (output: CodeOutput) => void, signal?: AbortSignal): Promise<RunCodeResult> {
    const collector = new OutputCollector(onOutput, this.messages, this.limits);
    const finish = (status: RunCodeStatus, note?: string, error?: string): RunCodeResult => {
      if (error) collector.text(error.endsWith('\n') ? error : error + '\n');
      collector.finish();
      if (note) collector.note(note);
      collector.dispose();
      const text = collector.summaryText();
      const summary = status === 'declined' ? this.messages.declined : [text || (status === 'ok' ? this.messages.noOutput : ''), note ?? ''].filter(Boolean).join('\n');
      return { status, outputs: collector.outputs, summary };
    };
    if (signal?.aborted) return finish('cancelled', this.messages.cancelled);
    if (!this.always) {
      const answer = await this.options.confirm(code);
      if (answer === 'skip') return finish('declined', this.messages.skipped);
      if (answer === 'always') this.always = true;
    }
    if (signal?.aborted) return finish('cancelled', this.messages.cancelled);
    let d: Driver;
    try {
      d = this.start();
      await d.ready;
    } catch (e) {
      this.driver = undefined;
      return finish('error', format(this.messages.startFailed, e instanceof Error ? e.message : String(e)));
    }
    const before = snapshot(d.dir);
    const timeLimitMs = this.options.timeLimitMs ?? 60_000;
    const graceMs = this.options.interruptGraceMs ?? 3_000;
    const id = this.nextId++;
    let why: 'timeout' | 'cancelled' | undefined;
    let killed = false;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const stop = (reason: 'timeout' | 'cancelled'): void => {
      if (why) return;
      why = reason;
      try {
        process.kill(-d.child.pid!, 'SIGINT');
      } catch {
        /* already gone */
      }
      killTimer = setTimeout(() => {
        killed = true;
        this.kill(d);
      }, graceMs);
    };
    const limit = setTimeout(() => stop('timeout'), timeLimitMs);
    const onAbort = (): void => stop('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    const reply = await new Promise<Extract<Frame, { t: 'done' }> | { t: 'lost'; reason: string }>((resolve) => {
      d.onFrame = (f) => {
        if (f.t === 'stream') collector.text(f.d);
        else if (f.t === 'image') collector.output({ type: 'image', mime: f.mime, base64: f.b64 });
        else if (f.t === 'done' && (f.id === id || f.id === -1)) resolve(f);
      };
      d.onExit = (reason) => resolve({ t: 'lost', reason });
      d.child.stdin?.write(JSON.stringify({ id, code }) + '\n');
    });
    clearTimeout(limit);
    signal?.removeEventListener('abort', onAbort);
    if (killTimer) clearTimeout(killTimer);
    d.onFrame = undefined;
    d.onExit = undefined;
    if (reply.t === 'lost') {
      this.driver = undefined;
      const secs = Math.round(timeLimitMs / 1000);
      if (killed || why) {
        const first = why === 'cancelled' ? this.messages.cancelled : format(this.messages.timedOut, secs);
        return finish(why ?? 'timeout', `${first} ${this.messages.restarted}`);
      }
      return finish('error', format(this.messages.crashed, reply.reason));
    }
    for (const o of changedFiles(d.dir, before)) collector.output(o);
    if (why && reply.status === 'interrupted') {
      return finish(why, why === 'cancelled' ? this.messages.cancelled : format(this.messages.timedOut, Math.round(timeLimitMs / 1000)));
    }
    if (reply.status === 'ok') return finish('ok');
    return finish('error', undefined, reply.error ?? undefined);
  }
}

interface Stamp { readonly mtime: number; readonly size: number }

function snapshot(dir: string): Map<string, Stamp> {
  const out = new Map<string, Stamp>();
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      try {
        const st = statSync(p);
        if (st.isDirectory()) walk(p);
        else if (st.isFile()) out.set(p, { mtime: st.mtimeMs, size: st.size });
      } catch {
        /* vanished */
      }
    }
  };
  walk(dir);
  return out;
}

function changedFiles(dir: string, before: Map<string, Stamp>): CodeOutput[] {
  const out: CodeOutput[] = [];
  for (const [path, st] of snapshot(dir)) {
    const old = before.get(path);
    if (old && old.mtime === st.mtime && old.size === st.size) continue;
    const name = relative(dir, path);
    const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
    const mime = IMAGE_MIME[ext];
    if (st.size > FILE_LIMIT_BYTES) {
      out.push({ type: 'file', name, mime: mime ?? 'application/octet-stream', bytes: st.size });
      continue;
    }
    const bytes = readFileSync(path);
    out.push(mime ? { type: 'image', mime, base64: bytes.toString('base64') } : { type: 'file', name, mime: 'application/octet-stream', bytes: bytes.length, base64: bytes.toString('base64') });
  }
  return out;
}
