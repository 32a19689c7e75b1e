/**
 * The host's side of the webview benchmark, run in a dedicated Worker of the page (bundled for the browser): it
 * paces the deltas and passes them through the extension's own EventBatcher, so the page receives what the host
 * really posts — one `events` message per ~16 ms frame, with the deltas of one item joined. In VS Code the host runs
 * in another process; a worker keeps the pacing (a timer task every millisecond) off the page's main thread, whose
 * time is what the benchmark measures. The page relays each message to its window, as VS Code's webview frame does.
 */
import type { HostToWebview, LiveMessage } from '../../src/shared/protocol';
import { EventBatcher } from '../../src/views/eventBatcher';

export interface DriveRequest {
  readonly text: string;
  readonly cuts: readonly number[];
  readonly rate: number;
}

/** The worker's last message: every batch has been posted. */
export interface DriveDone {
  readonly driverDone: true;
  readonly messages: number;
}

const scope = self as unknown as { onmessage: ((e: MessageEvent<DriveRequest>) => void) | null; postMessage(m: HostToWebview | DriveDone): void };

scope.onmessage = (e) => {
  const { text, cuts, rate } = e.data;
  let messages = 0;
  const batcher = new EventBatcher({
    post: (m) => {
      messages++;
      scope.postMessage(m);
    },
    snapshot: () => undefined,
  });
  const push = (m: LiveMessage) => batcher.push(m);
  const t0 = performance.now();
  let i = 0;
  let last = 0;
  const pump = () => {
    const due = Math.min(cuts.length, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
    for (; i < due; i++) {
      push({ type: 'event', turnId: 't1', event: { kind: 'text.delta', id: 'm1', delta: text.slice(last, cuts[i]) } });
      last = cuts[i];
    }
    if (i < cuts.length) {
      setTimeout(pump, 1);
      return;
    }
    push({ type: 'event', turnId: 't1', event: { kind: 'text.done', id: 'm1', text } });
    push({ type: 'event', turnId: 't1', event: { kind: 'run.finished', status: 'completed' } });
    batcher.flush();
    scope.postMessage({ driverDone: true, messages });
  };
  pump();
};
