/**
 * Turning whatever went wrong (an HTTP status, a stream `error` event, a dropped socket) into a RunError whose
 * kind a person can act on. Messages are English here; the extension and the CLI add localized next steps by kind.
 */
import type { ErrorKind, RunError } from '../shared/events';
import { findTransportError } from './net/transportError';

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
    case 'content_filter':
    case 'content_policy_violation':
    case 'DataInspectionFailed':
    case 'data_inspection_failed':
      return 'content_filter';
    case 'unsupported_country_region_territory':
    case 'unsupported_country':
      return 'region';
    case 'request_timeout':
    case 'timeout':
      return 'timeout';
    default:
      return fallback;
  }
}

/** An HTTP status to our kind. */
export function kindFromStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limit';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too_large';
  if (status >= 400 && status < 500) return 'bad_request';
  return 'server';
}

/** What each HTTP status means for the learner, when the server gave no words of its own (or only a web page). */
const statusSentence: Readonly<Record<number, string>> = {
  400: 'The server did not accept the request',
  401: 'The server did not accept the API key',
  403: 'The server refused access with this API key',
  404: 'Nothing at this address: check the base URL and the model name',
  408: 'The server gave up waiting for the request (request timeout)',
  409: 'The server is still busy with this conversation (conflict)',
  413: 'The request is too large for the server',
  422: 'The server could not process the request',
  429: 'Too many requests: the server is rate limiting',
  500: 'The server failed (internal server error)',
  502: 'A gateway or proxy could not reach the API server (bad gateway)',
  503: 'The service is unavailable or overloaded',
  504: 'A gateway or proxy gave up waiting for the API server (gateway timeout)',
};

/**
 * A body that is not the API's JSON error, in a few words: an HTML page is never pasted (its title is named),
 * short plain text is kept on one line.
 */
export function summarizeBody(status: number, body: string | undefined): string {
  const sentence = statusSentence[status] ?? (status >= 500 ? 'The server failed' : 'The server refused the request');
  const text = (body ?? '').trim();
  if (text === '') return `${sentence} (HTTP ${status}).`;
  if (/^\s*(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text) || /<\/(html|body|div|h1|p)>/i.test(text)) {
    const title = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(text)?.[1].replace(/\s+/g, ' ').trim();
    return `${sentence} (HTTP ${status}; the answer was a web page${title ? ` titled "${title}"` : ''}, likely from a proxy or gateway).`;
  }
  const line = text.replace(/\s+/g, ' ');
  return `${sentence} (HTTP ${status}): ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
}

/** True when a 4xx says the server does not offer the code_interpreter tool. */
export function looksLikeToolUnsupported(status: number, message: string): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 429 && /code[_ ]?interpreter|tool/i.test(message);
}

export interface HttpErrorLike {
  readonly status: number;
  /** The server's own message (from its JSON error), if it gave one. */
  readonly message: string;
  readonly code?: string | null;
  readonly type?: string | null;
  /** The raw body, when it was not the API's JSON error (a proxy's HTML page, plain text): summarised, never pasted. */
  readonly body?: string;
}

const regionWords = /\b(country|region|territory)\b.*\bnot supported\b|\bnot (available|supported) in your (country|region)\b|unsupported_country/i;

export function errorFromHttp(e: HttpErrorLike): RunError {
  const message = e.message ? e.message : summarizeBody(e.status, e.body);
  let kind = kindFromStatus(e.status);
  if (e.status === 429 && e.code === 'insufficient_quota') kind = 'quota';
  else if (e.status === 403 && (regionWords.test(message) || e.code === 'unsupported_country_region_territory')) kind = 'region';
  else if (looksLikeToolUnsupported(e.status, message)) kind = 'tool_unsupported';
  else if (e.code) kind = kindFromCode(e.code, kind);
  return { kind, message, code: e.code ?? String(e.status) };
}

/** A failure below HTTP: DNS, refused connection, reset socket, TLS, timeout. */
export function networkError(cause: unknown): RunError {
  const ours = findTransportError(cause);
  if (ours) return { kind: ours.kind, message: ours.message };
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
  const what = code ? networkWords[code] : undefined;
  const detail = parts.filter((p) => !/^(Connection error|fetch failed|Request timed out)$/i.test(p)).join(': ') || parts.join(': ') || 'network error';
  return { kind: 'network', message: what ? `${what} (${detail})` : detail, ...(code ? { code } : {}) };
}

const networkWords: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Nothing is listening at this address: the connection was refused',
  ENOTFOUND: 'The server name could not be found (DNS)',
  EAI_AGAIN: 'The server name could not be looked up (DNS)',
  ECONNRESET: 'The connection was reset',
  ETIMEDOUT: 'The connection could not be made in time',
  EPROTO: 'A secure (TLS) connection could not be made: is this an https URL for an http server?',
  ERR_SSL_WRONG_VERSION_NUMBER: 'A secure (TLS) connection could not be made: is this an https URL for an http server?',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'A secure (TLS) connection could not be made: is this an https URL for an http server?',
  UND_ERR_SOCKET: 'The connection closed unexpectedly',
  DEPTH_ZERO_SELF_SIGNED_CERT: "The server's TLS certificate is self-signed and not trusted",
  CERT_HAS_EXPIRED: "The server's TLS certificate has expired",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "The server's TLS certificate could not be verified",
};

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

/**
 * A stream's `error` payload (Responses `{type:'error', error:{…}}` or the older flat `{type:'error', code, message}`;
 * Assistants' `error` event) as a RunError. The openai SDK path and our own path both read it here, so the learner
 * reads the same sentence whichever way it came. No details at all: "The server reported an error."
 */
export function errorFromStreamPayload(payload: Record<string, unknown> | undefined, fallback = 'The server reported an error.'): RunError {
  const nested = payload?.error;
  const e = typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? (nested as Record<string, unknown>) : payload;
  const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const code = s(e?.code);
  const type = s(e?.type) === 'error' ? undefined : s(e?.type);
  const kind = kindFromCode(code, kindFromCode(type, 'server'));
  const message = s(e?.message) ?? fallback;
  const id = code ?? type;
  return id ? { kind, message, code: id } : { kind, message };
}
