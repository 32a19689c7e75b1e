/**
 * The SSE layer: framing, line endings, UTF-8 split inside characters, end of stream, abort, and every recorded
 * Responses stream decoded identically however its bytes are cut.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { SseMessage } from '../../src/engine/mapperEvents';
import { SseDecoder, encodeSse, readSse } from '../../src/engine/sse';

const fixturesDir = resolve(__dirname, '../fixtures/recorded/openai-responses');
const enc = new TextEncoder();

/** A `.chunks.txt` recording (one JSON event per line, framing removed) framed again as real SSE. */
function framedFixture(name: string, newline: '\n' | '\r\n'): { bytes: Uint8Array; messages: SseMessage[] } {
  const lines = readFileSync(join(fixturesDir, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const messages = lines.map((data) => ({ event: (JSON.parse(data) as { type: string }).type, data }));
  return { bytes: enc.encode(encodeSse(messages, newline)), messages };
}

const fixtureNames = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.chunks.txt'))
  .sort();

function decodeInPieces(bytes: Uint8Array, cuts: number[]): SseMessage[] {
  const d = new SseDecoder();
  const out: SseMessage[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...d.push(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(...d.end());
  return out;
}

/** One string per message list, so comparing thousands of decodings stays cheap. */
function fingerprint(messages: readonly SseMessage[]): string {
  return messages.map((m) => `${m.event ?? ''}\u0000${m.id ?? ''}\u0000${m.data}`).join('\u0001');
}

describe('SseDecoder', () => {
  it('parses event, id and data fields; joins multi-line data with \\n; skips comments and retry', () => {
    const d = new SseDecoder();
    const text = ': keep-alive\n\nretry: 3000\nevent: a\nid: 7\ndata: {"x":\ndata: 1}\n\ndata: plain\n\n';
    assert.deepEqual([...d.push(text), ...d.end()], [
      { event: 'a', id: '7', data: '{"x":\n1}' },
      { data: 'plain' },
    ]);
  });

  it('accepts \\r\\n and bare \\r line endings, and a \\r\\n split across chunks', () => {
    const text = 'event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r';
    for (let k = 0; k <= text.length; k++) {
      const d = new SseDecoder();
      const got = [...d.push(text.slice(0, k)), ...d.push(text.slice(k)), ...d.end()];
      assert.deepEqual(got, [
        { event: 'a', data: '1' },
        { event: 'b', data: '2' },
      ], `split at ${k}`);
    }
  });

  it('strips one leading BOM, even split across chunks', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('data: x\n\n')]);
    for (let k = 0; k <= bytes.length; k++) assert.deepEqual(decodeInPieces(bytes, [k]), [{ data: 'x' }], `split at ${k}`);
  });

  it('decodes multi-byte UTF-8 split inside characters (Chinese, emoji, combining marks)', () => {
    const text = '你好，世界！求和 ∑ 😀👩‍💻 café naïve 𝔘𝔫𝔦𝔠𝔬𝔡𝔢';
    const data = JSON.stringify({ type: 'response.output_text.delta', delta: text });
    const bytes = enc.encode(`event: response.output_text.delta\ndata: ${data}\n\n`);
    const want = [{ event: 'response.output_text.delta', data }];
    // one byte at a time
    assert.deepEqual(decodeInPieces(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)), want);
    // two and three pieces at every pair of positions
    for (let i = 0; i <= bytes.length; i++) {
      assert.deepEqual(decodeInPieces(bytes, [i]), want, `split at ${i}`);
      for (let j = i; j <= bytes.length; j += 7) assert.deepEqual(decodeInPieces(bytes, [i, j]), want, `split at ${i},${j}`);
    }
    assert.equal((JSON.parse(want[0].data) as { delta: string }).delta, text);
  });

  it('replaces invalid UTF-8 instead of throwing', () => {
    const bytes = new Uint8Array([...enc.encode('data: a'), 0xff, 0xc3, ...enc.encode('b\n\n')]);
    assert.deepEqual(decodeInPieces(bytes, [8]), [{ data: 'a\uFFFD\uFFFDb' }]);
  });

  it('at the end delivers an event that lacked only its blank line, and drops one whose last line was cut', () => {
    assert.deepEqual(decodeInPieces(enc.encode('data: 1\n\ndata: 2\n'), []), [{ data: '1' }, { data: '2' }]);
    assert.deepEqual(decodeInPieces(enc.encode('data: 1\r\n\r\ndata: 2\r'), []), [{ data: '1' }, { data: '2' }]);
    assert.deepEqual(decodeInPieces(enc.encode('data: 1\n\ndata: {"trunc'), []), [{ data: '1' }]);
    // a UTF-8 character cut at the very end is flushed as U+FFFD, and the line is still incomplete: dropped
    assert.deepEqual(decodeInPieces(new Uint8Array([...enc.encode('data: 1\n\ndata: '), 0xe4, 0xbd]), []), [{ data: '1' }]);
  });

  it('ignores pushes after end', () => {
    const d = new SseDecoder();
    d.end();
    assert.deepEqual(d.push('data: x\n\n'), []);
    assert.deepEqual(d.end(), []);
  });

  it('encodeSse round-trips multi-line data with either newline', () => {
    const messages: SseMessage[] = [{ event: 'e', id: '1', data: 'a\nb\r\nc' }, { data: '' }, { data: 'z' }];
    for (const nl of ['\n', '\r\n'] as const) {
      assert.deepEqual(decodeInPieces(enc.encode(encodeSse(messages, nl)), []), [
        { event: 'e', id: '1', data: 'a\nb\nc' },
        { data: '' },
        { data: 'z' },
      ]);
    }
  });
});

