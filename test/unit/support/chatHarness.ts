/**
 * The real chat view (webview/render/chatView.ts) in a happy-dom window (made spec-correct for DOMPurify), with
 * frames run by hand and the messages it posts collected. The DOM modules are loaded by path so that this file's
 * type check (Node types, no DOM lib) does not pull them in.
 */
import { join } from 'node:path';
import type { StreamEvent } from '../../../src/shared/events';
import { uiStringKeys, type HostToWebview, type Turn, type UiStrings, type WebviewToHost } from '../../../src/shared/protocol';
import { emptyTranscript } from '../../../src/shared/transcript';
import { domWindow } from './happyDom';

interface ChatViewLike {
  handle(m: HostToWebview): void;
  flush(): void;
}
/** What the real ChatView is built with (webview/main.ts passes the browser's; tests pass their own clock and frames). */
export interface ChatViewDeps {
  doc: unknown;
  root: unknown;
  post: (m: WebviewToHost) => void;
  now: () => number;
  requestFrame: (cb: () => void) => void;
  reducedMotion: () => boolean;
}

type ChatViewCtor = new (deps: ChatViewDeps) => ChatViewLike;

let ctor: ChatViewCtor | undefined;
export async function loadChatView(): Promise<void> {
  ({ ChatView: ctor } = (await import(join(__dirname, '../../../webview/render/chatView.ts'))) as { ChatView: ChatViewCtor });
}

export const strings = Object.fromEntries(uiStringKeys.map((k) => [k, `«${k}»`])) as UiStrings;

export function chatHarness() {
  if (!ctor) throw new Error('call loadChatView() in before()');
  const window = domWindow();
  const doc = window.document as unknown as Document;
  const root = doc.createElement('div');
  root.id = 'code-tutor-root';
  doc.body.append(root);
  const posted: WebviewToHost[] = [];
  let clock = 0;
  let queued: Array<() => void> = [];
  const view = new ctor({
    doc,
    root,
    post: (m: WebviewToHost) => posted.push(m),
    now: () => clock,
    requestFrame: (cb: () => void) => queued.push(cb),
    reducedMotion: () => false,
  });
  view.handle({ type: 'snapshot', chat: { chatId: 'c1', turns: [], runningTurnId: null }, strings, settings: { typewriter: false } });
  return {
    window,
    doc,
    root,
    posted,
    frame(ms = 16) {
      for (let i = 0; i < 50 && queued.length > 0; i++) {
        clock += ms;
        const q = queued;
        queued = [];
        for (const cb of q) cb();
      }
    },
    start(id: string, text = 'Explain this') {
      view.handle({ type: 'turnStarted', turn: { id, question: { text }, run: emptyTranscript } });
    },
    turn(turn: Turn) {
      view.handle({ type: 'turnStarted', turn });
    },
    event(turnId: string, event: StreamEvent) {
      view.handle({ type: 'event', turnId, event });
    },
    /** Any message from the host, as it arrives (already checked). */
    send(m: HostToWebview) {
      view.handle(m);
    },
    notice(text: string) {
      view.handle({ type: 'notice', level: 'error', text, actions: [] });
    },
  };
}
export type ChatHarness = ReturnType<typeof chatHarness>;
