/**
 * The thinking block and run notices in the real chat webview renderer (happy-dom): reasoning streams into a
 * folded <details> apart from the answer, as text (never HTML), and a notice shows its localized string in order.
 * The DOM-using modules are loaded by path (type-checked by webview/tsconfig.json).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { domWindow } from './support/happyDom';
import type { StreamEvent } from '../../src/shared/events';
import { type HostToWebview, type UiStrings, uiStringKeys } from '../../src/shared/protocol';
import { emptyTranscript } from '../../src/shared/transcript';

interface ChatViewLike {
  handle(m: HostToWebview): void;
}
let ChatView: new (deps: Record<string, unknown>) => ChatViewLike;
before(async () => {
  ({ ChatView } = await import(join(__dirname, '../../webview/render/chatView.ts')));
});

const strings = Object.fromEntries(uiStringKeys.map((k) => [k, `«${k}»`])) as UiStrings;

test('reasoning streams into a closed "thought process" block, apart from the answer; a notice shows its string', () => {
  const window = domWindow();
  const doc = window.document;
  const root = doc.createElement('div');
  doc.body.append(root);
  let queued: Array<() => void> = [];
  let clock = 0;
  const view = new ChatView({ doc, root, post: () => undefined, now: () => clock, requestFrame: (cb: () => void) => queued.push(cb), reducedMotion: () => true });
  const frames = () => {
    for (let i = 0; i < 50 && queued.length; i++) {
      clock += 16;
      const q = queued;
      queued = [];
      for (const cb of q) cb();
    }
  };
  view.handle({ type: 'snapshot', chat: { chatId: 'c', turns: [], runningTurnId: null }, strings, settings: { typewriter: false } });
  view.handle({ type: 'turnStarted', turn: { id: 't1', question: { text: 'q' }, run: emptyTranscript } });
  const events: StreamEvent[] = [
    { kind: 'run.started' },
    { kind: 'thinking.delta', id: 'r0-thinking', delta: 'First <b>I</b> ' },
    { kind: 'notice', id: 'n', notice: 'noCodeTool' },
  ];
  for (const event of events) view.handle({ type: 'event', turnId: 't1', event });
  frames();
  view.handle({ type: 'event', turnId: 't1', event: { kind: 'thinking.delta', id: 'r0-thinking', delta: 'think.' } });
  view.handle({ type: 'event', turnId: 't1', event: { kind: 'text.delta', id: 'r0-text', delta: 'The answer.' } });
  view.handle({ type: 'event', turnId: 't1', event: { kind: 'run.finished', status: 'completed' } });
  frames();

  const block = doc.querySelector('.turn details.thinking-block');
  assert.ok(block, 'a thinking block');
  assert.equal(block.hasAttribute('open'), false, 'folded by default');
  assert.equal(block.querySelector('summary')?.textContent, '«reasoning»');
  assert.equal(block.querySelector('.thinking-text')?.textContent, 'First <b>I</b> think.');
  assert.equal(block.querySelector('b'), null, 'model text is never HTML');
  const notice = doc.querySelector('.turn .run-notice');
  assert.equal(notice?.textContent, '«noticeNoCodeTool»');
  const answer = doc.querySelector('.turn .turn-answer')!;
  assert.ok(!answer.textContent!.replace(block.textContent!, '').includes('think.'), 'the reasoning is not in the answer text');
  assert.match(answer.textContent!, /The answer\./);
  // In stream order: thinking, notice, then the answer.
  const order = Array.from(answer.querySelectorAll('.thinking-block, .run-notice, .md-text')).map((e) => (e as { className: string }).className.split(' ')[0]);
  assert.deepEqual(order, ['thinking-block', 'run-notice', 'md-text']);
});
