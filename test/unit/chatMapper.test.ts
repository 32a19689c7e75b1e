/**
 * ChatMapper against the recorded Chat Completions streams in test/fixtures/recorded/openai-chat, through the real
 * SSE layer, whole, one byte at a time and split in two at every byte; plus every quirk servers are known for
 * (tool-call deltas without index or id, empty later names, whole arguments, reasoning fields and <think> tags,
 * finish reasons), each its own test.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { MapperEvent, RequiresActionEvent } from '../../src/engine/mapperEvents';
import { ChatMapper, codeOfArguments, type ChatMapperOptions } from '../../src/engine/providers/chat/chatMapper';
import { opensWithReasoning, ThinkSplitter } from '../../src/engine/providers/chat/thinkTags';
import { SseDecoder, encodeSse } from '../../src/engine/sse';
import type { StreamEvent } from '../../src/shared/events';
import { reduceAll, toTranscriptJson } from '../../src/shared/transcript';

const fixturesDir = resolve(__dirname, '../fixtures/recorded/openai-chat');
const enc = new TextEncoder();
type Wire = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- recorded JSON, read freely in tests

/** A recording as SSE bytes: `.sse.txt` as it is, `.chunks.txt` framed as `data:` lines ending with [DONE]. */
function recordingBytes(name: string): Uint8Array {
  const text = readFileSync(join(fixturesDir, name), 'utf8');
  if (name.endsWith('.sse.txt')) return enc.encode(text);
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return enc.encode(encodeSse([...lines.map((data) => ({ data })), { data: '[DONE]' }], '\n'));
}

/** The chunks of a recording, read straight from the file (not through our SSE layer). */
function recordingChunks(name: string): Wire[] {
  const text = readFileSync(join(fixturesDir, name), 'utf8');
  const lines = name.endsWith('.sse.txt')
    ? text
        .split('\n')
        .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
        .map((l) => l.slice('data: '.length))
    : text.split('\n').filter((l) => l.trim() !== '');
  return lines.map((l) => JSON.parse(l) as Wire);
}

const fixtureNames = readdirSync(fixturesDir).filter((f) => f.endsWith('.chunks.txt') || f.endsWith('.sse.txt'));

/** Bytes → SSE → JSON → mapper, the way the openai package hands chunks to the shell ([DONE] ends the stream). */
function pipeline(bytes: Uint8Array, cuts: readonly number[], options: ChatMapperOptions = { prefix: 'r0', announce: true }): MapperEvent[] {
  const d = new SseDecoder();
  const m = new ChatMapper(options);
  const out: MapperEvent[] = [];
  let done = false;
  const feed = (messages: { data: string }[]) => {
    for (const msg of messages) {
      if (done) continue;
      if (msg.data === '[DONE]') done = true;
      else out.push(...m.map(JSON.parse(msg.data)));
    }
  };
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    feed(d.push(bytes.subarray(from, cut)));
    from = cut;
  }
  feed(d.end());
  out.push(...m.end());
  return out;
}

function mapAll(chunks: readonly unknown[], options: Partial<ChatMapperOptions> = {}): { events: MapperEvent[]; mapper: ChatMapper } {
  const mapper = new ChatMapper({ prefix: 'r0', announce: true, codeTool: true, runtime: 'pyodide', ...options });
  return { events: [...chunks.flatMap((c) => mapper.map(c)), ...mapper.end()], mapper };
}

const ofKind = <K extends MapperEvent['kind']>(events: readonly MapperEvent[], kind: K): Extract<MapperEvent, { kind: K }>[] =>
  events.filter((e): e is Extract<MapperEvent, { kind: K }> => e.kind === kind);
const streamEvents = (events: readonly MapperEvent[]): StreamEvent[] =>
  events.filter((e): e is StreamEvent => e.kind !== 'run.requires_action' && e.kind !== 'file.ref');
const action = (events: readonly MapperEvent[]): RequiresActionEvent | undefined => ofKind(events, 'run.requires_action')[0];

