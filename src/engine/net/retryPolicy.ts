/**
 * When and how long to wait before sending a failed request again. One policy for every provider (Responses through
 * the openai SDK with its own retries switched off, Assistants over fetch, chat completions), so each wait can be
 * shown in the chat as a `run.retrying` event.
 *
 * The facts are the openai SDK's (client.js `shouldRetry` / `retryRequest` / `calculateDefaultRetryTimeoutMillis`):
 * retry 408, 409, 429 and 5xx unless `x-should-retry: false`, and connection failures; honour `retry-after-ms`, then
 * `Retry-After` (seconds or an HTTP date) when it is under a minute; otherwise 0.5 s doubling up to 8 s, less up to
 * 25 % jitter. Two retries by default. Differences: 401/403 and an exhausted quota are never retried, and neither is
 * a DNS or TLS failure or one of our own timeouts (nothing will change in a second).
 */
import type { StreamEvent } from '../../shared/events';
import { findTransportError } from './transportError';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** A server's Retry-After longer than this is not waited for; the computed backoff is used instead. */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxRetries: 2, initialDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };

type HeaderBag = { get(name: string): string | null } | Readonly<Record<string, string | undefined>> | undefined;

function header(h: HeaderBag, name: string): string | undefined {
  if (!h) return undefined;
  if (typeof (h as { get?: unknown }).get === 'function') return (h as { get(n: string): string | null }).get(name) ?? undefined;
  const rec = h as Readonly<Record<string, string | undefined>>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  return key ? rec[key] : undefined;
}

/** What the server asked us to wait, in ms, if anything usable. */
export function retryAfterMs(headers: HeaderBag, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && !Number.isNaN(parseFloat(ms))) return parseFloat(ms);
  const after = header(headers, 'retry-after');
  if (after === undefined) return undefined;
  const seconds = parseFloat(after);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : date - now;
}

/** How long to wait before retry number `attempt` (1 = the first retry). */
export function retryDelayMs(policy: RetryPolicy, attempt: number, headers?: HeaderBag, random: () => number = Math.random): number {
  const asked = retryAfterMs(headers);
  if (asked !== undefined && Number.isFinite(asked) && asked >= 0 && asked <= policy.maxRetryAfterMs) return asked;
  const backoff = Math.min(policy.initialDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return backoff * (1 - random() * 0.25);
}

export function retryableStatus(status: number, headers?: HeaderBag): boolean {
  const should = header(headers, 'x-should-retry');
  if (should === 'true') return true;
  if (should === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export interface RetryVerdict {
  readonly retry: boolean;
  /** Short, for the notice: `HTTP 503`, `connection reset`. */
  readonly reason: string;
  readonly headers?: HeaderBag;
}

const retryableCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'EAI_AGAIN']);

/**
 * Whether a failure before the stream started is worth another try. Works on the openai SDK's errors (`status`,
 * `headers`, `error.code`), our Assistants client's, and plain fetch failures (a `cause` with a socket code).
 */
export function classifyFailure(e: unknown): RetryVerdict {
  if (findTransportError(e)) return { retry: false, reason: 'transport' };
  const o = e as { status?: unknown; headers?: HeaderBag; code?: unknown; error?: { code?: unknown } } | null;
  if (o && typeof o.status === 'number') {
    const code = typeof o.code === 'string' ? o.code : typeof o.error?.code === 'string' ? o.error.code : undefined;
    if (o.status === 401 || o.status === 403 || code === 'insufficient_quota') return { retry: false, reason: `HTTP ${o.status}` };
    return { retry: retryableStatus(o.status, o.headers), reason: `HTTP ${o.status}`, headers: o.headers };
  }
  for (let x: unknown = e, depth = 0; x !== undefined && x !== null && depth < 8; depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string' && retryableCodes.has(code)) {
      return { retry: true, reason: code === 'ECONNREFUSED' ? 'connection refused' : code === 'EAI_AGAIN' ? 'DNS lookup failed' : 'connection reset' };
    }
    x = (x as { cause?: unknown }).cause;
  }
  return { retry: false, reason: 'error' };
}

export type RetryingEvent = Extract<StreamEvent, { kind: 'run.retrying' }>;

export interface RetryOptions {
  readonly policy?: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly classify?: (e: unknown) => RetryVerdict;
  /** For tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Run `attempt` until it succeeds, a failure is not worth retrying, or the policy's retries are used up (then the
 * last failure is thrown). Before each wait it yields a `run.retrying` event, so the wait is shown; use it with
 * `const value = yield* withRetries(...)` inside a provider's event generator.
 */
export async function* withRetries<T>(attempt: () => Promise<T>, options: RetryOptions = {}): AsyncGenerator<RetryingEvent, T, undefined> {
  const policy = options.policy ?? defaultRetryPolicy;
  const classify = options.classify ?? classifyFailure;
  const wait = options.sleep ?? sleep;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (options.signal?.aborted) throw e;
      const verdict = classify(e);
      if (!verdict.retry || n > policy.maxRetries) throw e;
      const delayMs = Math.round(retryDelayMs(policy, n, verdict.headers));
      yield { kind: 'run.retrying', attempt: n, delayMs, reason: verdict.reason };
      await wait(delayMs, options.signal);
    }
  }
}
