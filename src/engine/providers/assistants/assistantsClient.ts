/**
 * The thin I/O shell of the Assistants API (OpenAI `assistants=v2`, and DashScope's Assistant API at its own base
 * URL): plain fetch plus our SSE decoder, no `openai` package. It only moves JSON and bytes; the pure
 * AssistantsMapper gives them meaning, and the provider decides what to do with a failure.
 *
 * Every call takes an optional AbortSignal (last). A non-2xx answer throws AssistantsHttpError carrying the status
 * and the server's `{error: {message, code, type, param}}` (or DashScope's flat `{code, message, request_id}`).
 */
import type { RunError } from '../../../shared/events';
import { errorFromHttp } from '../../errors';
import type { SseMessage } from '../../mapperEvents';
import { guardedFetch, type NetOptions } from '../../net/guardedFetch';
import { readSse } from '../../sse';

export type Json = Record<string, unknown>;

export interface AssistantsClientOptions {
  readonly apiKey: string;
  /** The API base, e.g. `https://api.openai.com/v1` or `https://dashscope.aliyuncs.com/api/v1`. */
  readonly baseUrl?: string;
  /** Extra headers some gateways want. */
  readonly headers?: Readonly<Record<string, string>>;
  /** For tests; defaults to the global fetch (which VS Code routes through its proxy settings). */
  readonly fetch?: typeof fetch;
  /** Timeouts, line cap, proxy dispatcher (see guardedFetch). */
  readonly net?: NetOptions;
}

export const defaultAssistantsBaseUrl = 'https://api.openai.com/v1';

/** The server said no. */
export class AssistantsHttpError extends Error {
  override readonly name = 'AssistantsHttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly type?: string,
    readonly param?: string,
    /** The body as the server sent it (possibly not JSON). */
    readonly body?: string,
    /** The response headers (Retry-After …), for the retry policy. */
    readonly headers?: Headers,
    /** False when the body was not the API's JSON error: `message` is then ours, and the body is summarised. */
    readonly fromServer = true,
  ) {
    super(message);
  }

  /** The run error a person can act on. */
  toRunError(): RunError {
    return errorFromHttp({
      status: this.status,
      message: this.fromServer ? this.message : '',
      code: this.code ?? null,
      type: this.type ?? null,
      body: this.body,
    });
  }

  /** The server has no such operation (no route, method not allowed, not implemented, "not supported"). */
  get unsupported(): boolean {
    return this.status === 404 || this.status === 405 || this.status === 501 || (this.status === 400 && /\bnot (be )?supported\b|\bunsupported\b/i.test(this.message));
  }

  /** The server does not stream runs: the caller can create the run without `stream` and poll it. */
  get refusesStreaming(): boolean {
    return this.status === 400 && (this.param === 'stream' || /\bstream(ing)?\b/i.test(this.message));
  }
}

/** A streamed call's answer: SSE messages, or (a server that ignored `stream: true`) the object itself. */
export type StreamStart = { readonly type: 'sse'; readonly messages: AsyncGenerator<SseMessage> } | { readonly type: 'json'; readonly body: Json };

export interface ListQuery {
  readonly limit?: number;
  readonly order?: 'asc' | 'desc';
  readonly after?: string;
  readonly before?: string;
  /** listMessages: only this run's messages. */
  readonly run_id?: string;
}

export interface ListPage<T = Json> {
  readonly object?: string;
  readonly data: T[];
  readonly first_id?: string | null;
  readonly last_id?: string | null;
  readonly has_more?: boolean;
}

