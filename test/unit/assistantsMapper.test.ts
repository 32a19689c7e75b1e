/**
 * The Assistants mapper against the real OpenAI recording and against streams built by hand from the documented
 * OpenAI and DashScope shapes (test/fixtures/assistants/, see its README). Every stream is also fed cut at every
 * byte boundary and must give the identical events and transcript.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { StreamEvent } from '../../src/shared/events';
import { reduceAll, toTranscriptJson, type CodeItem, type RunTranscript, type TextItem, type ToolItem } from '../../src/shared/transcript';
import type { FileRefEvent, MapperEvent, RequiresActionEvent, SseMessage } from '../../src/engine/mapperEvents';
import { SseDecoder } from '../../src/engine/sse';
import { AssistantsMapper } from '../../src/engine/providers/assistants/assistantsMapper';

const builtDir = resolve(__dirname, '../fixtures/assistants');
const recordedDir = resolve(__dirname, '../fixtures/recorded/openai-assistants');
const recordedName = 'openllmetry.test_streaming_new_assistant_with_events_with_content.run-stream.sse.txt';

function built(name: string): Buffer {
  return readFileSync(join(builtDir, name));
}

/** Feed the bytes cut at `cuts` through the SSE decoder and the mapper; end both. */
function mapInPieces(bytes: Uint8Array, cuts: readonly number[] = [], mapper = new AssistantsMapper()): MapperEvent[] {
  const d = new SseDecoder();
  const out: MapperEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    for (const m of d.push(bytes.subarray(from, cut))) out.push(...mapper.map(m));
    from = cut;
  }
  for (const m of d.end()) out.push(...mapper.map(m));
  out.push(...mapper.end());
  return out;
}

function mapMessages(messages: readonly SseMessage[], mapper = new AssistantsMapper()): MapperEvent[] {
  const out: MapperEvent[] = [];
  for (const m of messages) out.push(...mapper.map(m));
  out.push(...mapper.end());
  return out;
}

function streamEvents(events: readonly MapperEvent[]): StreamEvent[] {
  return events.filter((e): e is StreamEvent => e.kind !== 'file.ref' && e.kind !== 'run.requires_action');
}

function transcriptOf(events: readonly MapperEvent[]): RunTranscript {
  return reduceAll(streamEvents(events));
}

function fileRefs(events: readonly MapperEvent[]): FileRefEvent[] {
  return events.filter((e): e is FileRefEvent => e.kind === 'file.ref');
}

function terminals(events: readonly MapperEvent[]): MapperEvent[] {
  return events.filter((e) => e.kind === 'run.finished' || e.kind === 'run.requires_action');
}

function codeItems(t: RunTranscript): CodeItem[] {
  return t.items.filter((i): i is CodeItem => i.type === 'code');
}

function textItems(t: RunTranscript): TextItem[] {
  return t.items.filter((i): i is TextItem => i.type === 'text');
}

/** The SSE payloads of a file, framed by hand (not by our decoder) so the expectations are independent of it. */
interface RawPayload {
  readonly id?: string;
  readonly thread_id?: string;
  readonly delta?: {
    readonly step_details?: { readonly tool_calls: ReadonlyArray<{ readonly code_interpreter?: { readonly input?: string } }> };
    readonly content?: ReadonlyArray<{ readonly text?: { readonly value?: string } }>;
  };
}

function rawEvents(text: string): Array<{ event: string; data: RawPayload }> {
  return text
    .split('\n\n')
    .filter((b) => b.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
      const data = lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '';
      return { event, data: data === '[DONE]' ? {} : (JSON.parse(data) as RawPayload) };
    });
}

/** The same events and transcript whether the bytes arrive whole, one at a time, or in two pieces cut at every position. */
function assertSplitInvariant(bytes: Uint8Array): void {
  const whole = mapInPieces(bytes);
  const expected = JSON.stringify(whole);
  const expectedTranscript = JSON.stringify(transcriptOf(whole));
  const ones = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
  const byByte = mapInPieces(bytes, ones);
  assert.equal(JSON.stringify(byByte), expected, 'one byte at a time');
  assert.equal(JSON.stringify(transcriptOf(byByte)), expectedTranscript);
  for (let k = 0; k <= bytes.length; k++) {
    const got = mapInPieces(bytes, [k]);
    const s = JSON.stringify(got);
    if (s !== expected) assert.equal(s, expected, `two pieces cut at byte ${k}`);
  }
}

