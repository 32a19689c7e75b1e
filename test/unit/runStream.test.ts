import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunRequest } from '../../src/engine/provider';
import { RunStream } from '../../src/engine/runStream';
import type { StreamEvent } from '../../src/shared/events';

const request: RunRequest = { question: { text: 'q' } };

function source(events: StreamEvent[], opts: { gapMs?: number; hangAfter?: number; throwAfter?: number } = {}) {
  return async function* (_r: RunRequest, signal: AbortSignal): AsyncGenerator<StreamEvent> {
    for (let i = 0; i < events.length; i++) {
      if (opts.throwAfter === i) throw new Error('socket exploded');
      if (opts.hangAfter === i) {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        yield { kind: 'run.finished', status: 'cancelled' };
        return;
      }
      if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      yield events[i];
    }
  };
}

const events: StreamEvent[] = [
  { kind: 'run.started', responseId: 'resp_1' },
  { kind: 'text.delta', id: 't', delta: 'Hel' },
  { kind: 'text.delta', id: 't', delta: 'lo' },
  { kind: 'text.done', id: 't', text: 'Hello' },
  { kind: 'code.started', id: 'c', language: 'python' },
  { kind: 'code.delta', id: 'c', delta: 'print(' },
  { kind: 'code.delta', id: 'c', delta: '2)' },
  { kind: 'code.done', id: 'c', code: 'print(2)' },
  { kind: 'code.output', id: 'c', output: { type: 'logs', text: '2' } },
  { kind: 'run.finished', status: 'completed' },
];

test('handlers get each delta with the accumulated snapshot', async () => {
  const seen: string[] = [];
  const run = new RunStream(source(events), request)
    .on('textCreated', (t) => seen.push(`textCreated:${t.text}`))
    .on('textDelta', (d, snap) => seen.push(`textDelta:${d}|${snap.text}`))
    .on('textDone', (t) => seen.push(`textDone:${t.text}`))
    .on('codeCreated', (c) => seen.push(`codeCreated:${c.language}`))
    .on('codeDelta', (d, snap) => seen.push(`codeDelta:${d}|${snap.code}`))
    .on('codeDone', (c) => seen.push(`codeDone:${c.code}`))
    .on('output', (o, c) => seen.push(`output:${o.type === 'logs' ? o.text : o.type}|${c.outputs.length}`))
    .on('end', (t) => seen.push(`end:${t.status}`));
  const final = await run.done();
  assert.equal(final.status, 'completed');
  assert.deepEqual(seen, [
    'textCreated:Hel',
    'textDelta:Hel|Hel',
    'textDelta:lo|Hello',
    'textDone:Hello',
    'codeCreated:python',
    'codeDelta:print(|print(',
    'codeDelta:2)|print(2)',
    'codeDone:print(2)',
    'output:2|1',
    'end:completed',
  ]);
});

test('iteration replays every event, and textDeltas yields only text', async () => {
  const run = new RunStream(source(events, { gapMs: 1 }), request);
  const all: string[] = [];
  for await (const e of run) all.push(e.kind);
  assert.equal(all.length, events.length);
  const texts: string[] = [];
  for await (const d of run.textDeltas()) texts.push(d);
  assert.deepEqual(texts, ['Hel', 'lo']);
});

test('abort ends the run cancelled and keeps what arrived', async () => {
  const run = new RunStream(source(events, { hangAfter: 3 }), request);
  run.on('textDelta', () => undefined);
  setTimeout(() => run.abort(), 30);
  const t = await run.done();
  assert.equal(t.status, 'cancelled');
  assert.equal(t.items[0].type === 'text' && t.items[0].text, 'Hello');
});

test('an idle server times out as a network failure, and the timeout handler fires', async () => {
  let timedOut = false;
  const run = new RunStream(source(events, { hangAfter: 2 }), request, { idleTimeoutMs: 50 }).on('timeout', () => (timedOut = true));
  const t = await run.done();
  assert.ok(timedOut);
  assert.equal(t.status, 'failed');
  assert.equal(t.error?.kind, 'network');
  assert.equal(t.items[0].type === 'text' && t.items[0].text, 'Hel');
});

test('a provider that throws still ends the run, as failed', async () => {
  const errors: string[] = [];
  const t = await new RunStream(source(events, { throwAfter: 5 }), request).on('error', (e) => errors.push(e.kind)).done();
  assert.equal(t.status, 'failed');
  assert.deepEqual(errors, ['protocol']);
  assert.equal(t.items.length, 2);
});

test('a stream that ends without run.finished is a protocol failure, not a success', async () => {
  const t = await new RunStream(source(events.slice(0, 4)), request).done();
  assert.equal(t.status, 'failed');
  assert.equal(t.error?.kind, 'protocol');
});

test('a handler that throws does not break the run', async () => {
  const t = await new RunStream(source(events), request)
    .on('textDelta', () => {
      throw new Error('bug in handler');
    })
    .done();
  assert.equal(t.status, 'completed');
});
