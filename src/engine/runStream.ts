/**
 * The documented way to embed the engine: one run, observed through handlers that get the delta AND the
 * accumulated snapshot (in the spirit of openai-python's AssistantEventHandler), or consumed by iteration over
 * every event or over text deltas only, with the final transcript at the end.
 *
 *   const run = RunStream.start(provider, { question: { text: 'What is a closure?' } })
 *     .on('textDelta', (delta) => process.stdout.write(delta))
 *     .on('codeDone', (code) => console.log(code.code));
 *   const transcript = await run.done();
 */
import type { CodeOutput, RunError, StreamEvent } from '../shared/events';
import { type CodeItem, type RunTranscript, type TextItem, type ToolItem, emptyTranscript, itemById, itemCount, reduce } from '../shared/transcript';
import type { Provider, RunRequest } from './provider';

export interface RunHandlers {
  /** Every event, with the transcript after it. */
  event: (event: StreamEvent, snapshot: RunTranscript) => void;
  textCreated: (text: TextItem) => void;
  textDelta: (delta: string, snapshot: TextItem) => void;
  textDone: (text: TextItem) => void;
  codeCreated: (code: CodeItem) => void;
  codeDelta: (delta: string, snapshot: CodeItem) => void;
  /** The full code is known (it may still run). */
  codeDone: (code: CodeItem) => void;
  codeStatus: (code: CodeItem) => void;
  /** One output of a code block: logs, an image (the image-file-done of the Assistants helpers), a file. */
  output: (output: CodeOutput, snapshot: CodeItem) => void;
  toolCallCreated: (call: ToolItem) => void;
  toolCallDone: (call: ToolItem) => void;
  /** The run ended, however it ended. */
  end: (transcript: RunTranscript) => void;
  /** The run failed (also reported through `end`). */
  error: (error: RunError) => void;
  /** No event arrived for `idleTimeoutMs`; the run is then cancelled with a network error. */
  timeout: () => void;
}

type HandlerMap = { [K in keyof RunHandlers]: Array<RunHandlers[K]> };

export interface RunStreamOptions {
  readonly signal?: AbortSignal;
  /** Give up when the server says nothing for this long (default: never). */
  readonly idleTimeoutMs?: number;
}

export class RunStream implements AsyncIterable<StreamEvent> {
  private readonly handlers: Partial<HandlerMap> = {};
  private readonly log: StreamEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly controller = new AbortController();
  private snapshot: RunTranscript = emptyTranscript;
  private finished = false;
  private timedOut = false;
  private readonly final: Promise<RunTranscript>;

  /** Start a run now. Handlers added in the same tick see every event. */
  static start(provider: Provider, request: RunRequest, options: RunStreamOptions = {}): RunStream {
    return new RunStream(provider.stream.bind(provider), request, options);
  }

  /** Also usable with any event source (a recorded list, a test double of a provider). */
  constructor(
    source: (request: RunRequest, signal: AbortSignal) => AsyncIterable<StreamEvent>,
    request: RunRequest,
    private readonly options: RunStreamOptions = {},
  ) {
    if (options.signal) {
      if (options.signal.aborted) this.controller.abort();
      else options.signal.addEventListener('abort', () => this.controller.abort(), { once: true });
    }
    this.final = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => this.pump(source(request, this.controller.signal)));
  }

  on<K extends keyof RunHandlers>(name: K, handler: RunHandlers[K]): this {
    ((this.handlers[name] ??= []) as Array<RunHandlers[K]>).push(handler);
    return this;
  }

  /** Stop the run: the HTTP stream is aborted at once and the run ends `cancelled`, keeping what arrived. */
  abort(): void {
    this.controller.abort();
  }

  /** The transcript so far. */
  get transcript(): RunTranscript {
    return this.snapshot;
  }

  /** The final transcript, once the run ended (never rejects). */
  done(): Promise<RunTranscript> {
    return this.final;
  }

  /** Every event, from the first, whenever iteration starts. */
  async *[Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    let i = 0;
    for (;;) {
      while (i < this.log.length) yield this.log[i++];
      if (this.finished) return;
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  /** Only the explanation's text deltas. */
  async *textDeltas(): AsyncGenerator<string> {
    for await (const e of this) if (e.kind === 'text.delta') yield e.delta;
  }

  private emit<K extends keyof RunHandlers>(name: K, ...args: Parameters<RunHandlers[K]>): void {
    for (const h of this.handlers[name] ?? []) {
      try {
        (h as (...a: Parameters<RunHandlers[K]>) => void)(...args);
      } catch {
        // A handler's bug must not kill the run.
      }
    }
  }

  private async pump(events: AsyncIterable<StreamEvent>): Promise<RunTranscript> {
    let idle: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      if (!this.options.idleTimeoutMs) return;
      clearTimeout(idle);
      idle = setTimeout(() => {
        this.timedOut = true;
        this.emit('timeout');
        this.controller.abort();
      }, this.options.idleTimeoutMs);
    };
    arm();
    try {
      for await (let e of events) {
        arm();
        if (e.kind === 'run.finished' && e.status === 'cancelled' && this.timedOut) {
          e = { kind: 'run.finished', status: 'failed', error: { kind: 'network', message: `no data from the server for ${this.options.idleTimeoutMs} ms` } };
        }
        this.accept(e);
        if (this.finished) break;
      }
    } catch (err) {
      // Providers end with run.finished themselves; this is the safety net for one that throws.
      if (!this.finished) this.accept({ kind: 'run.finished', status: 'failed', error: { kind: 'protocol', message: err instanceof Error ? err.message : String(err) } });
    } finally {
      clearTimeout(idle);
    }
    if (!this.finished) {
      const cancelled = this.controller.signal.aborted && !this.timedOut;
      this.accept(
        cancelled
          ? { kind: 'run.finished', status: 'cancelled' }
          : { kind: 'run.finished', status: 'failed', error: { kind: 'protocol', message: 'the stream ended before the run finished' } },
      );
    }
    return this.snapshot;
  }

  private accept(e: StreamEvent): void {
    const before = this.snapshot;
    this.snapshot = reduce(before, e);
    this.log.push(e);
    if (e.kind === 'run.finished') this.finished = true;
    this.dispatch(e, before, this.snapshot);
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  private dispatch(e: StreamEvent, before: RunTranscript, after: RunTranscript): void {
    this.emit('event', e, after);
    // By id through the reducer's index: reading `items` would build the whole list on every event.
    const item = 'id' in e ? itemById(after, e.id) : undefined;
    const existed = item !== undefined && itemCount(before) === itemCount(after);
    if (item?.type === 'text') {
      if (!existed) this.emit('textCreated', item);
      if (e.kind === 'text.delta') this.emit('textDelta', e.delta, item);
      if (e.kind === 'text.done') this.emit('textDone', item);
    } else if (item?.type === 'code') {
      if (!existed) this.emit('codeCreated', item);
      if (e.kind === 'code.delta') this.emit('codeDelta', e.delta, item);
      if (e.kind === 'code.done') this.emit('codeDone', item);
      if (e.kind === 'code.status') this.emit('codeStatus', item);
      if (e.kind === 'code.output') this.emit('output', e.output, item);
    } else if (item?.type === 'tool') {
      if (e.kind === 'tool.call') this.emit('toolCallCreated', item);
      if (e.kind === 'tool.result') this.emit('toolCallDone', item);
    }
    if (e.kind === 'run.finished') {
      if (e.error) this.emit('error', e.error);
      this.emit('end', after);
    }
  }
}