describe('AssistantsMapper: the real OpenAI recording', () => {
  const bytes = readFileSync(join(recordedDir, recordedName));
  const raw = rawEvents(bytes.toString('utf8'));
  const events = mapInPieces(bytes);
  const t = transcriptOf(events);

  it('gives the code as the concatenated input deltas, and the text as the concatenated message deltas', () => {
    const inputs = raw
      .filter((e) => e.event === 'thread.run.step.delta')
      .map((e) => e.data.delta?.step_details?.tool_calls[0].code_interpreter?.input ?? '')
      .join('');
    const texts = raw
      .filter((e) => e.event === 'thread.message.delta')
      .map((e) => e.data.delta?.content?.[0].text?.value ?? '')
      .join('');
    assert.ok(inputs.startsWith('import sympy as sp'));
    const code = codeItems(t);
    assert.equal(code.length, 1);
    assert.equal(code[0].code, inputs);
    assert.equal(code[0].id, 'call_qZY4jGXmQ4H356jGJZ5adPEw');
    assert.equal(code[0].language, 'python');
    assert.equal(code[0].status, 'done');
    assert.deepEqual(code[0].outputs, []); // the recording has no outputs
    // The deltas alone (before code.done replaced anything) already built the same code.
    const streamed = events.filter((e) => e.kind === 'code.delta').map((e) => (e as { delta: string }).delta).join('');
    assert.equal(streamed, inputs);
    const text = textItems(t);
    assert.equal(text.length, 1);
    assert.equal(text[0].text, texts);
    assert.equal(text[0].text, 'The solution to the equation \\( 3x + 11 = 14 \\) is \\( x = 1 \\).');
    assert.equal(text[0].id, 'msg_GqiRD6frMFL4iU2fSeH00BRY:0');
    assert.deepEqual(
      t.items.map((i) => i.type),
      ['code', 'text'],
    );
  });

  it('finishes completed with the run and thread ids and model from the file', () => {
    const created = raw.find((e) => e.event === 'thread.run.created')!.data;
    assert.equal(t.status, 'completed');
    assert.equal(t.error, null);
    assert.equal(t.runId, created.id);
    assert.equal(t.threadId, created.thread_id);
    assert.equal(t.runId, 'run_hFJhXcOawW0kPuGK732XjIt9');
    assert.equal(t.threadId, 'thread_hWxpy21JS72pW32JTFBvjrDe');
    const started = events.filter((e) => e.kind === 'run.started');
    assert.deepEqual(started, [{ kind: 'run.started', threadId: created.thread_id, runId: created.id, model: 'gpt-4o-mini' }]);
    assert.deepEqual(terminals(events), [{ kind: 'run.finished', status: 'completed' }]);
    assert.equal(fileRefs(events).length, 0);
  });

  it('gives the same events however the bytes are cut', () => {
    assertSplitInvariant(bytes);
  });
});

describe('AssistantsMapper: OpenAI shape, logs and image outputs', () => {
  const expected = JSON.parse(readFileSync(join(builtDir, 'openai-code-logs-image.expected.json'), 'utf8'));
  const events = mapInPieces(built('openai-code-logs-image.sse.txt'));
  const t = transcriptOf(events);

  it('streams the code, then its logs once, then the image as a file reference attached to the call', () => {
    const [code] = codeItems(t);
    assert.equal(code.id, expected.callId);
    assert.equal(code.code, expected.code);
    assert.equal(code.status, 'done');
    assert.deepEqual(code.outputs, [{ type: 'logs', text: expected.logs }]); // in a delta AND in step.completed: once
    const refs = fileRefs(events);
    assert.deepEqual(refs, [
      { kind: 'file.ref', fileId: expected.imageFileId, attachTo: expected.callId, asImage: true },
      { kind: 'file.ref', fileId: expected.csvFileId, filename: 'sine.csv' },
    ]);
    const statuses = events.filter((e) => e.kind === 'code.status').map((e) => (e as { status: string }).status);
    assert.deepEqual(statuses, ['writing', 'running', 'done']);
  });

  it('keys text by message id and content index, and the final text is authoritative', () => {
    const text = textItems(t);
    assert.deepEqual(
      text.map((x) => [x.id, x.text]),
      [[`${expected.messageId}:1`, expected.text]],
    );
    assert.ok(events.some((e) => e.kind === 'text.done' && e.text === expected.text));
    assert.equal(t.status, 'completed');
    assert.equal(t.runId, expected.runId);
    assert.equal(t.threadId, expected.threadId);
    assert.deepEqual(toTranscriptJson(t).items.map((i) => i.type), ['code', 'text']);
  });
});

