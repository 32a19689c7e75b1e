/**
 * The Pyodide runtime behind `run_python`: one worker thread per chat, so each chat keeps its own Python namespace.
 * The worker starts when the interpreter is created (or on `warm()`), so the few seconds of cold start are spent
 * while the model is still writing. A runaway cell is interrupted (KeyboardInterrupt through the shared interrupt
 * buffer) at the time limit or on Stop, and again while the code runs on; if its code has not ended within the grace
 * period (and a last interrupt) the worker is terminated and a fresh one started, and the learner and the model are told that the state is gone. Whether the code has ended
 * is read from shared memory, not from the reply, so a host that was too busy to read the reply in time does not
 * throw the state away.
 */
import { Worker } from 'node:worker_threads';
import type { CodeOutput } from '../../../shared/events';
import type { LocalInterpreter, RunCodeResult, RunCodeStatus } from '../localInterpreter';
import { interpreterMessages, format, type InterpreterMessages } from '../interpreterMessages';
import { DEFAULT_OUTPUT_LIMITS, OutputCollector, type OutputLimits } from '../outputCollector';
import { defaultPyodidePaths } from './pyodidePaths';
import type { HostToWorker, PyodideWorkerInit, WorkerToHost } from './workerProtocol';

export interface PyodideInterpreterOptions {
  /** dist/pyodideWorker.js (bundled) or the .ts source under tsx; default: found next to this module. */
  readonly workerPath?: string;
  /** The folder of the Pyodide core files; default: dist/pyodide or node_modules/pyodide. */
  readonly indexURL?: string;
  /** Installed wheels (global storage), with their pyodide-lock.json. */
  readonly packagesDir?: string;
  /** A cell is interrupted after this long (default 60 s). */
  readonly timeLimitMs?: number;
  /** After an interrupt, how long to wait before terminating the worker (default 3 s). */
  readonly interruptGraceMs?: number;
  /** WebAssembly memory cap (default 1024 MiB); the JS heap of the worker is capped at a quarter of it. */
  readonly memoryLimitMb?: number;
  readonly outputLimits?: Partial<OutputLimits>;
  /** `vscode.env.language` or a POSIX locale, for the notes. */
  readonly locale?: string;
}

interface Pending {
  readonly id: number;
  readonly collector: OutputCollector;
  resolve(m: Extract<WorkerToHost, { type: 'done' }> | { type: 'lost'; reason: string }): void;
}

/** One live worker and what belongs to it. */
interface Session {
  readonly worker: Worker;
  readonly interrupt: Uint8Array;
  /** The id of the last cell whose code has ended (written by the worker). */
  readonly ended: Int32Array;
  readonly ready: Promise<void>;
  pending?: Pending;
  exited: boolean;
}

export class PyodideInterpreter implements LocalInterpreter {
  readonly runtime = 'pyodide' as const;
  private session: Session | undefined;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private readonly messages: InterpreterMessages;
  private readonly limits: OutputLimits;
  private readonly paths: { workerPath: string; indexURL: string };

  constructor(private readonly options: PyodideInterpreterOptions = {}) {
    this.messages = interpreterMessages(options.locale);
    this.limits = { ...DEFAULT_OUTPUT_LIMITS, ...options.outputLimits };
    const found = options.workerPath && options.indexURL ? undefined : defaultPyodidePaths();
    this.paths = { workerPath: options.workerPath ?? found!.workerPath, indexURL: options.indexURL ?? found!.indexURL };
  }

  /** Starts Python now (if it is not running) and resolves when it is ready. */
  warm(): Promise<void> {
    return this.ensure().ready;
  }