export interface ToolOutput {
  readonly tool_call_id: string;
  readonly output: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export class AssistantsClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: AssistantsClientOptions) {
    this.base = (options.baseUrl ?? defaultAssistantsBaseUrl).replace(/\/+$/, '');
    this.fetchImpl = guardedFetch(options.fetch, options.net);
  }

  // ---- assistants, threads, messages ----

  createAssistant(body: Json, signal?: AbortSignal): Promise<Json> {
    return this.json('POST', '/assistants', body, signal);
  }

  getAssistant(assistantId: string, signal?: AbortSignal): Promise<Json> {
    return this.json('GET', `/assistants/${enc(assistantId)}`, undefined, signal);
  }

  createThread(body: Json = {}, signal?: AbortSignal): Promise<Json> {
    return this.json('POST', '/threads', body, signal);
  }

  addMessage(threadId: string, body: Json, signal?: AbortSignal): Promise<Json> {
    return this.json('POST', `/threads/${enc(threadId)}/messages`, { role: 'user', ...body }, signal);
  }

  listMessages(threadId: string, query: ListQuery = {}, signal?: AbortSignal): Promise<ListPage> {
    return this.json('GET', `/threads/${enc(threadId)}/messages${qs(query)}`, undefined, signal) as unknown as Promise<ListPage>;
  }

  /** `DELETE /threads/{id}/messages/{id}` (OpenAI has it; DashScope's Message reference does not list it). */
  deleteMessage(threadId: string, messageId: string, signal?: AbortSignal): Promise<Json> {
    return this.json('DELETE', `/threads/${enc(threadId)}/messages/${enc(messageId)}`, undefined, signal);
  }

  // ---- runs, streamed ----

  /** `POST /threads/{id}/runs` with `stream: true`. */
  streamRun(threadId: string, body: Json, signal?: AbortSignal): Promise<StreamStart> {
    return this.stream(`/threads/${enc(threadId)}/runs`, body, signal);
  }

  /** `POST /threads/runs` with `stream: true`: a new thread (with `thread.messages`) and its run in one call. */
  streamThreadAndRun(body: Json, signal?: AbortSignal): Promise<StreamStart> {
    return this.stream('/threads/runs', body, signal);
  }

  /** Continue a run that asked for function outputs, streaming what follows. */
  streamSubmitToolOutputs(threadId: string, runId: string, outputs: readonly ToolOutput[], signal?: AbortSignal): Promise<StreamStart> {
    return this.stream(`/threads/${enc(threadId)}/runs/${enc(runId)}/submit_tool_outputs`, { tool_outputs: outputs }, signal);
  }

  // ---- runs, create and poll (servers that refuse streaming) ----

  createRun(threadId: string, body: Json, signal?: AbortSignal): Promise<Json> {
    return this.json('POST', `/threads/${enc(threadId)}/runs`, { ...body, stream: false }, signal);
  }

  createThreadAndRun(body: Json, signal?: AbortSignal): Promise<Json> {
    return this.json('POST', '/threads/runs', { ...body, stream: false }, signal);
  }

  submitToolOutputs(threadId: string, runId: string, outputs: readonly ToolOutput[], signal?: AbortSignal): Promise<Json> {
    return this.json('POST', `/threads/${enc(threadId)}/runs/${enc(runId)}/submit_tool_outputs`, { tool_outputs: outputs, stream: false }, signal);
  }

  retrieveRun(threadId: string, runId: string, signal?: AbortSignal): Promise<Json> {
    return this.json('GET', `/threads/${enc(threadId)}/runs/${enc(runId)}`, undefined, signal);
  }

  listRunSteps(threadId: string, runId: string, query: ListQuery = {}, signal?: AbortSignal): Promise<ListPage> {
    return this.json('GET', `/threads/${enc(threadId)}/runs/${enc(runId)}/steps${qs(query)}`, undefined, signal) as unknown as Promise<ListPage>;
  }

  cancelRun(threadId: string, runId: string, signal?: AbortSignal): Promise<Json> {
    return this.json('POST', `/threads/${enc(threadId)}/runs/${enc(runId)}/cancel`, {}, signal);
  }

  // ---- files ----

  /** `GET /files/{id}/content`: the raw response, for the caller to read with a size cap. */
  getFileContent(fileId: string, signal?: AbortSignal): Promise<Response> {
    return this.request('GET', `/files/${enc(fileId)}/content`, undefined, signal, '*/*');
  }

  // ---- plumbing ----

  private async json(method: string, path: string, body: Json | undefined, signal?: AbortSignal): Promise<Json> {
    const res = await this.request(method, path, body, signal);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AssistantsHttpError(res.status, `The server answered ${method} ${path} with something that is not JSON.`, undefined, 'protocol', undefined, text);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new AssistantsHttpError(res.status, `The server answered ${method} ${path} with JSON that is not an object.`, undefined, 'protocol', undefined, text);
    }
    return parsed as Json;
  }

  private async stream(path: string, body: Json, signal?: AbortSignal): Promise<StreamStart> {
    const res = await this.request('POST', path, { ...body, stream: true }, signal, 'text/event-stream');
    const type = res.headers.get('content-type') ?? '';
    if (/\bjson\b/i.test(type)) {
      const text = await res.text();
      try {
        const parsed = JSON.parse(text) as unknown;
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return { type: 'json', body: parsed as Json };
      } catch {
        // fall through
      }
      throw new AssistantsHttpError(res.status, `The server answered POST ${path} with malformed JSON.`, undefined, 'protocol', undefined, text);
    }
    if (!res.body) throw new AssistantsHttpError(res.status, `The server answered POST ${path} with an empty body.`, undefined, 'protocol');
    return { type: 'sse', messages: readSse(res.body, signal) };
  }

  private async request(method: string, path: string, body: Json | undefined, signal: AbortSignal | undefined, accept = 'application/json'): Promise<Response> {
    const headers: Record<string, string> = {
      ...this.options.headers,
      Authorization: `Bearer ${this.options.apiKey}`,
      'OpenAI-Beta': 'assistants=v2',
      Accept: accept,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await this.fetchImpl(`${this.base}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw await httpError(res);
    return res;
  }
}

async function httpError(res: Response): Promise<AssistantsHttpError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // the body is gone; the status alone will do
  }
  let message: string | undefined;
  let code: string | undefined;
  let type: string | undefined;
  let param: string | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    const o = typeof parsed === 'object' && parsed !== null ? (parsed as Json) : {};
    const err = typeof o.error === 'object' && o.error !== null ? (o.error as Json) : o; // OpenAI nests, DashScope does not
    message = str(err.message);
    code = str(err.code) ?? (typeof err.code === 'number' ? String(err.code) : undefined);
    type = str(err.type);
    param = str(err.param);
  } catch {
    // not JSON: a proxy's HTML page, say
  }
  return new AssistantsHttpError(res.status, message ?? `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, code, type, param, text, res.headers, message !== undefined);
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function qs(query: ListQuery): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