describe('AssistantsMapper: DashScope shape', () => {
  it('decodes JSON `arguments` as it streams, cut inside escapes and surrogate pairs; `output` becomes logs once', () => {
    const expected = JSON.parse(readFileSync(join(builtDir, 'dashscope-code-json-arguments.expected.json'), 'utf8'));
    const events = mapInPieces(built('dashscope-code-json-arguments.sse.txt'));
    const t = transcriptOf(events);
    const streamed = events.filter((e) => e.kind === 'code.delta').map((e) => (e as { delta: string }).delta).join('');
    assert.equal(streamed, expected.code, 'the deltas alone give the code');
    const [code] = codeItems(t);
    assert.equal(code.id, expected.callId);
    assert.equal(code.code, expected.code);
    assert.equal(code.status, 'done');
    assert.deepEqual(code.outputs, [{ type: 'logs', text: expected.output }]);
    const text = textItems(t);
    assert.deepEqual(
      text.map((x) => [x.id, x.text]),
      [[`${expected.messageId}:0`, expected.text]],
    );
    assert.equal(t.status, 'completed');
    assert.equal(t.runId, expected.runId);
    assert.equal(t.threadId, expected.threadId);
    assert.ok(events.some((e) => e.kind === 'run.started' && e.model === 'qwen-plus'));
  });

  it('takes plain-code `arguments` as is, names a call without id by step and index, and ends without `done`', () => {
    const events = mapInPieces(built('dashscope-plain-arguments.sse.txt'));
    const t = transcriptOf(events);
    const [code] = codeItems(t);
    assert.equal(code.id, 'step_3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f#0');
    assert.equal(code.code, 'print(sum(range(1, 101)))');
    assert.deepEqual(code.outputs, [{ type: 'logs', text: '5050\n' }]);
    assert.equal(code.status, 'done');
    assert.deepEqual(textItems(t).map((x) => x.text), ['1 到 100 的和是 **5050**。']);
    assert.equal(t.status, 'completed');
  });

  it('maps a failed run with a DashScope error code', () => {
    const t = transcriptOf(mapInPieces(built('dashscope-failed.sse.txt')));
    assert.equal(t.status, 'failed');
    assert.deepEqual(t.error, {
      kind: 'rate_limit',
      message: 'Requests rate limit exceeded, please try again later.',
      code: 'Throttling.RateQuota',
    });
  });

  it('treats a payload whose status_code is an HTTP error as the run failing', () => {
    const events = mapMessages([
      { event: 'thread.run.created', data: '{"id":"run_1","object":"thread.run","thread_id":"thread_1","status":"queued","request_id":"r","status_code":200}' },
      { event: 'thread.run.in_progress', data: '{"request_id":"r","status_code":401,"code":"InvalidApiKey","message":"Invalid API-key provided."}' },
    ]);
    assert.deepEqual(terminals(events), [
      { kind: 'run.finished', status: 'failed', error: { kind: 'auth', message: 'Invalid API-key provided.', code: 'InvalidApiKey' } },
    ]);
  });

  it('streams a DashScope `output` that repeats the whole text so far without repeating it', () => {
    const delta = (output: string): SseMessage => ({
      event: 'thread.run.step.delta',
      data: JSON.stringify({
        id: 'step_1',
        object: 'thread.run.step.delta',
        delta: { step_details: { type: 'tool_calls', tool_calls: [{ index: 0, id: 'call_1', type: 'code_interpreter', code_interpreter: { arguments: '', output } }] } },
      }),
    });
    const first = 'line one of the output\n';
    const events = mapMessages([delta(first), delta(`${first}line two\n`), delta('!')]);
    const logs = events.filter((e) => e.kind === 'code.output').map((e) => (e as { output: { text: string } }).output.text);
    assert.deepEqual(logs, [first, 'line two\n', '!']);
  });
});

