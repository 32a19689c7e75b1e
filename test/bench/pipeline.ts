/**
 * Section 1: the streaming core over real recordings, in process. Each stage is timed on its own (SSE decoding,
 * JSON parsing + protocol mapping, transcript reduction) and then all of them together, fed as the network would
 * (1 KiB chunks) and one byte at a time.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MapperEvent, SseMessage } from '../../src/engine/mapperEvents';
import { AssistantsMapper } from '../../src/engine/providers/assistants/assistantsMapper';
import { ResponsesMapper } from '../../src/engine/providers/responses/responsesMapper';
import { SseDecoder, encodeSse } from '../../src/engine/sse';
import type { StreamEvent } from '../../src/shared/events';
import { type RunTranscript, emptyTranscript, reduce, reduceAll } from '../../src/shared/transcript';
import { median, timePasses } from './measure';
import { type Cell, num, printTable } from './table';

const fixturesDir = resolve(__dirname, '../fixtures/recorded');

/** The mapper's requests for the I/O shell (file downloads, tool rounds) never reach the reducer. */
export function isStreamEvent(e: MapperEvent): e is StreamEvent {
  return e.kind !== 'file.ref' && e.kind !== 'run.requires_action';
}

interface WireMapper {
  map(m: SseMessage): MapperEvent[];
  end(): MapperEvent[];
}

/** One recording and the mapper of its protocol. */
interface Recording {
  readonly label: string;
  readonly file: string;
  /** The bytes as they cross the wire (SSE framing included). */
  readonly bytes: Uint8Array;
  /** A fresh mapper per stream; JSON parsing is part of `map` (the openai SDK does it for Responses, the mapper for Assistants). */
  newMapper(): WireMapper;
}

function responsesRecording(): Recording {
  const file = 'openai-responses/openai-code-interpreter-tool.1.chunks.txt';
  const lines = readFileSync(resolve(fixturesDir, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const sse = encodeSse(lines.map((data) => ({ event: (JSON.parse(data) as { type: string }).type, data })));
  return {
    label: 'Responses',
    file,
    bytes: new TextEncoder().encode(sse),
    newMapper() {
      const mapper = new ResponsesMapper();
      return { map: (m) => mapper.map(JSON.parse(m.data)), end: () => mapper.end() };
    },
  };
}

function assistantsRecording(): Recording {
  const file = 'openai-assistants/openllmetry.test_streaming_new_assistant_with_events_with_content.run-stream.sse.txt';
  return {
    label: 'Assistants',
    file,
    bytes: new Uint8Array(readFileSync(resolve(fixturesDir, file))),
    newMapper() {
      const mapper = new AssistantsMapper();
      return { map: (m) => mapper.map(m), end: () => mapper.end() };
    },
  };
}

/** Views on the bytes, `size` at a time (no copies, so slicing costs nothing inside the timed pass). */
function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, Math.min(i + size, bytes.length)));
  return out;
}

function decode(chunks: readonly Uint8Array[]): SseMessage[] {
  const decoder = new SseDecoder();
  const out: SseMessage[] = [];
  for (const c of chunks) for (const m of decoder.push(c)) out.push(m);
  for (const m of decoder.end()) out.push(m);
  return out;
}

function parseOnly(messages: readonly SseMessage[]): number {
  let n = 0;
  for (const m of messages) {
    const d = m.data.trim();
    if (d !== '' && d !== '[DONE]') n += JSON.parse(d) === null ? 0 : 1;
  }
  return n;
}

function mapAll(rec: Recording, messages: readonly SseMessage[]): StreamEvent[] {
  const mapper = rec.newMapper();
  const out: StreamEvent[] = [];
  for (const m of messages) for (const e of mapper.map(m)) if (isStreamEvent(e)) out.push(e);
  for (const e of mapper.end()) if (isStreamEvent(e)) out.push(e);
  return out;
}

