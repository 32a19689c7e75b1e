/**
 * fetch with the limits a tutor needs against any server or network: our own connect timeout (until the response
 * headers), an idle timeout between body chunks, a cap on one line of a streamed body (SSE), and "this is a web
 * page, not the API" (a captive portal or a proxy's login page answering 200 with HTML). Every provider's HTTP goes
 * through it: the openai SDK takes it as its `fetch`, the Assistants client calls it, a chat-completions provider
 * can do the same. An optional `dispatcher` (undici's proxy agent in the CLI) is passed through to fetch.
 */
import { TransportError } from './transportError';

export interface NetOptions {
  /** Give up when no response headers arrived after this long (default 30 s). */
  readonly connectTimeoutMs?: number;
  /** Give up when the body sends nothing for this long (default 120 s). */
  readonly idleTimeoutMs?: number;
  /** Longest line a streamed body may send (default 16 MiB). */
  readonly maxLineBytes?: number;
  /** undici dispatcher (a proxy agent), handed to fetch as is. */
  readonly dispatcher?: unknown;
}

export const defaultConnectTimeoutMs = 30_000;
export const defaultIdleTimeoutMs = 120_000;
export const defaultMaxLineBytes = 16 * 1024 * 1024;

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/** A web page's title, for saying which page answered (a captive portal names itself there). */
export function pageTitle(html: string): string | undefined {
  const m = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(html);
  return m ? m[1].replace(/\s+/g, ' ').trim() || undefined : undefined;
}

export function looksLikeHtml(text: string, contentType = ''): boolean {
  return /\btext\/html\b/i.test(contentType) || /^\s*(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text);
}

async function readSome(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      n += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, max));
}

/** Wrap a body: idle timeout between chunks, a cap on bytes without a line break. */
function guardBody(body: ReadableStream<Uint8Array>, idleMs: number, maxLine: number, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let lineBytes = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TransportError('timeout', `the server stopped sending: nothing arrived for ${seconds(idleMs)}`)), idleMs);
      });
      try {
        const step = await Promise.race([reader.read(), idle]);
        clearTimeout(timer);
        if (step.done) {
          onEnd();
          controller.close();
          return;
        }
        const chunk = step.value;
        let last = -1;
        for (let i = chunk.length - 1; i >= 0; i--) {
          if (chunk[i] === 10 || chunk[i] === 13) {
            last = i;
            break;
          }
        }
        lineBytes = last < 0 ? lineBytes + chunk.length : chunk.length - last - 1;
        if (lineBytes > maxLine) {
          throw new TransportError('protocol', `the server sent a line longer than ${Math.round(maxLine / 1024 / 1024)} MiB without a line break`);
        }
        controller.enqueue(chunk);
      } catch (e) {
        clearTimeout(timer);
        onEnd();
        reader.cancel(e).catch(() => undefined);
        controller.error(e);
      }
    },
    cancel: (reason) => {
      clearTimeout(timer);
      onEnd();
      return reader.cancel(reason);
    },
  });
}

export function guardedFetch(base: typeof fetch = (i, init) => fetch(i, init), options: NetOptions = {}): typeof fetch {
  const connectMs = options.connectTimeoutMs ?? defaultConnectTimeoutMs;
  const idleMs = options.idleTimeoutMs ?? defaultIdleTimeoutMs;
  const maxLine = options.maxLineBytes ?? defaultMaxLineBytes;
  return async (input, init) => {
    const caller = init?.signal ?? undefined;
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(caller?.reason);
    if (caller?.aborted) controller.abort(caller.reason);
    else caller?.addEventListener('abort', onAbort, { once: true });
    const connect = setTimeout(
      () => controller.abort(new TransportError('timeout', `no answer from the server within ${seconds(connectMs)} (it accepted the connection but sent nothing)`)),
      connectMs,
    );
    let res: Response;
    try {
      res = await base(input, {
        ...init,
        signal: controller.signal,
        ...(options.dispatcher ? ({ dispatcher: options.dispatcher } as Record<string, unknown>) : {}),
      });
    } catch (e) {
      caller?.removeEventListener('abort', onAbort);
      // Aborted by our timer: fetch rejects with the reason we gave (or a bare AbortError on some runtimes).
      const reason: unknown = controller.signal.reason;
      if (!caller?.aborted && reason instanceof TransportError) throw reason;
      throw e;
    } finally {
      clearTimeout(connect);
    }
    const done = (): void => caller?.removeEventListener('abort', onAbort);
    const type = res.headers.get('content-type') ?? '';
    if (res.ok && /\btext\/html\b/i.test(type)) {
      const title = pageTitle(await readSome(res, 64 * 1024));
      done();
      throw new TransportError('not_api', `HTTP ${res.status} with a web page${title ? ` ("${title}")` : ''} instead of the API's answer`);
    }
    if (!res.body) {
      done();
      return res;
    }
    return new Response(guardBody(res.body, idleMs, maxLine, done), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