describe('AssistantsMapper: a step streamed in one shape and closed in another', () => {
  const ci = (code_interpreter: Record<string, unknown>, event = 'thread.run.step.delta'): SseMessage => {
    const call = { index: 0, id: 'call_1', type: 'code_interpreter', code_interpreter };
    const data = event.endsWith('.delta')
      ? { id: 'step_1', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [call] } } }
      : { id: 'step_1', object: 'thread.run.step', status: event.split('.').pop(), step_details: { type: 'tool_calls', tool_calls: [call] } };
    return { event, data: JSON.stringify(data) };
  };
  const completed = (code_interpreter: Record<string, unknown>) => ci(code_interpreter, 'thread.run.step.completed');
  const logsOf = (events: readonly MapperEvent[]) =>
    events.filter((e) => e.kind === 'code.output').map((e) => (e as { output: { text: string } }).output.text);
  const a = 'first line of the output\n';
  const b = 'second line\n';

  it('DashScope `output` deltas, then OpenAI `outputs[]` in the completed step: logs once, image once', () => {
    const events = mapMessages([
      ci({ arguments: 'print(1)', output: '' }),
      ci({ arguments: '', output: a }),
      ci({ arguments: '', output: b }),
      completed({ arguments: 'print(1)', outputs: [{ type: 'logs', logs: a + b }, { type: 'image', image: { file_id: 'file_1' } }] }),
    ]);
    assert.deepEqual(logsOf(events), [a, b]);
    assert.deepEqual(fileRefs(events).map((f) => f.fileId), ['file_1']);
  });

  it('the completed step adds only what the deltas had not shown, in either shape', () => {
    assert.deepEqual(logsOf(mapMessages([ci({ arguments: 'x', output: a }), completed({ outputs: [{ type: 'logs', logs: a + b }] })])), [a, b]);
    assert.deepEqual(logsOf(mapMessages([ci({ outputs: [{ index: 0, type: 'logs', logs: a }] }), completed({ input: 'x', output: a + b })])), [a, b]);
  });

  it('a completed step with `output` AND `outputs[]` shows them once', () => {
    const both = { arguments: 'x', output: a + b, input: 'x', outputs: [{ type: 'logs', logs: a + b }] };
    assert.deepEqual(logsOf(mapMessages([ci({ arguments: 'x', output: a }), completed(both)])), [a, b]);
    assert.deepEqual(logsOf(mapMessages([completed(both)])), [a + b], 'a step that arrives whole');
  });

  it('one delta in both shapes, and a delta in one shape restating what the other showed, show it once', () => {
    const events = mapMessages([
      ci({ output: a, outputs: [{ index: 0, type: 'logs', logs: a }] }),
      ci({ output: b, outputs: [{ index: 0, type: 'logs', logs: b }] }),
      completed({ output: a + b }),
    ]);
    assert.deepEqual(logsOf(events), [a, b]);
    const crossed = mapMessages([ci({ outputs: [{ index: 0, type: 'logs', logs: a }] }), ci({ output: a + b }), completed({ outputs: [{ type: 'logs', logs: a + b }] })]);
    assert.deepEqual(logsOf(crossed), [a, b]);
  });

  it('a polled in-progress step, then a completed one in the other shape (recovery after a drop)', () => {
    const events = mapMessages([
      ci({ arguments: 'x', output: a }),
      ci({ arguments: 'x', output: a }, 'thread.run.step.in_progress'),
      completed({ input: 'x', outputs: [{ type: 'logs', logs: a + b }] }),
    ]);
    assert.deepEqual(logsOf(events), [a, b]);
  });

  it('a step that arrives whole keeps its outputs in the listed order (logs, image, logs)', () => {
    const events = mapMessages([completed({ input: 'x', outputs: [{ type: 'logs', logs: a }, { type: 'image', image: { file_id: 'file_1' } }, { type: 'logs', logs: b }] })]);
    const order = events.flatMap((e) => (e.kind === 'code.output' ? [(e.output as { text: string }).text] : e.kind === 'file.ref' ? [e.fileId] : []));
    assert.deepEqual(order, [a, 'file_1', b]);
  });

  it('OpenAI logs streamed at a later index still settle per index; a final text that disagrees repeats nothing', () => {
    const events = mapMessages([
      ci({ outputs: [{ index: 1, type: 'logs', logs: b }] }),
      completed({ outputs: [{ type: 'logs', logs: a }, { type: 'logs', logs: b }] }),
    ]);
    assert.deepEqual(logsOf(events), [b, a], 'nothing lost');
    const other = mapMessages([ci({ arguments: 'x', output: a }), completed({ outputs: [{ type: 'logs', logs: 'something else entirely\n' }] })]);
    assert.deepEqual(logsOf(other), [a]);
  });
});

