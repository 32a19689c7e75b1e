/**
 * The reducer's flat per-event cost rests on a persistent list and an id index kept out of sight. These tests hold
 * it to being a pure reducer all the same: every snapshot stays as it was, branches never see each other.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PersistentList } from '../../src/shared/persistentList';
import type { StreamEvent } from '../../src/shared/events';
import { emptyTranscript, itemById, itemCount, reduce, reduceAll } from '../../src/shared/transcript';

test('PersistentList agrees with an array through 40,000 pushes and sets, and old versions never change', () => {
  let list: PersistentList<number> = PersistentList.empty;
  const model: number[] = [];
  const versions: Array<[PersistentList<number>, number[]]> = [];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 40_000; i++) {
    if (model.length > 0 && rnd() < 0.3) {
      const k = Math.floor(rnd() * model.length);
      list = list.set(k, -i);
      model[k] = -i;
    } else {
      list = list.push(i);
      model.push(i);
    }
    if (i % 5000 === 0) versions.push([list, model.slice()]);
  }
  assert.equal(list.size, model.length);
  assert.deepEqual(list.toArray(), model);
  for (const [v, m] of versions) assert.deepEqual(v.toArray(), m);
  assert.equal(list.get(model.length), undefined);
  assert.equal(list.last(), model.at(-1));
});

test('reducing an older snapshot twice gives two independent runs; neither changes the other', () => {
  const base = reduceAll([
    { kind: 'text.delta', id: 'a', delta: 'A' },
    { kind: 'code.started', id: 'c', language: 'python' },
    { kind: 'code.output', id: 'c', output: { type: 'logs', text: '1' } },
  ]);
  const baseJson = JSON.stringify(base);
  const left = reduceAll(
    [
      { kind: 'text.delta', id: 'left', delta: 'L' },
      { kind: 'code.output', id: 'c', output: { type: 'logs', text: 'L' } },
    ],
    base,
  );
  const right = reduceAll(
    [
      { kind: 'text.delta', id: 'right', delta: 'R' },
      { kind: 'text.delta', id: 'a', delta: 'R' },
    ],
    base,
  );
  // Continue the left branch after the right one wrote into the shared index.
  const left2 = reduce(left, { kind: 'text.delta', id: 'left', delta: '2' });
  assert.equal(JSON.stringify(base), baseJson);
  assert.deepEqual(
    left2.items.map((i) => i.id),
    ['a', 'c', 'left'],
  );
  assert.deepEqual(
    right.items.map((i) => i.id),
    ['a', 'c', 'right'],
  );
  assert.equal(itemById(left2, 'right'), undefined);
  assert.equal(itemById(right, 'left'), undefined);
  assert.equal((itemById(left2, 'left') as { text: string }).text, 'L2');
  assert.equal((itemById(right, 'a') as { text: string }).text, 'AR');
  assert.equal((itemById(left2, 'a') as { text: string }).text, 'A');
  assert.deepEqual((itemById(left2, 'c') as { outputs: readonly unknown[] }).outputs, [
    { type: 'logs', text: '1' },
    { type: 'logs', text: 'L' },
  ]);
  assert.equal(itemCount(right), 3);
});

test('a transcript restored from JSON (no hidden index) reduces like the original', () => {
  const events: StreamEvent[] = [
    { kind: 'run.started', responseId: 'r' },
    { kind: 'text.delta', id: 'a', delta: 'x' },
    { kind: 'code.started', id: 'c', language: 'python' },
    { kind: 'code.output', id: 'c', output: { type: 'logs', text: 'o' } },
  ];
  const live = reduceAll(events);
  const restored = JSON.parse(JSON.stringify(live));
  const more: StreamEvent[] = [
    { kind: 'code.output', id: 'c', output: { type: 'logs', text: 'p' } },
    { kind: 'text.delta', id: 'a', delta: 'y' },
    { kind: 'run.finished', status: 'cancelled' },
  ];
  assert.deepEqual(JSON.parse(JSON.stringify(reduceAll(more, restored))), JSON.parse(JSON.stringify(reduceAll(more, live))));
  assert.equal(reduceAll(more, restored).responseId, 'r');
  assert.equal(emptyTranscript.items.length, 0);
});
