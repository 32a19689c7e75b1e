/**
 * Responses streams in shapes other clients' authors met in the wild (issue 9): a server that rotates item ids
 * (GitHub Copilot's Responses endpoint), content without ids, refusals, and an event sent twice with the same
 * sequence number. Pure mapper + reducer first, then the same streams over real HTTP through the real openai SDK.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createProvider } from '../../src/engine/createProvider';
import type { MapperEvent } from '../../src/engine/mapperEvents';
import { ResponsesMapper } from '../../src/engine/providers/responses/responsesMapper';
import { RunStream } from '../../src/engine/runStream';
import type { StreamEvent } from '../../src/shared/events';
import { type RunTranscript, reduceAll, toTranscriptJson } from '../../src/shared/transcript';
import { answer, rotatingIdStream, tokens } from '../fake/shapes';
import { type FakeServer, startFakeServer } from '../fake/server';

type Wire = Record<string, unknown>;

function run(events: readonly Wire[]): RunTranscript {
  const m = new ResponsesMapper();
  const out: MapperEvent[] = [...events.flatMap((e) => m.map(e)), ...m.end()];
  return reduceAll(out.filter((e): e is StreamEvent => e.kind !== 'file.ref' && e.kind !== 'run.requires_action'));
}

describe('Responses streams in the shapes found in the wild', () => {
  it('a server that rotates item ids gives one text item with the answer once', () => {
    const wire = rotatingIdStream();
    assert.ok(tokens.length > 15);
    const t = run(wire);
    assert.equal(t.status, 'completed');
    assert.deepEqual(toTranscriptJson(t).items, [{ type: 'text', text: answer }]);
  });

  it('rotating ids with code: each output_index is one block, and its final outputs are not repeated', () => {
    let n = 0;
    const id = () => `ci_${++n}`;
    const wire: Wire[] = [
      { type: 'response.created', response: { id: 'r' } },
      { type: 'response.output_item.added', output_index: 0, item: { type: 'code_interpreter_call', id: id(), status: 'in_progress' } },
      { type: 'response.code_interpreter_call_code.delta', item_id: id(), output_index: 0, delta: 'print(' },
      { type: 'response.code_interpreter_call_code.delta', item_id: id(), output_index: 0, delta: '2)' },
      { type: 'response.code_interpreter_call_code.done', item_id: id(), output_index: 0, code: 'print(2)' },
      { type: 'response.output_item.done', output_index: 0, item: { type: 'code_interpreter_call', id: id(), status: 'completed', code: 'print(2)', outputs: [{ type: 'logs', logs: '2\n' }] } },
      { type: 'response.output_text.delta', item_id: id(), output_index: 1, content_index: 0, delta: 'It prints 2.' },
      {
        type: 'response.completed',
        response: {
          id: 'r',
          output: [
            { type: 'code_interpreter_call', id: id(), status: 'completed', code: 'print(2)', outputs: [{ type: 'logs', logs: '2\n' }] },
            { type: 'message', id: id(), content: [{ type: 'output_text', text: 'It prints 2.' }] },
          ],
        },
      },
    ];
    assert.deepEqual(toTranscriptJson(run(wire)).items, [
      { type: 'code', language: 'python', code: 'print(2)', runtime: 'hosted', outputs: [{ type: 'logs', text: '2\n' }] },
      { type: 'text', text: 'It prints 2.' },
    ]);
  });

  it('a message item without an id is placed', () => {
    const t = run([
      { type: 'response.created', response: { id: 'r' } },
      { type: 'response.output_item.added', output_index: 0, item: { type: 'message', role: 'assistant', content: [] } },
      { type: 'response.output_item.done', output_index: 0, item: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello.' }] } },
      { type: 'response.completed', response: { id: 'r', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello.' }] }] } },
    ]);
    assert.equal(t.status, 'completed');
    assert.deepEqual(toTranscriptJson(t).items, [{ type: 'text', text: 'Hello.' }]);
  });

  it('a refusal.done without an item_id is placed, marked as a refusal', () => {
    const t = run([
      { type: 'response.created', response: { id: 'r' } },
      { type: 'response.refusal.done', refusal: 'I cannot help with that.' },
      { type: 'response.completed', response: { id: 'r', output: [] } },
    ]);
    assert.equal(t.status, 'completed');
    assert.deepEqual(toTranscriptJson(t).items, [{ type: 'text', text: 'I cannot help with that.', refusal: true }]);
  });

  it('content parts with output_index/content_index but no item_id are placed in order', () => {
    const t = run([
      { type: 'response.created', response: { id: 'r' } },
      { type: 'response.content_part.added', output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } },
      { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'First ' },
      { type: 'response.output_text.delta', output_index: 0, content_index: 1, delta: 'second.' },
      { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'part. ' },
      { type: 'response.content_part.done', output_index: 0, content_index: 0, part: { type: 'output_text', text: 'First part. ' } },
      { type: 'response.content_part.done', output_index: 0, content_index: 1, part: { type: 'output_text', text: 'second.' } },
      { type: 'response.completed', response: { id: 'r' } },
    ]);
    assert.deepEqual(toTranscriptJson(t).items, [
      { type: 'text', text: 'First part. ' },
      { type: 'text', text: 'second.' },
    ]);
  });

  it('a completed response that lists no items but has output_text is shown, never an empty "completed"', () => {
    const t = run([
      { type: 'response.created', response: { id: 'r' } },
      { type: 'response.completed', response: { id: 'r', output_text: 'Only here.' } },
    ]);
    assert.equal(t.status, 'completed');
    assert.deepEqual(toTranscriptJson(t).items, [{ type: 'text', text: 'Only here.' }]);
  });

  it('refusal deltas stream as the answer and are marked', () => {
    const t = run([
      { type: 'response.created', response: { id: 'r' } },
      { type: 'response.refusal.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'I can’t ' },
      { type: 'response.refusal.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'do that.' },
      { type: 'response.completed', response: { id: 'r' } },
    ]);
    assert.deepEqual(t.items, [{ type: 'text', id: 'm:0', text: 'I can’t do that.', refusal: true }]);
  });

  it('a delta sent twice with the same sequence_number is shown once', () => {
    const delta = (d: string, seq: number): Wire => ({ type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: d, sequence_number: seq });
    const t = run([
      { type: 'response.created', response: { id: 'r' }, sequence_number: 0 },
      delta('one ', 1),
      delta('one ', 1),
      delta('two', 2),
      delta('two', 2),
      { type: 'response.completed', response: { id: 'r' }, sequence_number: 3 },
    ]);
    assert.deepEqual(toTranscriptJson(t).items, [{ type: 'text', text: 'one two' }]);
  });

  it('sequence numbers start again with each response of a tool loop', () => {
    const m = new ResponsesMapper();
    const first = [
      { type: 'response.created', response: { id: 'r1' }, sequence_number: 0 },
      { type: 'response.output_text.delta', item_id: 'a', output_index: 0, content_index: 0, delta: 'x', sequence_number: 1 },
    ].flatMap((e) => m.map(e));
    const second = [
      { type: 'response.created', response: { id: 'r2' }, sequence_number: 0 },
      { type: 'response.output_text.delta', item_id: 'b', output_index: 0, content_index: 0, delta: 'y', sequence_number: 1 },
    ].flatMap((e) => m.map(e));
    assert.equal(first.filter((e) => e.kind === 'text.delta').length, 1);
    assert.equal(second.filter((e) => e.kind === 'text.delta').length, 1);
  });
});

describe('the same shapes over real HTTP through the openai SDK', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer({ delayMs: 0 });
  });
  after(() => server?.close());

  const ask = async (events: readonly Wire[]): Promise<RunTranscript> => {
    server.script({ events: events.map((data) => ({ event: String(data.type), data })), kind: 'responses' });
    const provider = createProvider({ protocol: 'responses', apiKey: 'sk-test', baseUrl: server.url, model: 'm' });
    return RunStream.start(provider, { question: { text: 'What is a closure?' } }).done();
  };

  it('rotating ids: one item, the answer once', async () => {
    const t = await ask(rotatingIdStream());
    assert.equal(t.status, 'completed');
    assert.deepEqual(toTranscriptJson(t).items, [{ type: 'text', text: answer }]);
  });

  it('duplicated sequence numbers: nothing shown twice', async () => {
    const wire = rotatingIdStream();
    const doubled = wire.flatMap((e) => (e.type === 'response.output_text.delta' ? [e, e] : [e]));
    const t = await ask(doubled);
    assert.deepEqual(toTranscriptJson(t).items, [{ type: 'text', text: answer }]);
  });
});