describe('AssistantsMapper: function calls and requires_action', () => {
  it('shows the call once, ends the stream with run.requires_action, and continues on the same instance', () => {
    const mapper = new AssistantsMapper();
    const first = mapInPieces(built('openai-requires-action.sse.txt'), [], mapper);
    const call = { callId: 'call_Fn7ReadSel000001', name: 'read_selection', arguments: '{"path":"src/main.py"}' };
    assert.deepEqual(
      first.filter((e) => e.kind === 'tool.call'),
      [{ kind: 'tool.call', id: call.callId, call }],
    );
    const req = terminals(first);
    assert.deepEqual(req, [
      {
        kind: 'run.requires_action',
        calls: [{ ...call, itemId: call.callId }],
        threadId: 'thread_Fn7ReadFile0001',
        runId: 'run_Fn7ReadFile000001',
      } satisfies RequiresActionEvent,
    ]);
    assert.ok(mapper.finished);
    assert.deepEqual(mapper.map({ event: 'thread.run.completed', data: '{"id":"run_x","object":"thread.run","status":"completed"}' }), []);

    // The shell runs the tool, shows its result, submits it and maps the new stream on the same mapper.
    const result: StreamEvent = { kind: 'tool.result', id: call.callId, output: 'def add(a, b):\n    return a - b\n', isError: false };
    mapper.continueRun();
    const second = mapInPieces(built('openai-requires-action.continue.sse.txt'), [], mapper);
    assert.equal(second.filter((e) => e.kind === 'tool.call' || e.kind === 'run.started').length, 0, 'nothing shown twice');
    assert.deepEqual(terminals(second), [{ kind: 'run.finished', status: 'completed' }]);

    const t = reduceAll([...streamEvents(first), result, ...streamEvents(second)]);
    assert.equal(t.status, 'completed');
    assert.deepEqual(
      t.items.map((i) => i.type),
      ['tool', 'text'],
    );
    const tool = t.items[0] as ToolItem;
    assert.equal(tool.name, 'read_selection');
    assert.equal(tool.result, result.output);
    assert.equal((t.items[1] as TextItem).text, '`add` subtracts: it should return `a + b`.');
    assert.equal(t.runId, 'run_Fn7ReadFile000001');
  });

  it('a fresh mapper on the continuation stream still finishes it, and the reducer keeps one tool item', () => {
    const first = mapInPieces(built('openai-requires-action.sse.txt'));
    const second = mapInPieces(built('openai-requires-action.continue.sse.txt'));
    assert.deepEqual(terminals(second), [{ kind: 'run.finished', status: 'completed' }]);
    const t = reduceAll([...streamEvents(first), ...streamEvents(second)]);
    assert.equal(t.items.filter((i) => i.type === 'tool').length, 1);
    assert.equal(t.status, 'completed');
  });

  it('fails a requires_action that names no function call, instead of waiting forever', () => {
    const events = mapMessages([
      {
        event: 'thread.run.requires_action',
        data: '{"id":"run_1","object":"thread.run","thread_id":"thread_1","status":"requires_action","required_action":{"type":"submit_tool_outputs","submit_tool_outputs":{"tool_calls":[]}}}',
      },
    ]);
    const [end] = terminals(events);
    assert.equal(end.kind, 'run.finished');
    assert.equal(end.kind === 'run.finished' && end.error?.kind, 'protocol');
  });

  it('shows a function call from a completed step when no requires_action came', () => {
    const events = mapMessages([
      {
        event: 'thread.run.step.completed',
        data: JSON.stringify({
          id: 'step_1',
          object: 'thread.run.step',
          status: 'completed',
          step_details: { type: 'tool_calls', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'list_files', arguments: '{}', output: '[]' } }] },
        }),
      },
      { event: 'thread.run.completed', data: '{"id":"run_1","object":"thread.run","thread_id":"t","status":"completed"}' },
    ]);
    assert.deepEqual(
      events.filter((e) => e.kind === 'tool.call'),
      [{ kind: 'tool.call', id: 'call_9', call: { callId: 'call_9', name: 'list_files', arguments: '{}' } }],
    );
  });
});