/** Everything at once, as a live run does it: each chunk is decoded, mapped and reduced before the next arrives. */
function together(rec: Recording, chunks: readonly Uint8Array[]): RunTranscript {
  const decoder = new SseDecoder();
  const mapper = rec.newMapper();
  let t = emptyTranscript;
  const apply = (events: readonly MapperEvent[]) => {
    for (const e of events) if (isStreamEvent(e)) t = reduce(t, e);
  };
  for (const c of chunks) for (const m of decoder.push(c)) apply(mapper.map(m));
  for (const m of decoder.end()) apply(mapper.map(m));
  apply(mapper.end());
  return t;
}

export interface PipelineResult {
  readonly label: string;
  readonly bytes: number;
  readonly wireEvents: number;
  readonly ourEvents: number;
  /** Median ms per pass, by row key. */
  readonly ms: Record<'decode1' | 'decodeK' | 'parse' | 'map' | 'reduce' | 'all1' | 'allK', number>;
}

function benchRecording(rec: Recording): PipelineResult {
  const bytesK = chunked(rec.bytes, 1024);
  const bytes1 = chunked(rec.bytes, 1);
  const messages = decode(bytesK);
  const events = mapAll(rec, messages);
  const reference = JSON.stringify(reduceAll(events));
  const same = JSON.stringify(together(rec, bytes1)) === reference && JSON.stringify(together(rec, bytesK)) === reference;
  const final = reduceAll(events);

  const slow = { minPasses: 5, minMs: 500, warmup: 1 };
  const fast = { minMs: 400 };
  const ms = {
    decode1: median(timePasses(() => decode(bytes1), slow)),
    decodeK: median(timePasses(() => decode(bytesK), fast)),
    parse: median(timePasses(() => parseOnly(messages), fast)),
    map: median(timePasses(() => mapAll(rec, messages), fast)),
    reduce: median(timePasses(() => reduceAll(events), fast)),
    all1: median(timePasses(() => together(rec, bytes1), slow)),
    allK: median(timePasses(() => together(rec, bytesK), fast)),
  };

  const mb = rec.bytes.length / 1e6;
  const row = (stage: string, feed: string, t: number): Cell[] => [
    stage,
    feed,
    num(t, 3),
    num(mb / (t / 1000), 1),
    num(messages.length / (t / 1000), 0),
    num(events.length / (t / 1000), 0),
  ];
  const items = final.items.map((i) => i.type).join(', ');
  printTable(
    `${rec.label}: ${rec.file}`,
    ['stage', 'fed as', 'ms/pass (median)', 'MB/s', 'wire events/s', 'our events/s'],
    [
      row('SSE decode', '1 byte', ms.decode1),
      row('SSE decode', '1 KiB', ms.decodeK),
      row('JSON.parse only', 'messages', ms.parse),
      row('JSON.parse + map', 'messages', ms.map),
      row('reduce', 'our events', ms.reduce),
      row('all together', '1 byte', ms.all1),
      row('all together', '1 KiB', ms.allK),
    ],
    [
      `${num(rec.bytes.length, 0)} bytes SSE-framed, ${messages.length} wire events -> ${events.length} of our events -> ${final.status}, items: ${items}`,
      `MB/s and events/s = the recording's bytes (MB = 10^6) and event counts over the stage's time, whatever the stage consumes;`,
      `"JSON.parse + map" includes the parse (shown alone above it); medians of many passes, each after untimed warm-up passes`,
      `same transcript whole, at 1 byte and at 1 KiB: ${same ? 'yes' : 'NO (!)'}`,
    ],
  );
  return { label: rec.label, bytes: rec.bytes.length, wireEvents: messages.length, ourEvents: events.length, ms };
}

export function benchPipeline(): PipelineResult[] {
  console.log('\n== 1. Streaming core in process: SSE decode -> JSON.parse + map -> reduce ==');
  return [benchRecording(responsesRecording()), benchRecording(assistantsRecording())];
}