/**
 * Splitting the stream in two at every byte k costs O(n²): for the 109 KB framed code-interpreter recording that is
 * ~110 000 decodings, measured at ~55 s (LF) and ~85 s (CRLF) — too slow for the unit suite. So:
 * - recordings up to FULL_SPLIT_LIMIT bytes are split at every k over the whole stream;
 * - larger ones are split at every k over a window: the message holding k framed together with its neighbours on
 *   either side. At a message boundary the decoder holds no state (no partial line, no partial UTF-8 character, no
 *   pending event), so where k falls in the rest of the stream cannot change the result;
 * - and the whole large stream is still split at a sample of k: every message boundary ±2 bytes and every 499th byte.
 * Every stream is also fed one byte at a time, whole.
 */
const FULL_SPLIT_LIMIT = 16_000;

function framedBytes(messages: readonly SseMessage[], newline: '\n' | '\r\n'): Uint8Array {
  return enc.encode(encodeSse(messages, newline));
}

function assertSplitsAt(bytes: Uint8Array, messages: readonly SseMessage[], cuts: Iterable<number>, where: string): void {
  const want = fingerprint(messages);
  for (const k of cuts) {
    if (fingerprint(decodeInPieces(bytes, [k])) !== want) assert.deepEqual(decodeInPieces(bytes, [k]), messages, `${where}: split at byte ${k}`);
  }
}

function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let k = from; k < to; k += step) out.push(k);
  return out;
}

describe('recorded Responses streams, decoded however the bytes are cut', () => {
  for (const name of fixtureNames) {
    for (const newline of ['\n', '\r\n'] as const) {
      const label = newline === '\n' ? 'LF' : 'CRLF';
      it(`${name} (${label}): whole, one byte at a time, and two pieces at every byte boundary`, () => {
        const { bytes, messages } = framedFixture(name, newline);
        assert.ok(messages.length > 0);
        assert.deepEqual(decodeInPieces(bytes, []), messages);
        assert.deepEqual(decodeInPieces(bytes, range(1, bytes.length)), messages, 'one byte at a time');
        if (bytes.length <= FULL_SPLIT_LIMIT) {
          assertSplitsAt(bytes, messages, range(1, bytes.length), 'whole stream');
          return;
        }
        // Every k, over a window of three messages around it.
        for (let m = 0; m < messages.length; m++) {
          const before = messages.slice(Math.max(0, m - 1), m);
          const window = messages.slice(Math.max(0, m - 1), m + 2);
          const from = framedBytes(before, newline).length;
          const to = from + framedBytes([messages[m]], newline).length;
          assertSplitsAt(framedBytes(window, newline), window, range(from + (m === 0 ? 1 : 0), to + 1), `message ${m}`);
        }
        // A sample of k over the whole stream.
        const cuts = new Set(range(1, bytes.length, 499));
        let offset = 0;
        for (const m of messages) {
          offset += framedBytes([m], newline).length;
          for (let d = -2; d <= 2; d++) if (offset + d > 0 && offset + d < bytes.length) cuts.add(offset + d);
        }
        assertSplitsAt(bytes, messages, cuts, 'whole stream');
      });
    }
  }
});

function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

async function collect(gen: AsyncGenerator<SseMessage>): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of gen) out.push(m);
  return out;
}

describe('readSse', () => {
  const { bytes, messages } = framedFixture('openai-web-search-tool.1.chunks.txt', '\n');

  it('reads a ReadableStream body', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const chunk of chunksOf(bytes, 333)) c.enqueue(chunk);
        c.close();
      },
    });
    assert.deepEqual(await collect(readSse(body)), messages);
  });

  it('reads an async iterable body (a Node stream, say)', async () => {
    async function* body(): AsyncGenerator<Uint8Array> {
      for (const chunk of chunksOf(bytes, 1000)) yield chunk;
    }
    assert.deepEqual(await collect(readSse(body())), messages);
  });

  it('throws the abort reason at once when aborted while the server is silent, and cancels the body', async () => {
    let cancelled: unknown = 'not cancelled';
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode('data: first\n\n'));
        // …and then nothing: the server hangs.
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const ac = new AbortController();
    const got: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const m of readSse(body, ac.signal)) {
          got.push(m.data);
          setTimeout(() => ac.abort(new Error('stop pressed')), 5);
        }
      })(),
      /stop pressed/,
    );
    assert.deepEqual(got, ['first']);
    await new Promise((r) => setImmediate(r));
    assert.match(String(cancelled), /stop pressed/);
  });

  it('throws an AbortError before reading when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(collect(readSse(new ReadableStream<Uint8Array>(), ac.signal)), (e: Error) => e.name === 'AbortError');
  });

  it('aborts an async iterable body that never yields again', async () => {
    let returned = false;
    const never: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<Uint8Array>>(() => undefined),
        return: async () => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 5);
    await assert.rejects(collect(readSse(never, ac.signal)), (e: Error) => e.name === 'AbortError');
    assert.equal(returned, true);
  });

  it('cancels the body when the caller stops early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes);
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const m of readSse(body)) {
      assert.equal(m.event, 'response.created');
      break;
    }
    await new Promise((r) => setImmediate(r));
    assert.equal(cancelled, true);
  });

  it('passes a body error through (the shell classifies it as a network error)', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode('data: 1\n\n'));
        c.error(new Error('socket hang up'));
      },
    });
    await assert.rejects(collect(readSse(body)), /socket hang up/);
  });
});
