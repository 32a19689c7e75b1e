import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type HostToWebview, type LiveMessage, isHostToWebview, isWebviewToHost } from '../../src/shared/protocol';
import { EventBatcher } from '../../src/views/eventBatcher';

function clock() {
  let timers: { cb: () => void; at: number }[] = [];
  let now = 0;
  return {
    setTimer: (cb: () => void, ms: number) => {
      const t = { cb, at: now + ms };
      timers.push(t);
      return t;
    },
    now: () => now,
    clearTimer: (h: unknown) => {
      timers = timers.filter((t) => t !== h);
    },
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.cb();
    },
  };
}

/** A delta of its own item (`t<i>`), so that no two are joined; `sameItem` deltas all go to item `t`. */
const delta = (i: number): LiveMessage => ({ type: 'event', turnId: 'turn_1', event: { kind: 'text.delta', id: `t${i}`, delta: String(i) } });
const sameItem = (i: number): LiveMessage => ({ type: 'event', turnId: 'turn_1', event: { kind: 'text.delta', id: 't', delta: `${i},` } });

function unbatch(posted: HostToWebview[]): LiveMessage[] {
  return posted.flatMap((m) => (m.type === 'events' ? [...m.messages] : m.type === 'event' || m.type === 'turnStarted' ? [m] : []));
}

test('events of one frame go out as one batch message, in order, none lost', () => {
  const c = clock();
  const posted: HostToWebview[] = [];
  const b = new EventBatcher({ post: (m) => posted.push(m), snapshot: () => posted.push({ type: 'notice', level: 'info', text: 'snapshot', actions: [] }), ...c });
  const sent: LiveMessage[] = [];
  // 2,000 deltas a second for one second: a delta every 0.5 ms.
  for (let i = 0; i < 2000; i++) {
    const m = delta(i);
    sent.push(m);
    b.push(m);
    if (i % 2 === 1) c.advance(1);
  }
  c.advance(20);
  assert.deepEqual(unbatch(posted), sent);
  assert.ok(posted.length <= 1000 / 16 + 2, `${posted.length} messages for one second of stream`);
  for (const m of posted) assert.ok(isHostToWebview(m), 'every posted message passes the webview guard');
});

test('deltas of one item in a frame are joined into one delta; other events keep their place and order', () => {
  const c = clock();
  const posted: HostToWebview[] = [];
  const b = new EventBatcher({ post: (m) => posted.push(m), snapshot: () => undefined, ...c });
  let text = '';
  for (let i = 0; i < 2000; i++) {
    b.push(sameItem(i));
    text += `${i},`;
    if (i % 2 === 1) c.advance(1);
  }
  c.advance(20);
  const got = unbatch(posted);
  assert.equal(got.map((m) => (m.type === 'event' && m.event.kind === 'text.delta' ? m.event.delta : '')).join(''), text, 'the joined deltas are the text, in order');
  assert.ok(got.length <= posted.length, `one delta per posted message (${got.length} deltas in ${posted.length} messages)`);
  // Runs break at anything else: another item, another kind, another turn, a refusal, a non-delta event.
  const e = (turnId: string, event: object) => ({ type: 'event', turnId, event }) as LiveMessage;
  const mixed: LiveMessage[] = [
    e('a', { kind: 'text.delta', id: 'x', delta: '1' }),
    e('a', { kind: 'text.delta', id: 'x', delta: '2' }),
    e('a', { kind: 'code.delta', id: 'x', delta: 'c' }),
    e('a', { kind: 'code.delta', id: 'x', delta: 'd' }),
    e('a', { kind: 'text.delta', id: 'y', delta: '3' }),
    e('b', { kind: 'text.delta', id: 'y', delta: '4' }),
    e('b', { kind: 'text.delta', id: 'y', delta: '5', refusal: true }),
    e('b', { kind: 'text.delta', id: 'y', delta: '6', refusal: true }),
    e('b', { kind: 'code.status', id: 'x', status: 'running' }),
    e('b', { kind: 'thinking.delta', id: 'r', delta: 'h' }),
    e('b', { kind: 'thinking.delta', id: 'r', delta: 'm' }),
  ];
  posted.length = 0;
  for (const m of mixed) b.push(m);
  b.flush();
  assert.deepEqual(unbatch(posted), [
    e('a', { kind: 'text.delta', id: 'x', delta: '12' }),
    e('a', { kind: 'code.delta', id: 'x', delta: 'cd' }),
    e('a', { kind: 'text.delta', id: 'y', delta: '3' }),
    e('b', { kind: 'text.delta', id: 'y', delta: '4' }),
    e('b', { kind: 'text.delta', id: 'y', delta: '56', refusal: true }),
    e('b', { kind: 'code.status', id: 'x', status: 'running' }),
    e('b', { kind: 'thinking.delta', id: 'r', delta: 'hm' }),
  ]);
});

