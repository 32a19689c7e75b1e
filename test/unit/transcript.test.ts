import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamEvent } from '../../src/shared/events';
import { base64ByteLength, emptyTranscript, reduce, reduceAll, toTranscriptJson } from '../../src/shared/transcript';

const run: StreamEvent[] = [
  { kind: 'run.started', responseId: 'resp_1' },
  { kind: 'text.delta', id: 'm1:0', delta: 'Let me ' },
  { kind: 'text.delta', id: 'm1:0', delta: 'show you.' },
  { kind: 'code.started', id: 'ci_1', language: 'python' },
  { kind: 'code.status', id: 'ci_1', status: 'writing' },
  { kind: 'code.delta', id: 'ci_1', delta: 'print(' },
  { kind: 'code.delta', id: 'ci_1', delta: '1+1)' },
  { kind: 'code.done', id: 'ci_1', code: 'print(1+1)' },
  { kind: 'code.status', id: 'ci_1', status: 'running' },
  { kind: 'code.output', id: 'ci_1', output: { type: 'logs', text: '2\n' } },
  { kind: 'code.output', id: 'ci_1', output: { type: 'image', mime: 'image/png', base64: Buffer.from('12345').toString('base64') } },
  { kind: 'code.status', id: 'ci_1', status: 'done' },
  { kind: 'text.delta', id: 'm2:0', delta: 'It prints 2.' },
  { kind: 'run.finished', status: 'completed' },
];

test('a run folds into text and code items in stream order, with outputs', () => {
  const t = reduceAll(run);
  assert.equal(t.status, 'completed');
  assert.equal(t.responseId, 'resp_1');
  assert.deepEqual(toTranscriptJson(t), {
    status: 'completed',
    error: null,
    items: [
      { type: 'text', text: 'Let me show you.' },
      { type: 'code', language: 'python', code: 'print(1+1)', runtime: 'hosted', outputs: [{ type: 'logs', text: '2\n' }, { type: 'image', mime: 'image/png', bytes: 5 }] },
      { type: 'text', text: 'It prints 2.' },
    ],
  });
});

test('the reducer is pure: the input transcript is never changed', () => {
  const before = reduceAll(run.slice(0, 6));
  const frozen = JSON.stringify(before);
  reduce(before, { kind: 'code.delta', id: 'ci_1', delta: 'more' });
  reduce(before, { kind: 'run.finished', status: 'cancelled' });
  assert.equal(JSON.stringify(before), frozen);
});

test('done events are authoritative over the deltas', () => {
  const t = reduceAll([
    { kind: 'text.delta', id: 'a', delta: 'Helo' },
    { kind: 'text.done', id: 'a', text: 'Hello' },
    { kind: 'code.delta', id: 'c', delta: 'x=' },
    { kind: 'code.done', id: 'c', code: 'x = 1' },
  ]);
  assert.deepEqual(
    t.items.map((i) => (i.type === 'text' ? i.text : i.type === 'code' ? i.code : '')),
    ['Hello', 'x = 1'],
  );
});

test('nothing changes after run.finished, and one finish settles blocks still running', () => {
  const t = reduceAll([...run.slice(0, 9), { kind: 'run.finished', status: 'cancelled' }, { kind: 'text.delta', id: 'late', delta: 'late' }]);
  assert.equal(t.status, 'cancelled');
  assert.equal(t.items.length, 2);
  const code = t.items[1];
  assert.ok(code.type === 'code');
  assert.equal(code.status, 'stopped', 'a block that was running when the learner stopped the run is not left spinning, and did not fail');
  assert.equal(code.code, 'print(1+1)', 'what arrived is kept');
});

test('a run that fails (not stopped) settles the blocks still running as failed; a finished block keeps its status', () => {
  const failed = reduceAll([...run.slice(0, 9), { kind: 'run.finished', status: 'failed', error: { kind: 'network', message: 'connection reset' } }]);
  const code = failed.items[1];
  assert.ok(code.type === 'code');
  assert.equal(code.status, 'failed');
  const done = reduceAll([
    { kind: 'code.started', id: 'c', language: 'python' },
    { kind: 'code.status', id: 'c', status: 'done' },
    { kind: 'run.finished', status: 'cancelled' },
  ]);
  assert.ok(done.items[0].type === 'code');
  assert.equal(done.items[0].status, 'done', 'Stop after a cell finished does not relabel it');
});

test('a failed run keeps its error and partial items', () => {
  const t = reduceAll([
    { kind: 'text.delta', id: 'a', delta: 'Partial' },
    { kind: 'run.finished', status: 'failed', error: { kind: 'rate_limit', message: 'slow down', code: 'rate_limit_exceeded' } },
  ]);
  assert.deepEqual(toTranscriptJson(t), { status: 'failed', error: { kind: 'rate_limit', message: 'slow down' }, items: [{ type: 'text', text: 'Partial' }] });
});

test('empty text items are not shown; tool calls get their results', () => {
  const t = reduceAll([
    { kind: 'text.done', id: 'empty', text: '' },
    { kind: 'tool.call', id: 'fc_1', call: { callId: 'call_1', name: 'get_selection', arguments: '{}' } },
    { kind: 'tool.result', id: 'fc_1', output: 'x = 1', isError: false },
  ]);
  assert.equal(t.items.length, 1);
  assert.deepEqual(t.items[0], { type: 'tool', id: 'fc_1', callId: 'call_1', name: 'get_selection', arguments: '{}', result: 'x = 1', isError: false });
  assert.deepEqual(toTranscriptJson(t).items, [], 'tool items are not part of the --transcript JSON');
});

test('base64ByteLength counts decoded bytes', () => {
  for (const n of [0, 1, 2, 3, 4, 5, 100, 1001]) {
    assert.equal(base64ByteLength(Buffer.alloc(n, 7).toString('base64')), n);
  }
  assert.equal(emptyTranscript.items.length, 0);
});
