/**
 * ResponsesMapper against every recorded Responses stream in test/fixtures/recorded/openai-responses, through the real
 * SSE layer, whole and split at byte boundaries; plus the cases the recordings do not show (completed-only servers,
 * image outputs, odd and malformed input).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { StreamEvent } from '../../src/shared/events';
import { type RunTranscript, reduceAll, toTranscriptJson } from '../../src/shared/transcript';
import type { FileRefEvent, MapperEvent, RequiresActionEvent, SseMessage } from '../../src/engine/mapperEvents';
import { ResponsesMapper } from '../../src/engine/providers/responses/responsesMapper';
import { SseDecoder, encodeSse } from '../../src/engine/sse';

const fixturesDir = resolve(__dirname, '../fixtures/recorded/openai-responses');
const enc = new TextEncoder();

type Wire = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- recorded JSON, read freely in tests

function loadEvents(name: string): Wire[] {
  return readFileSync(join(fixturesDir, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Wire);
}

/** The recording framed again as real SSE, `event:` line included. */
function framed(name: string, newline: '\n' | '\r\n'): Uint8Array {
  const lines = readFileSync(join(fixturesDir, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return enc.encode(encodeSse(lines.map((data) => ({ event: (JSON.parse(data) as Wire).type as string, data })), newline));
}

const fixtureNames = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.chunks.txt'))
  .sort();

function mapAll(events: readonly unknown[]): MapperEvent[] {
  const m = new ResponsesMapper();
  return [...events.flatMap((e) => m.map(e)), ...m.end()];
}

/** Bytes → SSE → JSON → mapper, the way the shell does it, with the body cut at `cuts`. */
function pipeline(bytes: Uint8Array, cuts: readonly number[]): MapperEvent[] {
  const d = new SseDecoder();
  const m = new ResponsesMapper();
  const out: MapperEvent[] = [];
  const feed = (messages: SseMessage[]): void => {
    for (const msg of messages) out.push(...m.map(JSON.parse(msg.data)));
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

function streamEvents(events: readonly MapperEvent[]): StreamEvent[] {
  return events.filter((e): e is StreamEvent => e.kind !== 'file.ref' && e.kind !== 'run.requires_action');
}

function transcript(events: readonly MapperEvent[]): RunTranscript {
  return reduceAll(streamEvents(events));
}

const fileRefs = (events: readonly MapperEvent[]): FileRefEvent[] => events.filter((e): e is FileRefEvent => e.kind === 'file.ref');
const actions = (events: readonly MapperEvent[]): RequiresActionEvent[] =>
  events.filter((e): e is RequiresActionEvent => e.kind === 'run.requires_action');
const ofKind = <K extends MapperEvent['kind']>(events: readonly MapperEvent[], kind: K): Extract<MapperEvent, { kind: K }>[] =>
  events.filter((e): e is Extract<MapperEvent, { kind: K }> => e.kind === kind);

/** The rules every mapping must keep, whatever the stream. */
function assertWellFormed(events: readonly MapperEvent[], where: string): void {
  const finished = events.findIndex((e) => e.kind === 'run.finished');
  assert.ok(events.length > 0, `${where}: no events`);
  const last = events[events.length - 1];
  assert.ok(last.kind === 'run.finished' || last.kind === 'run.requires_action', `${where}: the last event is ${last.kind}`);
  assert.equal(ofKind(events, 'run.finished').length, finished < 0 ? 0 : 1, `${where}: more than one run.finished`);
  if (finished >= 0) assert.equal(finished, events.length - 1, `${where}: events after run.finished`);
  // One terminal per response: between two terminals there is a run.started.
  let open = false;
  for (const e of events) {
    if (e.kind === 'run.started') open = true;
    if (e.kind === 'run.finished' || e.kind === 'run.requires_action') {
      assert.ok(open || e === events[0] || events.every((x) => x.kind !== 'run.started'), `${where}: two terminals for one response`);
      open = false;
    }
  }
  const ids = fileRefs(events).map((f) => f.fileId);
  assert.equal(new Set(ids).size, ids.length, `${where}: a file.ref sent twice`);
  const outputs = ofKind(events, 'code.output').map((o) => JSON.stringify(o));
  assert.equal(new Set(outputs).size, outputs.length, `${where}: a code.output sent twice`);
  // Deltas add up to the authoritative text and code.
  for (const done of ofKind(events, 'text.done')) {
    const deltas = ofKind(events, 'text.delta').filter((d) => d.id === done.id);
    if (deltas.length) assert.equal(deltas.map((d) => d.delta).join(''), done.text, `${where}: text deltas of ${done.id}`);
  }
  for (const done of ofKind(events, 'code.done')) {
    const deltas = ofKind(events, 'code.delta').filter((d) => d.id === done.id);
    if (deltas.length) assert.equal(deltas.map((d) => d.delta).join(''), done.code, `${where}: code deltas of ${done.id}`);
  }
}

function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let k = from; k < to; k += step) out.push(k);
  return out;
}

const CI = 'openai-code-interpreter-tool.1.chunks.txt';

describe('ResponsesMapper on the recorded streams', () => {
  it('code interpreter: 3 code blocks with their code and logs, the answer text, the CSV file, completed', () => {
    const wire = loadEvents(CI);
    const events = mapAll(wire);
    assertWellFormed(events, CI);
    const t = transcript(events);

    const codeDone = wire.filter((e) => e.type === 'response.code_interpreter_call_code.done');
    const textDone = wire.filter((e) => e.type === 'response.output_text.done');
    assert.equal(codeDone.length, 3);
    assert.equal(textDone.length, 1);

    assert.equal(t.status, 'completed');
    assert.equal(t.error, null);
    assert.equal(t.responseId, 'resp_68c2e6efa238819383d5f52a2c2a3baa02d3a5742c7ddae9');
    assert.deepEqual(ofKind(events, 'run.started'), [
      { kind: 'run.started', responseId: 'resp_68c2e6efa238819383d5f52a2c2a3baa02d3a5742c7ddae9', model: 'gpt-5-nano-2025-08-07' },
    ]);
    assert.deepEqual(
      t.items.map((i) => [i.type, i.id]),
      [
        ['code', 'ci_68c2e6f7b72c8193ba1f552552c8dc9202d3a5742c7ddae9'],
        ['code', 'ci_68c2e6fd57948193aa93df6bdb00a86d02d3a5742c7ddae9'],
        ['code', 'ci_68c2e701a23081939c93b6fb5bb952d302d3a5742c7ddae9'],
        ['text', 'msg_68c2e7054ae481938354ab3e4e77abad02d3a5742c7ddae9:0'],
      ],
    );
    const code = t.items.filter((i) => i.type === 'code');
    assert.deepEqual(
      code.map((c) => c.code),
      codeDone.map((e) => e.code as string),
    );
    assert.ok(code[0].code.startsWith('import random, math\nN=10000\n'));
    for (const c of code) {
      assert.equal(c.language, 'python');
      assert.equal(c.status, 'done');
    }
    // The logs named in the fixtures README, in order, each exactly once.
    assert.deepEqual(code[0].outputs, [{ type: 'logs', text: '(2, 12, 69868, 6.9868)' }]);
    assert.deepEqual(code[1].outputs, [{ type: 'logs', text: "(PosixPath('/mnt/data/roll2dice_sums_10000.csv'), True, 10000)" }]);
    assert.equal(code[2].outputs.length, 1);
    const third = code[2].outputs[0];
    assert.ok(third.type === 'logs' && third.text.startsWith('[6, 7, 2, 5, '), JSON.stringify(third));
    assert.equal(ofKind(events, 'code.output').length, 3);

    const text = t.items.find((i) => i.type === 'text');
    assert.ok(text?.type === 'text');
    assert.equal(text.text, textDone[0].text);
    assert.ok(text.text.startsWith('Here’s a simulation of rolling two fair six-sided dice 10,000 times.'));

    assert.deepEqual(fileRefs(events), [
      {
        kind: 'file.ref',
        containerId: 'cntr_68c2e6f380d881908a57a82d394434ff02f484f5344062e9',
        fileId: 'cfile_68c2e7084ab48191a67824aa1f4c90f1',
        filename: 'roll2dice_sums_10000.csv',
      },
    ]);
    // Status order of one block: writing → running → done.
    const statuses = ofKind(events, 'code.status')
      .filter((s) => s.id === code[0].id)
      .map((s) => s.status);
    assert.deepEqual(statuses, ['writing', 'running', 'done']);
    // The public --transcript shape.
    const json = toTranscriptJson(t);
    assert.equal(json.status, 'completed');
    assert.deepEqual(
      json.items.map((i) => i.type),
      ['code', 'code', 'code', 'text'],
    );
  });

  it('insufficient quota: failed, kind quota, with the server message', () => {
    const events = mapAll(loadEvents('openai-error.1.chunks.txt'));
    assertWellFormed(events, 'openai-error');
    const t = transcript(events);
    assert.equal(t.status, 'failed');
    assert.equal(t.error?.kind, 'quota');
    assert.equal(t.error?.code, 'insufficient_quota');
    assert.match(t.error?.message ?? '', /^You exceeded your current quota/);
    assert.equal(t.responseId, 'resp_05500b38c2cd9bfc00691c7c9d222481a3b595421266dab424');
    assert.deepEqual(t.items, []);
  });

  it('insufficient quota, stream cut after the `error` event: end() reports the remembered error', () => {
    const wire = loadEvents('openai-error.1.chunks.txt').filter((e) => e.type !== 'response.failed');
    const events = mapAll(wire);
    assertWellFormed(events, 'openai-error without response.failed');
    assert.equal(transcript(events).error?.kind, 'quota');
  });

  it('a lone server_error event with a null code: failed, kind server, from end()', () => {
    const wire = loadEvents('openai-error-null-code.1.chunks.txt');
    const m = new ResponsesMapper();
    assert.deepEqual(
      wire.flatMap((e) => m.map(e)),
      [],
    );
    const end = m.end();
    assert.deepEqual(end, [
      { kind: 'run.finished', status: 'failed', error: { kind: 'server', message: 'Sorry, something went wrong.', code: 'server_error' } },
    ]);
  });

  it('response.failed alone (rate limit): failed, kind rate_limit', () => {
    const events = mapAll(loadEvents('openai-response-failed-only.1.chunks.txt'));
    assertWellFormed(events, 'failed-only');
    const t = transcript(events);
    assert.equal(t.status, 'failed');
    assert.deepEqual(t.error, {
      kind: 'rate_limit',
      code: 'rate_limit_exceeded',
      message: 'Request too large for gpt-4o-mini in organization on tokens per min (TPM): Limit 30000, Requested 35364.',
    });
    assert.deepEqual(ofKind(events, 'run.started'), [{ kind: 'run.started', responseId: 'resp_test_failed_001', model: 'gpt-4o-mini' }]);
  });

  it('web search: the answer text only (searches, reasoning and url citations ignored), completed', () => {
    const wire = loadEvents('openai-web-search-tool.1.chunks.txt');
    const events = mapAll(wire);
    assertWellFormed(events, 'web search');
    const t = transcript(events);
    assert.equal(t.status, 'completed');
    assert.equal(t.items.length, 1);
    const text = t.items[0];
    assert.ok(text.type === 'text');
    assert.equal(text.text, wire.find((e) => e.type === 'response.output_text.done')?.text);
    assert.ok(text.text.length > 1000);
    assert.deepEqual(fileRefs(events), []);
    assert.deepEqual(
      [...new Set(events.map((e) => e.kind))].sort(),
      ['run.finished', 'run.started', 'text.delta', 'text.done'],
    );
  });

  it('image generation: nothing to show (the tool is not ours, the message is empty), completed', () => {
    const events = mapAll(loadEvents('openai-image-generation-tool.1.chunks.txt'));
    assertWellFormed(events, 'image generation');
    const t = transcript(events);
    assert.equal(t.status, 'completed');
    assert.deepEqual(t.items, []);
    assert.equal(ofKind(events, 'code.output').length + fileRefs(events).length, 0);
  });

  it('gpt-5.1 function call (issue 19493): tool.call, then run.requires_action instead of run.finished', () => {
    const wire = loadEvents('issue-19493-gpt-5.1-tool-call.chunks.txt');
    const m = new ResponsesMapper();
    const events = wire.flatMap((e) => m.map(e));
    assertWellFormed(events, 'issue-19493');
    const call = { callId: 'call_2FQdm3Br7Qb35YUBSkDR7kue', name: 'get_weather', arguments: '{"city":"Beijing"}' };
    const itemId = 'fc_0775572d10a16b66006a8d8528e8a887d2a32ef76463d40c98';
    assert.deepEqual(ofKind(events, 'tool.call'), [{ kind: 'tool.call', id: itemId, call }]);
    const deltas = wire.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => e.delta as string);
    assert.equal(deltas.join(''), call.arguments);
    assert.deepEqual(events[events.length - 1], {
      kind: 'run.requires_action',
      responseId: 'resp_0775572d10a16b66006a8d85285ef487d2ae865d3657af7276',
      calls: [{ ...call, itemId }],
    });
    assert.equal(ofKind(events, 'run.finished').length, 0);
    // A stream that ends after asking for action ended properly: the shell continues with a new request.
    assert.deepEqual(m.end(), []);
    assert.deepEqual(m.map(wire[0]), [], 'nothing after end()');
  });

  it('four responses back to back (a tool loop): three rounds of requires_action, then the answer, completed', () => {
    const wire = loadEvents('openai-reasoning-encrypted-content.1.chunks.txt');
    const events = mapAll(wire);
    assertWellFormed(events, 'reasoning-encrypted-content');
    const created = wire.filter((e) => e.type === 'response.created').map((e) => e.response.id as string);
    assert.equal(created.length, 4);
    assert.deepEqual(
      ofKind(events, 'run.started').map((e) => e.responseId),
      created,
    );
    assert.deepEqual(
      events.filter((e) => e.kind === 'run.started' || e.kind === 'run.requires_action' || e.kind === 'run.finished').map((e) => e.kind),
      ['run.started', 'run.requires_action', 'run.started', 'run.requires_action', 'run.started', 'run.requires_action', 'run.started', 'run.finished'],
    );
    const argsDone = wire.filter((e) => e.type === 'response.function_call_arguments.done');
    const callItems = wire.filter((e) => e.type === 'response.output_item.done' && e.item.type === 'function_call').map((e) => e.item);
    assert.equal(callItems.length, 3);
    const acts = actions(events);
    assert.deepEqual(
      acts.map((a) => a.responseId),
      created.slice(0, 3),
    );
    acts.forEach((a, i) => {
      assert.deepEqual(a.calls, [
        { callId: callItems[i].call_id, name: callItems[i].name, arguments: argsDone[i].arguments, itemId: callItems[i].id },
      ]);
    });
    const t = transcript(events);
    assert.equal(t.status, 'completed');
    assert.equal(t.responseId, created[3]);
    assert.deepEqual(
      t.items.map((i) => i.type),
      ['tool', 'tool', 'tool', 'text'],
    );
    const text = t.items[3];
    assert.ok(text.type === 'text');
    assert.equal(text.text, wire.find((e) => e.type === 'response.output_text.done')?.text);
    // Reasoning (summaries, encrypted content) is not shown.
    assert.ok(!JSON.stringify(events).includes('encrypted'));
  });
});

describe('every recording, through the SSE layer, cut at byte boundaries', () => {
  /**
   * The SSE messages themselves are compared at every split k in sse.test.ts; the mapper is a pure function of
   * them. Here the whole pipeline (bytes → SSE → JSON → mapper → transcript) is checked fed one byte at a time, and
   * in two pieces at every k for recordings up to 16 KB; for the larger ones at a sample of k: every SSE message
   * boundary ±2 bytes and every 401st byte (every k there would take minutes).
   */
  for (const name of fixtureNames) {
    it(name, () => {
      const newline = name.includes('web-search') || name.includes('error.1') ? '\r\n' : '\n';
      const bytes = framed(name, newline);
      const whole = mapAll(loadEvents(name));
      const want = transcript(whole);
      assert.deepEqual(pipeline(bytes, []), whole);
      assert.deepEqual(pipeline(bytes, range(1, bytes.length)), whole, 'one byte at a time');
      const wantJson = JSON.stringify(want);
      let cuts: Iterable<number>;
      if (bytes.length <= 16_000) cuts = range(1, bytes.length);
      else {
        const sample = new Set(range(1, bytes.length, 401));
        const text = new TextDecoder().decode(bytes);
        const sep = newline + newline;
        for (let i = text.indexOf(sep); i >= 0; i = text.indexOf(sep, i + 1)) {
          const at = enc.encode(text.slice(0, i + sep.length)).length;
          for (let d = -2; d <= 2; d++) if (at + d > 0 && at + d < bytes.length) sample.add(at + d);
        }
        cuts = sample;
      }
      for (const k of cuts) {
        const got = transcript(pipeline(bytes, [k]));
        if (JSON.stringify(got) !== wantJson) assert.deepEqual(got, want, `split at byte ${k}`);
      }
    });
  }
});

/** The code-interpreter recording with the given events dropped or changed. */
function variant(change: (e: Wire) => Wire | undefined): Wire[] {
  return loadEvents(CI)
    .map((e) => change(structuredClone(e)))
    .filter((e): e is Wire => e !== undefined);
}

describe('ResponsesMapper robustness', () => {
  const reference = transcript(mapAll(loadEvents(CI)));

  it('ignores unknown event types and unknown item types (new ones will appear)', () => {
    const wire: unknown[] = [];
    for (const e of loadEvents(CI)) {
      wire.push(e, { type: 'response.future_thing.delta', item_id: e.item_id, delta: 'x', sequence_number: -1 });
      if (e.type === 'response.output_item.added') wire.push({ type: 'response.output_item.added', item: { type: 'computer_call', id: 'cu_1', status: 'in_progress' } });
    }
    const events = mapAll(wire);
    assertWellFormed(events, 'unknown types');
    assert.deepEqual(transcript(events), reference);
  });

  it('ignores extra vendor fields on events, items, outputs and annotations', () => {
    const addVendor = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(addVendor);
      if (v && typeof v === 'object') {
        const o: Wire = { x_vendor: { trace: 'abc', n: 1 }, dashscope_request_id: 'r-1' };
        for (const [k, x] of Object.entries(v)) o[k] = addVendor(x);
        return o;
      }
      return v;
    };
    const events = mapAll(loadEvents(CI).map(addVendor));
    assert.deepEqual(transcript(events), reference);
    assert.equal(fileRefs(events).length, 1);
  });

  it('copes with missing optional fields (sequence numbers, indexes, obfuscation, model, statuses)', () => {
    const optional = ['sequence_number', 'output_index', 'obfuscation', 'logprobs', 'annotation_index', 'content_index'];
    const wire = variant((e) => {
      for (const k of optional) delete e[k];
      if (e.response) delete e.response.model;
      if (e.item) delete e.item.status;
      return e;
    });
    const events = mapAll(wire);
    assertWellFormed(events, 'missing fields');
    assert.deepEqual(toTranscriptJson(transcript(events)), toTranscriptJson(reference));
    assert.deepEqual(ofKind(events, 'run.started'), [{ kind: 'run.started', responseId: reference.responseId }]);
  });

  it('never throws when any one field of any recorded event is missing or of the wrong type', () => {
    for (const name of fixtureNames) {
      const wire = loadEvents(name);
      const seen = new Set<string>();
      for (const e of wire) {
        if (seen.has(e.type)) continue;
        seen.add(e.type);
        for (const key of Object.keys(e)) {
          for (const bad of [undefined, null, 42, 'x', [], {}]) {
            const m = new ResponsesMapper();
            const broken = { ...e, [key]: bad };
            if (bad === undefined) delete broken[key];
            assert.doesNotThrow(() => {
              m.map(wire[0]);
              m.map(broken);
              m.end();
            }, `${name} ${e.type}.${key} = ${JSON.stringify(bad)}`);
          }
        }
      }
    }
  });

  it('ignores malformed input that is not an event object', () => {
    const m = new ResponsesMapper();
    for (const bad of [null, undefined, 42, 'response.created', [], [{ type: 'response.created' }], { type: 5 }, {}, true]) assert.deepEqual(m.map(bad), []);
    assert.equal(m.end()[0].kind, 'run.finished');
  });

  it('sends one run.started for created + in_progress, and nothing after run.finished', () => {
    const wire = loadEvents(CI);
    const m = new ResponsesMapper();
    const events = wire.flatMap((e) => m.map(e));
    assert.equal(ofKind(events, 'run.started').length, 1);
    assert.equal(events[events.length - 1].kind, 'run.finished');
    for (const e of wire) assert.deepEqual(m.map(e), [], `after run.finished: ${e.type}`);
    assert.deepEqual(m.end(), []);
  });

  it('does not send outputs, texts or files twice, however often the server repeats them', () => {
    const wire: Wire[] = [];
    for (const e of loadEvents(CI)) {
      wire.push(e);
      if (e.type === 'response.output_item.done' || e.type === 'response.output_text.done' || e.type === 'response.output_text.annotation.added') wire.push(e);
      if (e.type === 'response.code_interpreter_call_code.done' || e.type === 'response.content_part.done') wire.push(e);
    }
    const events = mapAll(wire);
    assertWellFormed(events, 'repeats');
    assert.equal(ofKind(events, 'code.output').length, 3);
    assert.equal(ofKind(events, 'text.done').length, 1);
    assert.equal(ofKind(events, 'code.done').length, 3);
    assert.deepEqual(transcript(events), reference);
  });

  it('sends an output that appears only in response.completed, after the ones already sent', () => {
    const extra = { type: 'logs', logs: 'late line' };
    const wire = variant((e) => {
      if (e.type === 'response.completed') e.response.output[1].outputs.push(extra);
      return e;
    });
    const t = transcript(mapAll(wire));
    const first = t.items[0];
    assert.ok(first.type === 'code');
    assert.deepEqual(first.outputs, [
      { type: 'logs', text: '(2, 12, 69868, 6.9868)' },
      { type: 'logs', text: 'late line' },
    ]);
  });

  it('reconciles from response.completed when the server skipped every delta and item event', () => {
    const wire = variant((e) => (e.type === 'response.created' || e.type === 'response.completed' ? e : undefined));
    assert.equal(wire.length, 2);
    const events = mapAll(wire);
    assertWellFormed(events, 'completed only');
    assert.deepEqual(transcript(events), reference);
    assert.equal(fileRefs(events).length, 1);
  });

  it('reconciles when only the item-done events are missing (code, outputs and status from response.completed)', () => {
    const wire = variant((e) => (e.type === 'response.output_item.done' || e.type === 'response.content_part.done' ? undefined : e));
    const events = mapAll(wire);
    assertWellFormed(events, 'no item done');
    assert.deepEqual(transcript(events), reference);
  });

  it('reconciles the non-streaming Response JSON sent as one multi-line SSE event (CRLF)', () => {
    const response = JSON.parse(readFileSync(join(fixturesDir, 'openai-code-interpreter-tool.1.json'), 'utf8')) as Wire;
    const created = { type: 'response.created', response: { ...response, status: 'in_progress', output: [] } };
    const completed = { type: 'response.completed', response };
    // Pretty-printed: every line of the JSON becomes a `data:` line.
    const sse = encodeSse(
      [created, completed].map((e) => ({ event: e.type, data: JSON.stringify(e, null, 2) })),
      '\r\n',
    );
    const bytes = enc.encode(sse);
    const events = pipeline(bytes, []);
    assertWellFormed(events, 'response json');
    const t = transcript(events);
    assert.equal(t.status, 'completed');
    const codes = response.output.filter((o: Wire) => o.type === 'code_interpreter_call');
    assert.deepEqual(
      t.items.map((i) => (i.type === 'code' ? { code: i.code, outputs: i.outputs, status: i.status } : { text: i.type === 'text' ? i.text : '' })),
      [
        ...codes.map((c: Wire) => ({ code: c.code, outputs: c.outputs.map((o: Wire) => ({ type: 'logs', text: o.logs })), status: 'done' })),
        { text: response.output.find((o: Wire) => o.type === 'message').content[0].text },
      ],
    );
    assert.ok(codes[0].code.includes('\r\n'), 'the recorded code keeps its CRLF line endings');
    const second = t.items[1];
    assert.ok(second.type === 'code');
    assert.deepEqual(second.outputs, []); // a completed call with no output at all
    assert.deepEqual(fileRefs(events), [
      {
        kind: 'file.ref',
        containerId: 'cntr_6903bf2c0470819090b2b1e63e0b66800c139a5d654a42ec',
        fileId: 'cfile_6903bf45e3288191af3d56e6d23c3a4d',
        filename: 'two_dice_sums_10000.txt',
      },
    ]);
    for (const k of range(1, bytes.length)) assert.deepEqual(transcript(pipeline(bytes, [k])), t, `split at ${k}`);
  });

  it('reconciles function calls found only in response.completed', () => {
    const wire = loadEvents('issue-19493-gpt-5.1-tool-call.chunks.txt').filter((e) => e.type === 'response.created' || e.type === 'response.completed');
    const events = mapAll(wire);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['run.started', 'tool.call', 'run.requires_action'],
    );
    assert.equal(actions(events)[0].calls[0].arguments, '{"city":"Beijing"}');
  });

  it('a stream that stops mid-run fails as a protocol error, and open code blocks are marked failed', () => {
    const wire = loadEvents(CI);
    const cut = wire.findIndex((e) => e.type === 'response.code_interpreter_call_code.delta' && e.sequence_number > 100);
    const events = mapAll(wire.slice(0, cut));
    assertWellFormed(events, 'cut');
    const t = transcript(events);
    assert.equal(t.status, 'failed');
    assert.equal(t.error?.kind, 'protocol');
    assert.match(t.error?.message ?? '', /ended before the run finished/);
    assert.deepEqual(
      t.items.map((i) => (i.type === 'code' ? i.status : i.type)),
      ['done', 'failed'],
    );
    assert.deepEqual(mapAll([]), [{ kind: 'run.finished', status: 'failed', error: { kind: 'protocol', message: 'The server answered with an empty stream: no events at all.' } }]);
  });

  it('response.incomplete finishes as incomplete with its reason', () => {
    const wire = variant((e) => {
      if (e.type !== 'response.completed') return e;
      return { ...e, type: 'response.incomplete', response: { ...e.response, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } };
    });
    const events = mapAll(wire);
    assertWellFormed(events, 'incomplete');
    assert.deepEqual(events[events.length - 1], { kind: 'run.finished', status: 'incomplete', reason: 'max_output_tokens' });
    assert.equal(transcript(events).reason, 'max_output_tokens');
  });

  it('response.incomplete with function calls finishes as incomplete, not requires_action', () => {
    const wire = loadEvents('issue-19493-gpt-5.1-tool-call.chunks.txt').map((e) =>
      e.type === 'response.completed' ? { ...e, type: 'response.incomplete', response: { ...e.response, incomplete_details: null } } : e,
    );
    const events = mapAll(wire);
    assert.deepEqual(events[events.length - 1], { kind: 'run.finished', status: 'incomplete' });
    assert.equal(actions(events).length, 0);
  });

  it('maps provider error codes to kinds a person can act on', () => {
    const cases: [string | null, string | undefined, string][] = [
      ['insufficient_quota', 'insufficient_quota', 'quota'],
      ['rate_limit_exceeded', 'requests', 'rate_limit'],
      ['invalid_api_key', 'invalid_request_error', 'auth'],
      ['server_error', undefined, 'server'],
      [null, 'server_error', 'server'],
      [null, undefined, 'server'],
      ['model_not_found', 'invalid_request_error', 'not_found'],
      ['something_new', 'invalid_request_error', 'bad_request'],
      ['something_new', undefined, 'server'],
    ];
    for (const [code, type, kind] of cases) {
      const failed = mapAll([
        { type: 'response.created', response: { id: 'resp_1' } },
        { type: 'response.failed', response: { id: 'resp_1', status: 'failed', error: { code, type, message: 'boom' } } },
      ]);
      assert.equal(transcript(failed).error?.kind, kind, `response.failed ${code}/${type}`);
      const streamError = mapAll([{ type: 'response.created', response: { id: 'resp_1' } }, { type: 'error', error: { code, type, message: 'boom' } }]);
      assert.equal(transcript(streamError).error?.kind, kind, `error event ${code}/${type}`);
      // The older flat shape of the `error` event.
      const flat = mapAll([{ type: 'error', code, message: 'boom' }]);
      assert.equal(transcript(flat).error?.message, 'boom');
    }
    const noDetails = mapAll([{ type: 'response.failed', response: { id: 'r' } }]);
    assert.equal(transcript(noDetails).error?.kind, 'server');
  });

  it('maps image outputs: a data: URL to an image, a file id or a container file URL to a file.ref', () => {
    const container = 'cntr_1';
    const item = {
      id: 'ci_1',
      type: 'code_interpreter_call',
      status: 'completed',
      code: 'plot()',
      container_id: container,
      outputs: [
        { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' },
        { type: 'image', url: 'data:image/svg+xml,%3Csvg%2F%3E' },
        { type: 'image', file_id: 'cfile_a' },
        { type: 'image', url: 'https://api.openai.com/v1/containers/cntr_2/files/cfile_b/content' },
        { type: 'image', url: 'https://cdn.example/x.png' },
        { type: 'files', files: [{ file_id: 'cfile_c', mime_type: 'text/csv' }] },
        { type: 'future_output', blob: 1 },
      ],
    };
    const events = mapAll([
      { type: 'response.created', response: { id: 'r' } },
      { type: 'response.output_item.added', item: { ...item, status: 'in_progress', code: '', outputs: [] } },
      { type: 'response.output_item.done', item },
      { type: 'response.completed', response: { id: 'r', output: [item] } },
    ]);
    assertWellFormed(events, 'images');
    const code = transcript(events).items[0];
    assert.ok(code.type === 'code');
    assert.deepEqual(code.outputs, [
      { type: 'image', mime: 'image/png', base64: 'iVBORw0KGgo=' },
      { type: 'image', mime: 'image/svg+xml', base64: Buffer.from('<svg/>').toString('base64') },
      { type: 'logs', text: '[image] https://cdn.example/x.png' },
    ]);
    assert.equal(code.status, 'done');
    assert.deepEqual(fileRefs(events), [
      { kind: 'file.ref', containerId: container, fileId: 'cfile_a', attachTo: 'ci_1', asImage: true },
      { kind: 'file.ref', containerId: 'cntr_2', fileId: 'cfile_b', attachTo: 'ci_1', asImage: true },
      { kind: 'file.ref', containerId: container, fileId: 'cfile_c', attachTo: 'ci_1' },
    ]);
  });

  it('a failed code item settles as failed', () => {
    const item = { id: 'ci_1', type: 'code_interpreter_call', status: 'failed', code: 'x', outputs: [] };
    const t = transcript(mapAll([{ type: 'response.created', response: { id: 'r' } }, { type: 'response.output_item.done', item }, { type: 'response.completed', response: { id: 'r', output: [item] } }]));
    assert.deepEqual(t.items, [{ type: 'code', id: 'ci_1', language: 'python', code: 'x', status: 'failed', outputs: [] }]);
  });

  it('streams a refusal as text, marked as a refusal', () => {
    const events = mapAll([
      { type: 'response.created', response: { id: 'r' } },
      { type: 'response.refusal.delta', item_id: 'msg_1', content_index: 0, delta: 'I can’t ' },
      { type: 'response.refusal.delta', item_id: 'msg_1', content_index: 0, delta: 'help with that.' },
      { type: 'response.refusal.done', item_id: 'msg_1', content_index: 0, refusal: 'I can’t help with that.' },
      { type: 'response.completed', response: { id: 'r', output: [{ type: 'message', id: 'msg_1', content: [{ type: 'refusal', refusal: 'I can’t help with that.' }] }] } },
    ]);
    assertWellFormed(events, 'refusal');
    assert.deepEqual(transcript(events).items, [{ type: 'text', id: 'msg_1:0', text: 'I can’t help with that.', refusal: true }]);
  });

  it('keeps multi-byte text intact when its bytes are cut anywhere', () => {
    const text = '掷两个骰子 10000 次 🎲🎲，和的分布：7 最常见 ✅ — naïve café 𝔘';
    const pieces = [...text]; // by code point, one delta each
    const wire = [
      { type: 'response.created', response: { id: 'r', model: 'qwen' } },
      ...pieces.map((delta) => ({ type: 'response.output_text.delta', item_id: 'msg_zh', content_index: 0, delta })),
      { type: 'response.output_text.done', item_id: 'msg_zh', content_index: 0, text },
      { type: 'response.completed', response: { id: 'r' } },
    ];
    const bytes = enc.encode(encodeSse(wire.map((e) => ({ event: e.type, data: JSON.stringify(e) }))));
    const want = transcript(mapAll(wire));
    assert.deepEqual(want.items, [{ type: 'text', id: 'msg_zh:0', text }]);
    assert.deepEqual(transcript(pipeline(bytes, range(1, bytes.length))), want);
    for (const k of range(1, bytes.length)) assert.deepEqual(transcript(pipeline(bytes, [k])), want, `split at ${k}`);
  });
});