/** The rules every mapping keeps: one terminal, last; deltas add up to the authoritative text and code. */
function assertWellFormed(events: readonly MapperEvent[], where: string): void {
  const terminals = events.filter((e) => e.kind === 'run.finished' || e.kind === 'run.requires_action');
  assert.equal(terminals.length, 1, `${where}: exactly one terminal event`);
  assert.equal(events.at(-1), terminals[0], `${where}: the terminal event is last`);
  for (const done of ofKind(events, 'text.done')) {
    assert.equal(ofKind(events, 'text.delta').filter((d) => d.id === done.id).map((d) => d.delta).join(''), done.text, `${where}: text deltas`);
  }
  for (const done of ofKind(events, 'code.done')) {
    const deltas = ofKind(events, 'code.delta').filter((d) => d.id === done.id);
    assert.ok(deltas.every((d) => d.delta !== ''), `${where}: an empty code delta`);
    assert.equal(deltas.map((d) => d.delta).join(''), done.code, `${where}: code deltas add up to the code`);
  }
}

/** A chunk in the shape OpenAI streams them. */
function chunk(delta: Wire, finish: string | null = null, extra: Wire = {}): Wire {
  return { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1, model: 'test-model', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra };
}
const toolDelta = (tc: Wire): Wire => chunk({ tool_calls: [tc] });

/** Cut a string into pieces of the given sizes, cycling. */
function pieces(s: string, sizes: readonly number[]): string[] {
  const out: string[] = [];
  for (let i = 0, k = 0; i < s.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(s.slice(i, i + n));
    i += n;
  }
  return out;
}

describe('ChatMapper on the recorded chat streams', () => {
  it('gpt-4o tool turn (issue-15789 step 1): text, then a `weather` call with `{}` in one chunk, finish tool_calls', () => {
    const chunks = recordingChunks('issue-15789-step-1.chunks.txt');
    const events = pipeline(recordingBytes('issue-15789-step-1.chunks.txt'), []);
    assertWellFormed(events, 'step-1');
    const recordedText = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    const recordedCall = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    assert.equal(ofKind(events, 'text.done')[0].text, recordedText);
    const a = action(events);
    assert.ok(a, 'the round asks for its tool call');
    assert.equal(a.calls.length, 1);
    assert.equal(a.calls[0].callId, recordedCall[0].id);
    assert.equal(a.calls[0].name, recordedCall[0].function.name);
    assert.equal(a.calls[0].arguments, recordedCall.map((tc: Wire) => tc.function.arguments).join(''));
    const started = ofKind(events, 'run.started')[0];
    assert.equal(started.model, chunks[0].model);
    // Not the code tool: shown as a function tool call, never as code.
    assert.equal(ofKind(events, 'tool.call').length, 1);
    assert.equal(ofKind(events, 'code.started').length, 0);
  });

  it('gpt-4o after the tool result (issue-15789 step 2): text, finish stop → completed', () => {
    const chunks = recordingChunks('issue-15789-step-2.chunks.txt');
    const events = pipeline(recordingBytes('issue-15789-step-2.chunks.txt'), []);
    assertWellFormed(events, 'step-2');
    const t = toTranscriptJson(reduceAll(streamEvents(events)));
    assert.equal(t.status, 'completed');
    assert.deepEqual(t.items, [{ type: 'text', text: chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('') }]);
  });

  it('openai-python capture: arguments over 14 chunks come back whole, with the recorded call id', () => {
    const name = 'openai-python-stream-pydantic-tool.c6aa7e397b71.sse.txt';
    const chunks = recordingChunks(name);
    const events = pipeline(recordingBytes(name), []);
    assertWellFormed(events, name);
    const tcs = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    const a = action(events);
    assert.ok(a);
    assert.equal(a.calls[0].arguments, tcs.map((tc: Wire) => tc.function?.arguments ?? '').join(''));
    assert.deepEqual(JSON.parse(a.calls[0].arguments), JSON.parse(tcs.map((tc: Wire) => tc.function?.arguments ?? '').join('')));
    assert.equal(a.calls[0].callId, tcs[0].id);
  });

  for (const name of fixtureNames) {
    it(`${name}: the same events fed one byte at a time and split in two at every byte`, () => {
      const bytes = recordingBytes(name);
      const whole = pipeline(bytes, []);
      assert.deepEqual(
        pipeline(
          bytes,
          Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
        ),
        whole,
        'one byte at a time',
      );
      for (let k = 1; k < bytes.length; k++) assert.deepEqual(pipeline(bytes, [k]), whole, `split at byte ${k}`);
    });
  }
});

