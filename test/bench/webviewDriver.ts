/**
 * The host's side of the webview benchmark (bundled for the browser with the page): the extension's own
 * EventBatcher, so the page receives what the host really posts — one `events` message per ~16 ms frame, with the
 * deltas of one item joined — instead of one message per delta.
 */
import type { HostToWebview, LiveMessage } from '../../src/shared/protocol';
import { EventBatcher } from '../../src/views/eventBatcher';

declare global {
  interface Window {
    hostBatcher(post: (m: HostToWebview) => void): { push(m: LiveMessage): void; flush(): void };
  }
}

window.hostBatcher = (post) => new EventBatcher({ post, snapshot: () => undefined });
