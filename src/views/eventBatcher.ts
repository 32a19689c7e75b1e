/**
 * Host → webview coalescing: a chat's live messages (turn started, stream events) are queued and posted as one
 * `events` message at most once per frame (~16 ms), in order. The first message after a quiet frame goes out at once
 * (after the current task, so a burst of events stays one message): a stream of ordinary token pace is never held
 * back by a frame it does not need. Posting one message per delta made a third of the
 * webview's time go to task overhead and deserialization. A hidden view gets nothing queued: when it shows again
 * it gets a snapshot, never a backlog. Consecutive deltas of one item (text, code, thinking) in a batch become one
 * delta with their text joined, so the webview's work per frame follows what changed, not how finely the server cut
 * it (a frame at 2,000 deltas a second carries ~33). No `vscode` import, so the unit tests and the benchmark drive it as it is.
 */
import type { StreamEvent } from '../shared/events';
import type { HostToWebview, LiveMessage } from '../shared/protocol';

export interface EventBatcherOptions {
  /** Sends one message to the webview. */
  readonly post: (m: HostToWebview) => void;
  /** Sends a full snapshot (the view was hidden while things happened). */
  readonly snapshot: () => void;
  readonly frameMs?: number;
  readonly setTimer?: (cb: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
  /** Milliseconds on a monotonic clock. */
  readonly now?: () => number;
}

export class EventBatcher {
  private queue: LiveMessage[] = [];
  private timer: unknown;
  private visible = true;
  private stale = false;
  private readonly frameMs: number;
  private readonly setTimer: (cb: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly now: () => number;
  private lastPost = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: EventBatcherOptions) {
    this.frameMs = options.frameMs ?? 16;
    this.setTimer = options.setTimer ?? ((cb, ms) => setTimeout(cb, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.now = options.now ?? (() => performance.now());
  }

  /** Queue a live message; it goes out with the others of this frame. */
  push(m: LiveMessage): void {
    if (!this.visible) {
      this.stale = true;
      return;
    }
    this.queue.push(m);
    if (this.timer === undefined) this.timer = this.setTimer(() => this.flush(), Math.max(0, this.lastPost + this.frameMs - this.now()));
  }

  /** Send what is queued now (before a message that must come after it, e.g. a notice). */
  flush(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const messages = coalesceDeltas(this.queue);
    this.queue = [];
    this.lastPost = this.now();
    this.options.post(messages.length === 1 ? messages[0] : { type: 'events', messages });
  }

  /** A snapshot is about to be sent: it holds everything queued, so drop the queue. */
  discard(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.stale = false;
  }

  /** The view was hidden or shown. Shown after missing messages: a snapshot instead of the backlog. */
  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (!visible) {
      const missed = this.queue.length > 0;
      this.discard();
      this.stale = missed;
      return;
    }
    if (this.stale) {
      this.stale = false;
      this.options.snapshot();
    }
  }

  dispose(): void {
    this.discard();
  }
}

type DeltaEvent = Extract<StreamEvent, { kind: 'text.delta' | 'code.delta' | 'thinking.delta' }>;

type DeltaMessage = LiveMessage & { type: 'event'; event: DeltaEvent };

function isDelta(m: LiveMessage): m is DeltaMessage {
  return m.type === 'event' && (m.event.kind === 'text.delta' || m.event.kind === 'code.delta' || m.event.kind === 'thinking.delta');
}

/** The same item of the same turn, the same kind of delta, and the same refusal flag. */
function joinable(a: DeltaMessage, b: DeltaMessage): boolean {
  const x = a.event;
  const y = b.event;
  return a.turnId === b.turnId && x.kind === y.kind && x.id === y.id && (x.kind === 'text.delta' && x.refusal) === (y.kind === 'text.delta' && y.refusal);
}

/** Join runs of deltas to the same item (see `joinable`); everything else as it is, in order. */
export function coalesceDeltas(queue: readonly LiveMessage[]): LiveMessage[] {
  const out: LiveMessage[] = [];
  /** The delta message last put out, and the deltas joined into it. */
  let open: { at: DeltaMessage; index: number; parts: string[] } | undefined;
  const seal = () => {
    if (open && open.parts.length > 1) out[open.index] = { ...open.at, event: { ...open.at.event, delta: open.parts.join('') } };
    open = undefined;
  };
  for (const m of queue) {
    if (open && isDelta(m) && joinable(open.at, m)) {
      open.parts.push(m.event.delta);
      continue;
    }
    seal();
    out.push(m);
    if (isDelta(m)) open = { at: m, index: out.length - 1, parts: [m.event.delta] };
  }
  seal();
  return out;
}