describe('ChatMapper: run_python arguments stream as code', () => {
  const code = 'import math\nprint("héllo", math.pi)  # é ✓ "quoted"\nfor i in range(3):\n\tprint(i)\n';
  // As servers send it: non-ASCII escaped (`\u00e9`), so a chunk may end inside an escape.
  const args = JSON.stringify({ code }).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

  it('partial JSON → code deltas carrying only the new suffix, escapes decoded, at every chunk size', () => {
    for (const sizes of [[1], [2], [3, 1], [7], [args.length]]) {
      const chunks = [
        toolDelta({ index: 0, id: 'call_abc', type: 'function', function: { name: 'run_python', arguments: '' } }),
        ...pieces(args, sizes).map((p) => toolDelta({ index: 0, function: { arguments: p } })),
        chunk({}, 'tool_calls'),
      ];
      const { events } = mapAll(chunks);
      assertWellFormed(events, `sizes ${sizes}`);
      const started = ofKind(events, 'code.started');
      assert.deepEqual(started, [{ kind: 'code.started', id: 'r0-call0', language: 'python', runtime: 'pyodide' }]);
      assert.equal(ofKind(events, 'code.done')[0].code, code);
      // The code grows while the arguments stream, not only at the end.
      if (sizes[0] < 8) assert.ok(ofKind(events, 'code.delta').length > 5, `sizes ${sizes}: code streamed in pieces`);
      const a = action(events);
      assert.ok(a);
      assert.deepEqual(a.calls, [{ itemId: 'r0-call0', callId: 'call_abc', name: 'run_python', arguments: args }]);
      // A half-received escape (`\u00`, `\"`) never shows as text: the code has no backslash at all.
      assert.ok(ofKind(events, 'code.delta').every((d) => !d.delta.includes('\\')));
    }
  });

  it('long code (40 KB in 3-character deltas) still streams in many pieces that add up, parsed a bounded number of times', () => {
    const long = 'print("a line of code")\n'.repeat(1_700);
    const longArgs = JSON.stringify({ code: long });
    const { events } = mapAll([toolDelta({ index: 0, id: 'c', function: { name: 'run_python', arguments: '' } }), ...pieces(longArgs, [3]).map((p) => toolDelta({ index: 0, function: { arguments: p } })), chunk({}, 'tool_calls')]);
    assertWellFormed(events, 'long');
    const deltas = ofKind(events, 'code.delta').length;
    assert.equal(ofKind(events, 'code.done')[0].code, long);
    assert.ok(deltas > 50 && deltas < 600, `${deltas} code deltas for ${longArgs.length / 3} argument deltas`);
  });

  it('the whole arguments string in one chunk (with the name) → one code delta, the full code', () => {
    const { events } = mapAll([toolDelta({ index: 0, id: 'call_1', type: 'function', function: { name: 'run_python', arguments: args } }), chunk({}, 'tool_calls')]);
    assertWellFormed(events, 'whole');
    assert.deepEqual(
      ofKind(events, 'code.delta').map((d) => d.delta),
      [code],
    );
  });

  it('tool-call deltas without `index`: the id opens the call, later chunks continue it', () => {
    const chunks = [
      toolDelta({ id: 'call_noindex', type: 'function', function: { name: 'run_python', arguments: '' } }),
      ...pieces(args, [5]).map((p) => toolDelta({ function: { arguments: p } })),
      chunk({}, 'tool_calls'),
    ];
    const { events, mapper } = mapAll(chunks);
    assertWellFormed(events, 'no index');
    const a = action(events);
    assert.ok(a);
    assert.equal(a.calls.length, 1);
    assert.equal(a.calls[0].callId, 'call_noindex');
    assert.equal(a.calls[0].arguments, args);
    assert.equal(ofKind(events, 'code.done')[0].code, code);
    const m = mapper.assistantMessage();
    assert.equal(m.role === 'assistant' && m.tool_calls?.[0].id, 'call_noindex');
  });

  it('tool-call deltas without `id`: the call gets an id, used alike in the action and the assistant message', () => {
    const chunks = [
      toolDelta({ index: 0, type: 'function', function: { name: 'run_python', arguments: '' } }),
      ...pieces(args, [4]).map((p) => toolDelta({ index: 0, function: { arguments: p } })),
      chunk({}, 'tool_calls'),
    ];
    const { events, mapper } = mapAll(chunks);
    assertWellFormed(events, 'no id');
    const a = action(events);
    assert.ok(a);
    assert.ok(a.calls[0].callId.length > 0);
    const m = mapper.assistantMessage();
    assert.ok(m.role === 'assistant' && m.tool_calls);
    assert.equal(m.tool_calls[0].id, a.calls[0].callId);
    assert.equal(m.tool_calls[0].function.arguments, args);
  });

  it('later chunks with an empty `name` (or the name repeated) leave the name as it was', () => {
    const chunks = [
      toolDelta({ index: 0, id: 'call_n', type: 'function', function: { name: 'run_python', arguments: '' } }),
      ...pieces(args, [6]).map((p, i) => toolDelta({ index: 0, id: i % 2 ? '' : undefined, type: 'function', function: { name: i % 2 ? '' : 'run_python', arguments: p } })),
      chunk({}, 'tool_calls'),
    ];
    const { events } = mapAll(chunks);
    assertWellFormed(events, 'empty names');
    const a = action(events);
    assert.ok(a);
    assert.deepEqual(
      a.calls.map((c) => [c.name, c.callId]),
      [['run_python', 'call_n']],
    );
    assert.equal(ofKind(events, 'code.done')[0].code, code);
  });

  it('the name arriving after the first arguments still makes a code block with all the code', () => {
    const [first, ...rest] = pieces(args, [9]);
    const chunks = [toolDelta({ index: 0, id: 'call_late', function: { name: '', arguments: first } }), toolDelta({ index: 0, function: { name: 'run_python' } }), ...rest.map((p) => toolDelta({ index: 0, function: { arguments: p } })), chunk({}, 'tool_calls')];
    const { events } = mapAll(chunks);
    assertWellFormed(events, 'late name');
    assert.equal(ofKind(events, 'code.done')[0].code, code);
  });

  it('two calls: interleaved by index; numbered 0 with distinct ids; or neither index nor id, each whole', () => {
    const a2 = JSON.stringify({ code: 'print(2)' });
    const variants: Wire[][] = [
      [
        toolDelta({ index: 0, id: 'c0', function: { name: 'run_python', arguments: '{"code": "pr' } }),
        toolDelta({ index: 1, id: 'c1', function: { name: 'get_selection', arguments: '' } }),
        toolDelta({ index: 0, function: { arguments: 'int(1)"}' } }),
        toolDelta({ index: 1, function: { arguments: '{}' } }),
      ],
      [toolDelta({ index: 0, id: 'c0', function: { name: 'run_python', arguments: '{"code": "print(1)"}' } }), toolDelta({ index: 0, id: 'c1', function: { name: 'get_selection', arguments: '{}' } })],
      [toolDelta({ function: { name: 'run_python', arguments: '{"code": "print(1)"}' } }), toolDelta({ function: { name: 'get_selection', arguments: '{}' } })],
    ];
    for (const [i, v] of variants.entries()) {
      const { events } = mapAll([...v, chunk({}, 'tool_calls')]);
      assertWellFormed(events, `variant ${i}`);
      const a = action(events);
      assert.ok(a);
      assert.deepEqual(
        a.calls.map((c) => [c.name, c.arguments]),
        [
          ['run_python', '{"code": "print(1)"}'],
          ['get_selection', '{}'],
        ],
        `variant ${i}`,
      );
      assert.equal(new Set(a.calls.map((c) => c.callId)).size, 2);
      assert.equal(ofKind(events, 'code.done')[0].code, 'print(1)');
      assert.deepEqual(
        ofKind(events, 'tool.call').map((t) => t.call.name),
        ['get_selection'],
      );
    }
    assert.ok(a2);
  });

  it('arguments sent as an object, and bare code instead of JSON, still run', () => {
    const obj = mapAll([toolDelta({ index: 0, id: 'c', function: { name: 'run_python', arguments: { code: 'print(3)' } } }), chunk({}, 'tool_calls')]).events;
    assert.equal(ofKind(obj, 'code.done')[0].code, 'print(3)');
    assert.equal(codeOfArguments('print(4)', false), 'print(4)');
    assert.equal(codeOfArguments('{"code": 1}', false), undefined);
  });

  it('with the interpreter off, a run_python call is an ordinary tool call, not code', () => {
    const { events } = mapAll([toolDelta({ index: 0, id: 'c', function: { name: 'run_python', arguments: args } }), chunk({}, 'tool_calls')], { codeTool: false });
    assert.equal(ofKind(events, 'code.started').length, 0);
    assert.equal(ofKind(events, 'tool.call').length, 1);
  });
});