describe('AssistantsMapper: how runs end', () => {
  it('failed: the error comes from last_error, the text shown so far stays', () => {
    const t = transcriptOf(mapInPieces(built('openai-failed.sse.txt')));
    assert.equal(t.status, 'failed');
    assert.equal(t.error?.kind, 'rate_limit');
    assert.equal(t.error?.code, 'rate_limit_exceeded');
    assert.match(t.error?.message ?? '', /Rate limit reached/);
    assert.deepEqual(textItems(t).map((x) => x.text), ['Let me run that']);
  });

  it('cancelled: not an error, the code written so far stays and its block is settled as failed', () => {
    const events = mapInPieces(built('openai-cancelled.sse.txt'));
    const t = transcriptOf(events);
    assert.equal(t.status, 'cancelled');
    assert.equal(t.error, null);
    const [code] = codeItems(t);
    assert.equal(code.code, 'for i in range(10):\n   ');
    assert.equal(code.status, 'failed');
  });

  it('expired: failed, kind server, and says it expired', () => {
    const t = transcriptOf(mapInPieces(built('openai-expired.sse.txt')));
    assert.equal(t.status, 'failed');
    assert.equal(t.error?.kind, 'server');
    assert.match(t.error?.message ?? '', /expired/);
  });

  it('an `error` event fails the run with the kind of its code', () => {
    const events = mapInPieces(built('openai-error-event.sse.txt'));
    const t = transcriptOf(events);
    assert.equal(t.status, 'failed');
    assert.deepEqual(t.error, {
      kind: 'server',
      message: 'The server had an error while processing your request. Sorry about that!',
      code: 'server_error',
    });
    assert.deepEqual(textItems(t).map((x) => x.text), ['Half an answer']);
    assert.equal(terminals(events).length, 1);
  });

  it('incomplete: the reason comes from incomplete_details', () => {
    const t = transcriptOf(mapInPieces(built('openai-incomplete.sse.txt')));
    assert.equal(t.status, 'incomplete');
    assert.equal(t.reason, 'max_completion_tokens');
    assert.deepEqual(textItems(t).map((x) => x.text), ['A loop repeats a block of']);
  });

  it('a stream cut off before any terminal event fails as a protocol error at end()', () => {
    const events = mapInPieces(built('openai-cut-off.sse.txt'));
    const t = transcriptOf(events);
    assert.equal(t.status, 'failed');
    assert.equal(t.error?.kind, 'protocol');
    const [code] = codeItems(t);
    assert.equal(code.code, 'print("你好")');
    assert.equal(code.status, 'failed');
  });

  it('sends exactly one terminal event per stream, whatever follows it', () => {
    for (const name of readdirSync(builtDir).filter((f) => f.endsWith('.sse.txt'))) {
      assert.equal(terminals(mapInPieces(built(name))).length, 1, name);
    }
    const mapper = new AssistantsMapper();
    const events = mapMessages(
      [
        { event: 'thread.run.cancelled', data: '{"id":"run_1","object":"thread.run","thread_id":"t","status":"cancelled"}' },
        { event: 'error', data: '{"code":"server_error","message":"late"}' },
        { event: 'thread.run.failed', data: '{"id":"run_1","object":"thread.run","thread_id":"t","status":"failed"}' },
      ],
      mapper,
    );
    assert.deepEqual(terminals(events), [{ kind: 'run.finished', status: 'cancelled' }]);
    assert.deepEqual(mapper.end(), []);
  });
});