  run(code: string, onOutput: (output: CodeOutput) => void, signal?: AbortSignal): Promise<RunCodeResult> {
    const result = this.queue.then(() => this.runNow(code, onOutput, signal));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async reset(): Promise<void> {
    const next = this.queue.then(async () => {
      const s = this.session;
      if (!s || s.exited) return;
      try {
        await s.ready;
      } catch {
        return;
      }
      await this.exchange(s, { type: 'reset', id: this.nextId++ }, new OutputCollector(() => undefined, this.messages, this.limits));
    });
    this.queue = next.catch(() => undefined);
    await next;
  }

  dispose(): void {
    this.disposed = true;
    const s = this.session;
    this.session = undefined;
    if (s) void s.worker.terminate();
  }

  private ensure(): Session {
    if (this.disposed) throw new Error('The interpreter was disposed');
    if (this.session && !this.session.exited) return this.session;
    const interruptBuffer = new SharedArrayBuffer(1);
    const endedBuffer = new SharedArrayBuffer(4);
    const memoryLimitMb = this.options.memoryLimitMb ?? 1024;
    const init: PyodideWorkerInit = {
      indexURL: this.paths.indexURL.endsWith('/') ? this.paths.indexURL : this.paths.indexURL + '/',
      packagesDir: this.options.packagesDir,
      interruptBuffer,
      endedBuffer,
      memoryLimitMb,
      outputLimitChars: this.limits.keepChars,
      missingPackageMessage: this.messages.missingPackage,
    };
    const fromSource = this.paths.workerPath.endsWith('.ts');
    // From the sources (unit tests) the worker is TypeScript: load it through tsx's require hook.
    const script = fromSource ? `require('tsx/cjs'); require(${JSON.stringify(this.paths.workerPath)});` : this.paths.workerPath;
    const worker = new Worker(script, {
      eval: fromSource,
      workerData: init,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(256, Math.round(memoryLimitMb / 4)) },
      stdout: true,
      stderr: true,
    });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    ready.catch(() => undefined);
    const session: Session = { worker, interrupt: new Uint8Array(interruptBuffer), ended: new Int32Array(endedBuffer), ready, exited: false };
    // Held (keeps a CLI process alive) only while starting or running a cell; idle, it never holds the process open.
    ready.then(
      () => session.pending || worker.unref(),
      () => undefined,
    );
    worker.on('message', (m: WorkerToHost) => {
      const p = session.pending;
      switch (m.type) {
        case 'ready':
          readyResolve();
          break;
        case 'initFailed':
          readyReject(new Error(m.message));
          break;
        case 'stream':
          p?.collector.text(m.text);
          break;
        case 'image':
          p?.collector.output({ type: 'image', mime: m.mime, base64: m.base64 });
          break;
        case 'file':
          p?.collector.output(m.base64 ? { type: 'file', name: m.name, mime: m.mime, bytes: m.bytes, base64: m.base64 } : { type: 'file', name: m.name, mime: m.mime, bytes: m.bytes });
          break;
        case 'done':
          if (p && p.id === m.id) {
            session.pending = undefined;
            p.resolve(m);
          }
          break;
      }
    });
    const lost = (reason: string): void => {
      if (session.exited) return;
      session.exited = true;
      readyReject(new Error(reason));
      const p = session.pending;
      session.pending = undefined;
      p?.resolve({ type: 'lost', reason });
    };
    worker.on('error', (e: Error) => lost((e as Error & { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out of memory' : e.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.session = session;
    return session;
  }

  private exchange(s: Session, message: HostToWorker, collector: OutputCollector): Promise<Extract<WorkerToHost, { type: 'done' }> | { type: 'lost'; reason: string }> {
    return new Promise((resolve) => {
      s.worker.ref();
      s.pending = {
        id: message.id,
        collector,
        resolve: (m) => {
          s.worker.unref();
          resolve(m);
        },
      };
      s.worker.postMessage(message);
    });
  }

  private async runNow(code: string, onOutput: (output: CodeOutput) => void, signal?: AbortSignal): Promise<RunCodeResult> {
    const collector = new OutputCollector(onOutput, this.messages, this.limits);
    const finish = (status: RunCodeStatus, note?: string, extraChars = 0, error?: string): RunCodeResult => {
      if (error) collector.text(error.endsWith('\n') ? error : error + '\n');
      collector.finish(extraChars);
      if (note) collector.note(note);
      collector.dispose();
      const text = collector.summaryText();
      const summary = [text || (status === 'ok' ? this.messages.noOutput : ''), note ?? ''].filter(Boolean).join('\n');
      return { status, outputs: collector.outputs, summary };
    };
    if (signal?.aborted) return finish('cancelled', this.messages.cancelled);
    let s: Session;
    try {
      s = this.ensure();
      await s.ready;
    } catch (e) {
      this.session = undefined;
      return finish('error', format(this.messages.startFailed, e instanceof Error ? e.message : String(e)));
    }
    if (signal?.aborted) return finish('cancelled', this.messages.cancelled);

    const timeLimitMs = this.options.timeLimitMs ?? 60_000;
    const graceMs = this.options.interruptGraceMs ?? 3_000;
    let why: 'timeout' | 'cancelled' | undefined;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    let killed = false;
    const id = this.nextId++;
    let extended = false;
    let retried = false;
    let nudge: ReturnType<typeof setInterval> | undefined;
    const ended = (): boolean => Atomics.load(s.ended, 0) === id;
    // Python took the interrupt (the byte is back to 0) but the code runs on: it was lost on the way (under load it
    // can be taken inside print's flush) or the code caught it. Interrupt again.
    const interruptAgain = (): void => {
      if (!ended() && Atomics.load(s.interrupt, 0) === 0) Atomics.store(s.interrupt, 0, 2);
    };
    const kill = (): void => {
      if (ended()) {
        // The code has ended and its reply is on the way (its files are being gathered, or this thread was busy):
        // wait once more, then end a worker that is stuck after the code all the same.
        if (!extended) {
          extended = true;
          killTimer = setTimeout(kill, graceMs);
          return;
        }
      } else if (!retried) {
        // This thread may have been too busy to interrupt again during the grace period: one more try.
        retried = true;
        interruptAgain();
        killTimer = setTimeout(kill, Math.min(graceMs, 1_000));
        return;
      }
      killed = true;
      void s.worker.terminate();
    };
    const stop = (reason: 'timeout' | 'cancelled'): void => {
      if (why) return;
      why = reason;
      Atomics.store(s.interrupt, 0, 2); // SIGINT → KeyboardInterrupt at the next bytecode check
      nudge = setInterval(interruptAgain, 200);
      killTimer = setTimeout(kill, graceMs);
    };
    // Cleared here, before the cell is posted, so a Stop that comes before the worker starts the cell still counts
    // (and an interrupt left over from the previous cell does not stop this one).
    Atomics.store(s.interrupt, 0, 0);
    const limitTimer = setTimeout(() => stop('timeout'), timeLimitMs);
    const onAbort = (): void => stop('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    const reply = await this.exchange(s, { type: 'run', id, code }, collector);
    clearTimeout(limitTimer);
    if (killTimer) clearTimeout(killTimer);
    if (nudge) clearInterval(nudge);
    signal?.removeEventListener('abort', onAbort);

    if (reply.type === 'lost') {
      this.session = undefined;
      if (!this.disposed) void this.ensure().ready.catch(() => undefined); // a fresh Python for the next cell
      const secs = Math.round(timeLimitMs / 1000);
      if (killed || why) {
        const first = why === 'cancelled' ? this.messages.cancelled : format(this.messages.timedOut, secs);
        return finish(why ?? 'timeout', `${first} ${this.messages.restarted}`);
      }
      const reason = reply.reason === 'out of memory' ? format(this.messages.memory, this.options.memoryLimitMb ?? 1024) : reply.reason;
      return finish('error', format(this.messages.crashed, reason));
    }
    if (why && reply.status === 'interrupted') {
      const note = why === 'cancelled' ? this.messages.cancelled : format(this.messages.timedOut, Math.round(timeLimitMs / 1000));
      return finish(why, note, reply.outputChars);
    }
    if (reply.status === 'ok') return finish('ok', undefined, reply.outputChars);
    const memory = reply.error && /MemoryError/.test(reply.error) ? format(this.messages.memory, this.options.memoryLimitMb ?? 1024) : undefined;
    return finish('error', memory, reply.outputChars, reply.error);
  }
}