test('a stream at token pace is posted at once, not a frame later; a burst after it waits for the next frame', () => {
  const c = clock();
  const posted: Array<{ at: number; n: number }> = [];
  const b = new EventBatcher({ post: (m) => posted.push({ at: c.now(), n: m.type === 'events' ? m.messages.length : 1 }), snapshot: () => undefined, ...c });
  // A delta every 40 ms: each goes out in the same task turn (a 0 ms timer), none waits for a frame.
  for (let i = 0; i < 10; i++) {
    b.push(delta(i));
    c.advance(0);
    assert.equal(posted.length, i + 1, `delta ${i} was posted at once`);
    assert.equal(posted[i]!.at, i * 40);
    c.advance(40);
  }
  // Then 3 deltas in one task, 5 ms later 2 more: the first 3 at once, the 2 at the frame's end, no sooner.
  const start = c.now();
  b.push(delta(1));
  b.push(delta(2));
  b.push(delta(3));
  c.advance(0);
  c.advance(5);
  b.push(delta(4));
  b.push(delta(5));
  c.advance(10);
  assert.deepEqual(posted.slice(10), [{ at: start, n: 3 }]);
  c.advance(1);
  assert.deepEqual(posted.slice(10), [{ at: start, n: 3 }, { at: start + 16, n: 2 }]);
});

test('a notice flushes what is queued first; a snapshot replaces the queue; a hidden view gets a snapshot, not a backlog', () => {
  const c = clock();
  const posted: string[] = [];
  const b = new EventBatcher({ post: (m) => posted.push(m.type === 'events' ? `events:${m.messages.length}` : m.type), snapshot: () => posted.push('snapshot'), ...c });
  b.push(delta(1));
  b.push(delta(2));
  b.flush();
  assert.deepEqual(posted, ['events:2']);
  b.push(delta(3));
  b.discard();
  c.advance(50);
  assert.deepEqual(posted, ['events:2'], 'a discarded queue is never sent');
  b.setVisible(false);
  for (let i = 0; i < 100; i++) b.push(delta(i));
  c.advance(50);
  assert.deepEqual(posted, ['events:2'], 'nothing is sent to a hidden view');
  b.setVisible(true);
  assert.deepEqual(posted, ['events:2', 'snapshot']);
  b.setVisible(false);
  b.setVisible(true);
  assert.deepEqual(posted, ['events:2', 'snapshot'], 'no snapshot when nothing was missed');
  b.push(delta(1));
  c.advance(16);
  assert.deepEqual(posted, ['events:2', 'snapshot', 'event'], 'a lone message is sent as it is');
});

test('the webview guard checks every message inside a batch; regenerate and editLast pass the host guard', () => {
  assert.ok(isHostToWebview({ type: 'events', messages: [delta(1), delta(2)] }));
  assert.ok(isHostToWebview({ type: 'events', messages: [] }));
  assert.ok(!isHostToWebview({ type: 'events', messages: [delta(1), { type: 'event', turnId: 'x', event: { kind: 'eval' } }] }));
  assert.ok(!isHostToWebview({ type: 'events', messages: [{ type: 'notice', level: 'info', text: 'x', actions: [] }] }));
  assert.ok(!isHostToWebview({ type: 'events', messages: [{ type: 'events', messages: [] }] }), 'no nested batches');
  assert.ok(!isHostToWebview({ type: 'events', messages: 'x' }));
  assert.ok(isWebviewToHost({ type: 'regenerate' }));
  assert.ok(isWebviewToHost({ type: 'editLast', text: 'new question' }));
  for (const bad of [{ type: 'regenerate', x: 1 }, { type: 'editLast' }, { type: 'editLast', text: '  ' }, { type: 'editLast', text: 'x'.repeat(20_001) }, { type: 'editLast', text: 1 }]) {
    assert.ok(!isWebviewToHost(bad), JSON.stringify(bad).slice(0, 80));
  }
});