describe('AssistantsMapper: robustness', () => {
  it('ignores malformed JSON, unknown events, vendor fields and [DONE] without throwing', () => {
    const events = mapMessages([
      { event: 'thread.run.created', data: '{"id":"run_1","object":"thread.run","thread_id":"t","status":"queued","x_vendor":{"a":1}}' },
      { event: 'thread.message.delta', data: '{"id":"msg_1","object":"thread.message.delta","delta":{"content":[{"index":0,"type":"text","text":{"value":"Hi' },
      { event: 'thread.run.step.delta', data: 'not json at all' },
      { event: 'thread.someday.new_event', data: '{"id":"x"}' },
      { event: 'thread.message.delta', data: '[1,2,3]' },
      { event: 'thread.message.delta', data: '{"id":"msg_1","delta":{"content":"oops"}}' },
      { event: 'thread.message.delta', data: '{"id":"msg_1","delta":{"content":[{"index":0,"type":"text","text":{"value":"Hello"}}]}}' },
      { event: 'thread.run.completed', data: '{"id":"run_1","object":"thread.run","thread_id":"t","status":"completed"}' },
      { event: 'done', data: '[DONE]' },
    ]);
    const t = transcriptOf(events);
    assert.equal(t.status, 'completed');
    assert.deepEqual(textItems(t).map((x) => x.text), ['Hello']);
  });

  it('infers the event from `object` and `status` when a server sends no `event:` line', () => {
    const events = mapMessages([
      { data: '{"id":"run_1","object":"thread.run","thread_id":"thread_1","status":"queued","model":"qwen-max"}' },
      { data: '{"id":"msg_1","object":"thread.message.delta","delta":{"content":{"type":"text","text":{"value":"你好"}}}}' },
      { data: '{"id":"run_1","object":"thread.run","thread_id":"thread_1","status":"completed"}' },
    ]);
    const t = transcriptOf(events);
    assert.equal(t.status, 'completed');
    assert.equal(t.runId, 'run_1');
    assert.deepEqual(textItems(t).map((x) => x.text), ['你好']);
  });

  it('emits outputs found only in step.completed, and code from a step that never streamed', () => {
    const events = mapMessages([
      {
        event: 'thread.run.step.completed',
        data: JSON.stringify({
          id: 'step_1',
          object: 'thread.run.step',
          status: 'completed',
          step_details: {
            type: 'tool_calls',
            tool_calls: [{ id: 'call_1', type: 'code_interpreter', code_interpreter: { input: 'print(1)', outputs: [{ type: 'logs', logs: '1\n' }] } }],
          },
        }),
      },
    ]);
    const [code] = codeItems(transcriptOf(events));
    assert.equal(code.code, 'print(1)');
    assert.deepEqual(code.outputs, [{ type: 'logs', text: '1\n' }]);
  });

  it('appends a logs output streamed in several deltas at one index, then adds only the rest from the step', () => {
    const delta = (outputs: unknown[]): SseMessage => ({
      event: 'thread.run.step.delta',
      data: JSON.stringify({ id: 'step_1', delta: { step_details: { tool_calls: [{ index: 0, id: 'call_1', type: 'code_interpreter', code_interpreter: { outputs } }] } } }),
    });
    const events = mapMessages([
      delta([{ index: 0, type: 'logs', logs: 'a\n' }]),
      delta([{ index: 0, type: 'logs', logs: 'b\n' }]),
      {
        event: 'thread.run.step.completed',
        data: JSON.stringify({
          id: 'step_1',
          status: 'completed',
          step_details: { tool_calls: [{ id: 'call_1', type: 'code_interpreter', code_interpreter: { input: '', outputs: [{ type: 'logs', logs: 'a\nb\nc\n' }] } }] },
        }),
      },
    ]);
    const logs = events.filter((e) => e.kind === 'code.output').map((e) => (e as { output: { text: string } }).output.text);
    assert.deepEqual(logs, ['a\n', 'b\n', 'c\n']);
  });
});

describe('AssistantsMapper: every built stream cut at every byte', () => {
  for (const name of readdirSync(builtDir)
    .filter((f) => f.endsWith('.sse.txt'))
    .sort()) {
    it(name, () => {
      assertSplitInvariant(built(name));
    });
  }

  it('the Chinese and emoji text survives cuts inside its characters', () => {
    const bytes = built('dashscope-code-json-arguments.sse.txt');
    const text = bytes.toString('utf8');
    const emoji = Buffer.byteLength(text.slice(0, text.indexOf('🎉')), 'utf8');
    const expected = JSON.stringify(transcriptOf(mapInPieces(bytes)));
    for (const cut of [emoji + 1, emoji + 2, emoji + 3]) {
      assert.equal(JSON.stringify(transcriptOf(mapInPieces(bytes, [cut]))), expected);
    }
    assert.match(textItems(transcriptOf(mapInPieces(bytes, [emoji + 2]))).at(-1)?.text ?? '', /。🎉👍🏽$/);
  });
});
