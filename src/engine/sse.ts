/**
 * Our Server-Sent Events client layer: bytes in, SSE messages out.
 *
 * Line and field parsing is eventsource-parser's; this file adds what a fetch body needs around it: a streaming
 * UTF-8 decoder (one character's bytes may arrive in different chunks), a synchronous push/end interface the tests
 * can drive byte by byte, and an async generator over a response body that honours an AbortSignal.
 *
 * No `vscode` import, no I/O of its own.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { SseMessage } from './mapperEvents';

/**
 * Turns chunks of an SSE byte stream into messages. Feed it with `push`, finish with `end`.
 *
 * End of stream: an event whose lines all arrived but whose closing blank line did not is still delivered (some
 * proxies drop the final `\n`); an event whose last line was cut off is dropped, as the SSE spec says, since its
 * data would be truncated.
 */
export class SseDecoder {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly parser: EventSourceParser;
  private out: SseMessage[] = [];
  /** The last character decoded so far, to know at the end whether the final line was complete. */
  private lastChar = '';
  private ended = false;

  constructor() {
    this.parser = createParser({
      onEvent: (m) => {
        const message: { event?: string; data: string; id?: string } = { data: m.data };
        if (m.event !== undefined) message.event = m.event;
        if (m.id !== undefined) message.id = m.id;
        this.out.push(message);
      },
    });
  }

  /** Feed the next chunk; returns the messages it completed (often none). */
  push(chunk: Uint8Array | string): SseMessage[] {
    if (this.ended) return [];
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    this.feed(text);
    return this.take();
  }

  /** The stream is over: flush the decoder and deliver a last event that only lacked its blank line. */
  end(): SseMessage[] {
    if (this.ended) return [];
    this.ended = true;
    this.feed(this.decoder.decode());
    if (this.lastChar === '\n') this.parser.feed('\n');
    // After a lone trailing `\r` the parser swallows one `\n` (it may be the second half of `\r\n`).
    else if (this.lastChar === '\r') this.parser.feed('\n\n');
    return this.take();
  }

  private feed(text: string): void {
    if (text === '') return;
    this.lastChar = text[text.length - 1];
    this.parser.feed(text);
  }

  private take(): SseMessage[] {
    if (this.out.length === 0) return [];
    const done = this.out;
    this.out = [];
    return done;
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

function isReadableStream(body: unknown): body is ReadableStream<Uint8Array> {
  return typeof (body as ReadableStream | null)?.getReader === 'function';
}

/**
 * Read the messages of an SSE body as they arrive.
 *
 * When `signal` aborts, a pending read is abandoned at once (the stream is cancelled), and the generator throws the
 * signal's reason; the caller decides that a cancelled run is not an error. Breaking out of the loop early also
 * cancels the body.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<SseMessage> {
  if (signal?.aborted) throw abortReason(signal);
  const decoder = new SseDecoder();

  let stop: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    stop = () => resolve('aborted');
  });
  const onAbort = (): void => stop?.();
  signal?.addEventListener('abort', onAbort, { once: true });

  let next: () => Promise<IteratorResult<Uint8Array>>;
  let close: (reason?: unknown) => Promise<unknown>;
  if (isReadableStream(body)) {
    const reader = body.getReader();
    next = () => reader.read() as Promise<IteratorResult<Uint8Array>>;
    // `cancel` settles a read that is still pending, so an abort never waits on a silent server.
    close = (reason) => reader.cancel(reason);
  } else {
    const it = body[Symbol.asyncIterator]();
    next = () => it.next();
    close = async () => it.return?.();
  }

  let finished = false;
  try {
    for (;;) {
      const pending = next();
      // If we stop waiting for it (abort), a later rejection must not surface as unhandled.
      pending.catch(() => undefined);
      const step = await Promise.race([pending, aborted]);
      if (step === 'aborted') throw abortReason(signal as AbortSignal);
      if (step.done) break;
      if (step.value) yield* decoder.push(step.value);
      if (signal?.aborted) throw abortReason(signal);
    }
    finished = true;
    yield* decoder.end();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished) {
      // Aborted, failed or abandoned by the caller: release the connection. Not awaited: an async iterator
      // with a pending `next` may only settle `return` after it, and we are not going to wait for the server.
      close(signal?.aborted ? abortReason(signal) : undefined).catch(() => undefined);
    }
  }
}

/** Frame messages as SSE text (`event:`/`id:`/`data:` lines, a blank line after each). For tests and fakes. */
export function encodeSse(messages: Iterable<SseMessage>, newline = '\n'): string {
  let out = '';
  for (const m of messages) {
    if (m.event !== undefined) out += `event: ${m.event}${newline}`;
    if (m.id !== undefined) out += `id: ${m.id}${newline}`;
    for (const line of m.data.split(/\r\n|\r|\n/)) out += `data: ${line}${newline}`;
    out += newline;
  }
  return out;
}