describe('ChatMapper: reasoning is a thinking block, never the answer', () => {
  it('`reasoning_content` (DeepSeek): thinking deltas, and kept for the assistant message of a tool turn', () => {
    const { events, mapper } = mapAll([
      chunk({ role: 'assistant', content: null, reasoning_content: 'Let me ' }),
      chunk({ reasoning_content: 'think.' }),
      chunk({ content: 'Here.' }),
      toolDelta({ index: 0, id: 'c', function: { name: 'run_python', arguments: '{"code":"1"}' } }),
      chunk({}, 'tool_calls'),
    ]);
    assertWellFormed(events, 'reasoning_content');
    const t = reduceAll(streamEvents(events));
    assert.deepEqual(
      t.items.map((i) => [i.type, i.type === 'thinking' || i.type === 'text' ? i.text : '']),
      [
        ['thinking', 'Let me think.'],
        ['text', 'Here.'],
        ['code', ''],
      ],
    );
    const m = mapper.assistantMessage();
    assert.ok(m.role === 'assistant');
    assert.equal(m.reasoning_content, 'Let me think.');
    assert.equal(m.content, 'Here.');
  });

  it('`reasoning` (OpenRouter, Ollama): thinking deltas, not sent back; both fields at once count once', () => {
    const { events, mapper } = mapAll([chunk({ reasoning: 'Hmm.' }), chunk({ reasoning: ' More.', reasoning_content: ' More.' }), chunk({ content: 'Answer.' }, 'stop')]);
    const t = toTranscriptJson(reduceAll(streamEvents(events)));
    assert.deepEqual(t.items, [
      { type: 'thinking', text: 'Hmm. More.' },
      { type: 'text', text: 'Answer.' },
    ]);
    assert.equal(t.status, 'completed');
    const m = mapper.assistantMessage();
    assert.ok(m.role === 'assistant');
    assert.equal(m.content, 'Answer.');
  });

  it('<think>…</think> in the content, cut at every position: reasoning apart, answer exact', () => {
    const content = '\n<think>\nThe user wants x < y.\n</think>\n\nUse `a <think> b` and </think> as text.';
    for (let k = 0; k <= content.length; k++) {
      for (let j = k; j <= content.length; j += 7) {
        const parts = [content.slice(0, k), content.slice(k, j), content.slice(j)].filter((p) => p !== '');
        const { events, mapper } = mapAll([...parts.map((p) => chunk({ content: p })), chunk({}, 'stop')]);
        const t = toTranscriptJson(reduceAll(streamEvents(events)));
        assert.deepEqual(
          t.items,
          [
            { type: 'thinking', text: '\nThe user wants x < y.\n' },
            { type: 'text', text: 'Use `a <think> b` and </think> as text.' },
          ],
          `cut at ${k}/${j}`,
        );
        const m = mapper.assistantMessage();
        assert.ok(m.role === 'assistant' && m.content === 'Use `a <think> b` and </think> as text.' && m.reasoning_content === undefined);
      }
    }
  });

  it('a stray </think> (no <think>) from a model whose template opens the reasoning, cut at every position: reasoning apart, never a text delta', () => {
    const content = 'The user wants x < y.\n</think>\n\nUse `a <think> b` and </think> as text.';
    for (const model of ['deepseek-r1:7b', 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B', 'qwq:32b', 'Qwen/Qwen3-30B-A3B-Thinking-2507']) {
      for (let k = 0; k <= content.length; k++) {
        for (let j = k; j <= content.length; j += 5) {
          const parts = [content.slice(0, k), content.slice(k, j), content.slice(j)].filter((p) => p !== '');
          const { events } = mapAll([...parts.map((p) => chunk({ content: p })), chunk({}, 'stop')], { model });
          assert.deepEqual(
            toTranscriptJson(reduceAll(streamEvents(events))).items,
            [
              { type: 'thinking', text: 'The user wants x < y.\n' },
              { type: 'text', text: 'Use `a <think> b` and </think> as text.' },
            ],
            `${model} cut at ${k}/${j}`,
          );
          const shown = events.flatMap((e) => (e.kind === 'text.delta' ? [e.delta] : [])).join('');
          assert.equal(shown, 'Use `a <think> b` and </think> as text.', `${model} cut at ${k}/${j}: no reasoning in a text delta`);
        }
      }
    }
  });

  it('the stray </think> rule: the served model counts; an opening <think> still works; an answer without </think> is not lost; other models keep text as text', () => {
    for (const m of ['deepseek-r1:7b', 'DeepSeek-R1-Distill-Qwen-7B', 'bartowski/DeepSeek-R1-Distill-Llama-8B-GGUF', 'qwq:32b', 'Qwen/QwQ-32B', 'qwen3-30b-a3b-thinking-2507']) {
      assert.ok(opensWithReasoning(m), m);
    }
    for (const m of ['gpt-4o', 'qwen2.5-coder:7b', 'qwen3:8b', 'deepseek-chat', 'deepseek-reasoner', 'anthropic/claude-3.7-sonnet:thinking', 'r1', undefined]) {
      assert.ok(!opensWithReasoning(m), String(m));
    }
    // The server names the model (an alias was asked for).
    const served = mapAll([chunk({ content: 'hmm' }, null, { model: 'deepseek-r1-distill-llama-8b' }), chunk({ content: '</think>ok' }), chunk({}, 'stop')], { model: 'tutor' });
    assert.deepEqual(toTranscriptJson(reduceAll(streamEvents(served.events))).items, [
      { type: 'thinking', text: 'hmm' },
      { type: 'text', text: 'ok' },
    ]);
    const opened = mapAll([chunk({ content: '<think>a</think>b' }), chunk({}, 'stop')], { model: 'qwq' });
    assert.deepEqual(toTranscriptJson(reduceAll(streamEvents(opened.events))).items, [
      { type: 'thinking', text: 'a' },
      { type: 'text', text: 'b' },
    ]);
    // No </think> ever came: it was the answer after all, and it is given as the answer.
    const never = mapAll([chunk({ content: 'Just an answer.' }), chunk({}, 'stop')], { model: 'deepseek-r1:1.5b' });
    const items = toTranscriptJson(reduceAll(streamEvents(never.events))).items;
    assert.deepEqual(items.at(-1), { type: 'text', text: 'Just an answer.' });
    assert.ok(never.mapper.assistantMessage().content === 'Just an answer.');
    // A `reasoning` field means the server separates reasoning: the content is the answer from its first character.
    const field = mapAll([chunk({ reasoning: 'r' }), chunk({ content: 'Answer.' }), chunk({}, 'stop')], { model: 'deepseek-r1:7b' });
    assert.deepEqual(toTranscriptJson(reduceAll(streamEvents(field.events))).items, [
      { type: 'thinking', text: 'r' },
      { type: 'text', text: 'Answer.' },
    ]);
    // Any model: a stray </think> before any answer text is dropped with its blank lines.
    const lead = new ThinkSplitter();
    assert.deepEqual([...lead.push('\n</thi'), ...lead.push('nk>\n\nAnswer'), ...lead.end()], [{ kind: 'text', text: 'Answer' }]);
    // A model not known to open its reasoning: text already shown stays the answer, tag and all.
    const other = new ThinkSplitter();
    assert.deepEqual([...other.push('Hmm.\n</think>\n'), ...other.push('Answer'), ...other.end()], [
      { kind: 'text', text: 'Hmm.\n</think>\n' },
      { kind: 'text', text: 'Answer' },
    ]);
  });

  it('an unclosed <think> stays reasoning; text that only starts like a tag is text', () => {
    const s = new ThinkSplitter();
    assert.deepEqual([...s.push('<thi'), ...s.push('nk>abc</th'), ...s.end()], [
      { kind: 'thinking', text: 'abc' },
      { kind: 'thinking', text: '</th' },
    ]);
    const t = new ThinkSplitter();
    assert.deepEqual([...t.push('<th'), ...t.push('e end>'), ...t.end()], [{ kind: 'text', text: '<the end>' }]);
    const u = new ThinkSplitter();
    assert.deepEqual([...u.push('<th'), ...u.end()], [{ kind: 'text', text: '<th' }]);
  });
});

describe('ChatMapper: how a round ends', () => {
  it('finish_reason tool_calls → requires action; `stop` with tool calls too (servers that say stop)', () => {
    for (const finish of ['tool_calls', 'stop', null]) {
      const { events } = mapAll([toolDelta({ index: 0, id: 'c', function: { name: 'get_selection', arguments: '{}' } }), chunk({}, finish)]);
      assert.ok(action(events), `finish ${finish}`);
      assert.equal(ofKind(events, 'run.finished').length, 0);
    }
  });

  it('length → incomplete (max_output_tokens), the cut code block not run; content_filter → incomplete (content_filter)', () => {
    const cut = mapAll([chunk({ content: 'Let me' }), toolDelta({ index: 0, id: 'c', function: { name: 'run_python', arguments: '{"code": "print(' } }), chunk({}, 'length')]).events;
    assertWellFormed(cut, 'length');
    assert.equal(action(cut), undefined);
    const t = reduceAll(streamEvents(cut));
    assert.equal(t.status, 'incomplete');
    assert.equal(t.reason, 'max_output_tokens');
    const codeItem = t.items.find((i) => i.type === 'code');
    assert.ok(codeItem && codeItem.type === 'code' && codeItem.status === 'failed' && codeItem.code === 'print(');
    const filtered = reduceAll(streamEvents(mapAll([chunk({ content: 'I' }), chunk({}, 'content_filter')]).events));
    assert.equal(filtered.status, 'incomplete');
    assert.equal(filtered.reason, 'content_filter');
  });

  it('an `error` chunk fails the run with its message and code; nothing at all is a protocol failure', () => {
    const err = reduceAll(streamEvents(mapAll([chunk({ content: 'a' }), { error: { message: 'Provider returned error', code: 502 } }, chunk({ content: 'b' })]).events));
    assert.equal(err.status, 'failed');
    assert.equal(err.error?.message, 'Provider returned error');
    assert.equal(err.error?.code, '502');
    const empty = reduceAll(streamEvents(mapAll([]).events));
    assert.equal(empty.status, 'failed');
    assert.equal(empty.error?.kind, 'protocol');
  });

  it('usage-only chunks (choices: []) and junk change nothing', () => {
    const { events } = mapAll([chunk({ content: 'x' }), { choices: [], usage: { total_tokens: 3 } }, 'junk', null, { choices: 'no' }, chunk({}, 'stop')]);
    assertWellFormed(events, 'junk');
    assert.deepEqual(toTranscriptJson(reduceAll(streamEvents(events))).items, [{ type: 'text', text: 'x' }]);
  });
});
