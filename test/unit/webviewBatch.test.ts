/**
 * The webview applies a host `events` batch exactly as it would the same messages one by one (the host coalesces a
 * chat's live messages into one message per frame). DOM modules are loaded by path, as in webviewRender.test.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { domWindow } from './support/happyDom';
import { type HostToWebview, type LiveMessage, type UiStrings, isHostToWebview, uiStringKeys } from '../../src/shared/protocol';
import { emptyTranscript } from '../../src/shared/transcript';

interface ChatViewLike {
  handle(m: HostToWebview): void;
  flush(): void;
}
let ChatView: new (deps: unknown) => ChatViewLike;
before(async () => {
  ({ ChatView } = await import(join(__dirname, '../../webview/render/chatView.ts')));
});

const strings = Object.fromEntries(uiStringKeys.map((k) => [k, `«${k}»`])) as UiStrings;

function view() {
  const window = domWindow();
  const doc = window.document;
  const root = doc.createElement('div');
  doc.body.append(root);
  const v = new ChatView({ doc, root, post: () => undefined, now: () => 0, requestFrame: () => undefined, reducedMotion: () => true });
  v.handle({ type: 'snapshot', chat: { chatId: 'c1', turns: [], runningTurnId: null }, strings, settings: { typewriter: false } });
  return { v, root };
}

const live: LiveMessage[] = [
  { type: 'turnStarted', turn: { id: 't1', question: { text: 'Why?' }, run: emptyTranscript } },
  { type: 'event', turnId: 't1', event: { kind: 'text.delta', id: 'm1', delta: 'Because **lists** ' } },
  { type: 'event', turnId: 't1', event: { kind: 'text.delta', id: 'm1', delta: 'are ordered.\n\n- one\n' } },
  { type: 'event', turnId: 't1', event: { kind: 'code.started', id: 'c1', language: 'python' } },
  { type: 'event', turnId: 't1', event: { kind: 'code.delta', id: 'c1', delta: 'print(1)' } },
  { type: 'event', turnId: 't1', event: { kind: 'code.output', id: 'c1', output: { type: 'logs', text: '1\n' } } },
  { type: 'event', turnId: 't1', event: { kind: 'run.finished', status: 'completed' } },
];

test('a batch renders the same DOM as its messages one by one', () => {
  const one = view();
  for (const m of live) one.v.handle(m);
  one.v.flush();
  const batched = view();
  const batch: HostToWebview = { type: 'events', messages: live };
  assert.ok(isHostToWebview(batch));
  batched.v.handle(batch);
  batched.v.flush();
  assert.equal(batched.root.innerHTML, one.root.innerHTML);
  assert.match(batched.root.textContent ?? '', /Because lists are ordered\./);
  assert.match(batched.root.textContent ?? '', /print\(1\)/);
  assert.equal(batched.root.querySelector('.turn')?.getAttribute('data-status'), 'completed');
});
