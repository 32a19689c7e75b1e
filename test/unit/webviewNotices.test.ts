/**
 * The webview's share of issue 9: a refused answer is shown as the tutor's answer with a refusal mark, and a request
 * waiting to be retried shows a passing notice that goes away when the answer comes. Real rendering code in happy-dom.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { domWindow } from './support/happyDom';
import { uiStringKeys, type HostToWebview, type UiStrings } from '../../src/shared/protocol';
import { emptyTranscript } from '../../src/shared/transcript';
import type { ChatViewDeps } from './support/chatHarness';

interface ChatViewLike {
  handle(m: HostToWebview): void;
}
let ChatView: new (deps: ChatViewDeps) => ChatViewLike;

before(async () => {
  ({ ChatView } = await import(join(__dirname, '../../webview/render/chatView.ts')));
});

const strings = { ...(Object.fromEntries(uiStringKeys.map((k) => [k, `«${k}»`])) as UiStrings), retrying: 'Retry ({0}) in {1} s, attempt {2}' };

it('a refusal is marked, and a retry notice shows while waiting and goes when the answer comes', () => {
  const window = domWindow();
  const doc = window.document;
  const root = doc.createElement('div');
  doc.body.append(root);
  let queued: Array<() => void> = [];
  const view = new ChatView({ doc, root, post: () => undefined, now: () => 0, requestFrame: (cb) => queued.push(cb), reducedMotion: () => true });
  const frame = () => {
    const q = queued;
    queued = [];
    for (const cb of q) cb();
  };
  view.handle({ type: 'snapshot', chat: { chatId: 'c', turns: [], runningTurnId: null }, strings, settings: { typewriter: false } });
  view.handle({ type: 'turnStarted', turn: { id: 't1', question: { text: 'q' }, run: emptyTranscript } });
  view.handle({ type: 'event', turnId: 't1', event: { kind: 'run.retrying', attempt: 1, delayMs: 2400, reason: 'HTTP 503' } });
  frame();
  assert.equal(doc.querySelector('.run-retrying')?.textContent, 'Retry (HTTP 503) in 2 s, attempt 1');
  assert.equal(doc.querySelector('.run-retrying')?.getAttribute('role'), 'status');
  view.handle({ type: 'event', turnId: 't1', event: { kind: 'text.delta', id: 'm:0', delta: 'I can’t help with that.', refusal: true } });
  frame();
  assert.equal(doc.querySelector('.run-retrying'), null, 'the notice goes when the answer comes');
  const text = doc.querySelector('.md-text') as unknown as HTMLElement;
  assert.equal(text.dataset.refusal, '«refusal»');
  assert.match(text.textContent ?? '', /I can’t help with that\./);
  view.handle({ type: 'event', turnId: 't1', event: { kind: 'run.finished', status: 'completed' } });
  frame();
  assert.equal(doc.querySelectorAll('.md-text').length, 1);
});
