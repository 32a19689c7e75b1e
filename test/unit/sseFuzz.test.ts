/**
 * SSE fuzzing (issue 9): 10,000 mutated streams per protocol (Responses; Assistants in the OpenAI and the DashScope
 * shape), seeded, through our SSE decoder, the pure mapper and the reducer. Mutations: truncation, byte flips,
 * CR / LF / CRLF mixes, a BOM, comments, `retry:` / `id:` lines, a line over 1 MB, invalid UTF-8, valid JSON of the
 * wrong shape, events out of order and events sent twice. Required: no exception, every stream ends in a terminal
 * state, memory bounded.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MapperEvent } from '../../src/engine/mapperEvents';
import { AssistantsMapper } from '../../src/engine/providers/assistants/assistantsMapper';
import { ResponsesMapper } from '../../src/engine/providers/responses/responsesMapper';
import { SseDecoder } from '../../src/engine/sse';
import type { StreamEvent } from '../../src/shared/events';
import { emptyTranscript, reduce } from '../../src/shared/transcript';
import { rotatingIdStream } from '../fake/shapes';

const fixtures = join(__dirname, '..', 'fixtures');
const enc = new TextEncoder();

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Split an SSE text into its messages (blank-line separated), keeping each message's text. */
function messagesOf(text: string): string[] {
  return text.split(/\n\n/).filter((m) => m.trim() !== '');
}

const responsesBase = messagesOf(
  rotatingIdStream()
    .map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`)
    .join('') +
    readFileSync(join(fixtures, 'recorded', 'openai-responses', 'openai-error.1.chunks.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => `data: ${l}\n\n`)
      .join(''),
);
const assistantsOpenAi = messagesOf(readFileSync(join(fixtures, 'assistants', 'openai-requires-action.sse.txt'), 'utf8').replace(/\r\n/g, '\n'));
const assistantsDashScope = messagesOf(readFileSync(join(fixtures, 'assistants', 'dashscope-plain-arguments.sse.txt'), 'utf8').replace(/\r\n/g, '\n'));

const wrongShapes = ['null', '[]', '42', '"text"', '{"type":7}', '{"type":"response.output_text.delta","delta":{"x":1}}', '{"object":"thread.run","status":null}', '{"error":"x","status_code":"500"}'];

/** One mutated stream: bytes, cut into random chunks. */
function mutate(base: readonly string[], r: () => number, big: string): Uint8Array[] {
  let msgs = base.slice();
  const pick = () => Math.floor(r() * msgs.length);
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    switch (Math.floor(r() * 9)) {
      case 0: // out of order
        if (msgs.length > 1) {
          const a = pick();
          const b = pick();
          [msgs[a], msgs[b]] = [msgs[b], msgs[a]];
        }
        break;
      case 1: // sent twice
        if (msgs.length > 0) msgs.splice(pick(), 0, msgs[pick()]);
        break;
      case 2: // comments, retry:, id:
        msgs.splice(pick(), 0, [': keep-alive', 'retry: 3000', `id: ${Math.floor(r() * 1e6)}`][Math.floor(r() * 3)]);
        break;
      case 3: // valid JSON, wrong shape
        msgs.splice(pick(), 0, `data: ${wrongShapes[Math.floor(r() * wrongShapes.length)]}`);
        break;
      case 4: // a line over 1 MB (rarely: it is slow to build)
        if (r() < 0.02) msgs.splice(pick(), 0, `data: {"type":"response.output_text.delta","item_id":"m","delta":"${big}"}`);
        break;
      case 5: // drop the end
        msgs = msgs.slice(0, pick());
        break;
      default:
        break;
    }
  }
  const newline = ['\n', '\r\n', '\r'][Math.floor(r() * 3)];
  let text = msgs.map((m) => m.replace(/\n/g, newline)).join(newline + newline) + newline + newline;
  if (r() < 0.1) text = `\uFEFF${text}`;
  let bytes = enc.encode(text);
  if (r() < 0.5) {
    bytes = bytes.slice();
    const flips = 1 + Math.floor(r() * 4);
    for (let i = 0; i < flips; i++) bytes[Math.floor(r() * bytes.length)] ^= 1 << Math.floor(r() * 8);
  }
  if (r() < 0.1) {
    const at = Math.floor(r() * bytes.length);
    bytes = new Uint8Array([...bytes.subarray(0, at), 0xff, 0xc3, 0x28, ...bytes.subarray(at)]); // invalid UTF-8
  }
  if (r() < 0.3) bytes = bytes.subarray(0, Math.floor(r() * bytes.length)); // truncated anywhere
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(r() * 200);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

function runOne(protocol: 'responses' | 'assistants', chunks: readonly Uint8Array[]): string {
  const decoder = new SseDecoder();
  let t = emptyTranscript;
  const apply = (events: MapperEvent[]) => {
    for (const e of events) if (e.kind !== 'file.ref' && e.kind !== 'run.requires_action') t = reduce(t, e as StreamEvent);
  };
  const mapR = new ResponsesMapper();
  const mapA = new AssistantsMapper();
  let action = false;
  const feed = (messages: ReturnType<SseDecoder['push']>) => {
    for (const m of messages) {
      if (protocol === 'assistants') {
        const out = mapA.map(m);
        if (out.some((e) => e.kind === 'run.requires_action')) action = true;
        apply(out);
      } else {
        let data: unknown;
        try {
          data = JSON.parse(m.data);
        } catch {
          continue; // the SDK path throws on bad JSON and the shell ends the run as a protocol error
        }
        const out = mapR.map(data);
        if (out.some((e) => e.kind === 'run.requires_action')) action = true;
        apply(out);
      }
    }
  };
  for (const c of chunks) feed(decoder.push(c));
  feed(decoder.end());
  apply(protocol === 'assistants' ? mapA.end() : mapR.end());
  if (action) return 'requires_action';
  void t.items.length; // the lazy item list builds
  return t.status;
}

for (const [name, protocol, base, seed] of [
  ['Responses', 'responses', responsesBase, 1],
  ['Assistants (OpenAI shape)', 'assistants', assistantsOpenAi, 2],
  ['Assistants (DashScope shape)', 'assistants', assistantsDashScope, 3],
] as const) {
  test(`${name}: 10,000 mutated streams, no exception, every one ends in a terminal state`, () => {
    const r = rng(seed);
    const big = 'x'.repeat(1_100_000);
    const heap0 = process.memoryUsage().heapUsed;
    const ends = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const status = runOne(protocol, mutate(base, r, big));
      ends.set(status, (ends.get(status) ?? 0) + 1);
      assert.notEqual(status, 'in_progress', `stream ${i} did not end`);
    }
    const grown = process.memoryUsage().heapUsed - heap0;
    assert.ok(grown < 200 * 1024 * 1024, `heap grew by ${Math.round(grown / 1e6)} MB`);
    assert.ok((ends.get('failed') ?? 0) > 100, `mutations must break streams too: ${JSON.stringify([...ends])}`);
  });
}
