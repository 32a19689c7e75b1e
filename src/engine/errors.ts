/**
 * Turning whatever went wrong (an HTTP status, a stream `error` event, a dropped socket) into a RunError whose
 * kind a person can act on. Messages are English here; the extension and the CLI add localized next steps by kind.
 */
import type { ErrorKind, RunError } from '../shared/events';

/** A provider's error code (`insufficient_quota`, `rate_limit_exceeded` …) to our kind. */
export function kindFromCode(code: string | null | undefined, fallback: ErrorKind = 'server'): ErrorKind {
  switch (code) {
    case 'insufficient_quota':
    case 'billing_hard_limit_reached':
    case 'Arrearage':
      return 'quota';
    case 'rate_limit_exceeded':
    case 'Throttling':
    case 'Throttling.RateQuota':
      return 'rate_limit';
    case 'invalid_api_key':
    case 'InvalidApiKey':
    case 'unauthorized':
      return 'auth';
    case 'model_not_found':
      return 'not_found';
    case 'invalid_prompt':
    case 'invalid_request_error':
    case 'InvalidParameter':
      return 'bad_request';
    default:
      return fallback;
  }
}

/** An HTTP status to our kind. */
export function kindFromStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limit';
  if (status === 404) return 'not_found';
  if (status >= 400 && status < 500) return 'bad_request';
  return 'server';
}

/** True when a 4xx says the server does not offer the code_interpreter tool. */
export function looksLikeToolUnsupported(status: number, message: string): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 429 && /code[_ ]?interpreter|tool/i.test(message);
}

export interface HttpErrorLike {
  readonly status: number;
  readonly message: string;
  readonly code?: string | null;
  readonly type?: string | null;
}

export function errorFromHttp(e: HttpErrorLike): RunError {
  const message = e.message || `HTTP ${e.status}`;
  let kind = kindFromStatus(e.status);
  if (e.status === 429 && e.code === 'insufficient_quota') kind = 'quota';
  else if (looksLikeToolUnsupported(e.status, message)) kind = 'tool_unsupported';
  else if (e.code) kind = kindFromCode(e.code, kind);
  return { kind, message, code: e.code ?? String(e.status) };
}

/** A failure below HTTP: DNS, refused connection, reset socket, timeout. */
export function networkError(cause: unknown): RunError {
  // Walk the cause chain (SDK error -> fetch failed -> ECONNREFUSED …): the innermost says what really happened.
  const parts: string[] = [];
  let code: string | undefined;
  for (let e: unknown = cause, depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    const message = e instanceof Error ? e.message : String(e);
    const trimmed = message.replace(/[.\s]+$/, '');
    if (trimmed && !parts.includes(trimmed)) parts.push(trimmed);
    if (!code && typeof (e as { code?: unknown }).code === 'string') code = (e as { code: string }).code;
    e = e instanceof Error ? e.cause : undefined;
  }
  return { kind: 'network', message: parts.join(': ') || 'network error', ...(code ? { code } : {}) };
}

export function isAbortError(e: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'APIUserAbortError');
}

/**
 * Servers echo (part of) a rejected key in their error messages. Nothing we print or log may carry it:
 * remove the key itself and anything shaped like a key.
 */
export function redactSecrets(message: string, apiKey?: string): string {
  let out = message;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join('***');
  out = out.replace(/\b(sk-[A-Za-z0-9_*-]{2,}|sk_[A-Za-z0-9_*-]{8,}|Bearer\s+\S+)/g, '***');
  // A masked or partial echo (`AbCdEf****…`) still carries a run of the key: remove any 8 characters of it in a row.
  if (apiKey && apiKey.length >= 8 && out.length >= 8) {
    for (let i = 0; i + 8 <= apiKey.length; i++) {
      const run = apiKey.slice(i, i + 8);
      if (out.includes(run)) out = out.split(run).join('***');
    }
  }
  return out;
}
