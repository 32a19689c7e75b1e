/**
 * A fake OpenAI-compatible server for tests, on plain node:http, speaking the real wire formats:
 * the Responses API (SSE `event: <type>` + `data: <json>`, no [DONE]), container file content, and the
 * Assistants v2 run protocol (threads, messages, runs streamed or polled, steps, submit_tool_outputs, cancel,
 * file content) in OpenAI's and DashScope's shapes. The real `openai` SDK and our own SSE client talk to it.
 *
 * Every request is recorded (`requests`, `GET /__requests`). Scenarios come from the script queue
 * (`script()`, `POST /__script`), else a `[scenario:NAME]` marker in the learner's text, else `tutor`.
 * Paths are served under `/v1`, and also under `/api/v1` (DashScope: Assistants default to the DashScope shape)
 * and `/compatible-mode/v1`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  continueAfterTools,
  DONE_EVENT,
  newRun,
  RunBuilder,
  runRequiresAction,
  runTutor,
  type AssistantsFlavour,
  type StoredFile,
} from './assistantsScenarios';
import { chatContext, checkMessages, lastUserText, modelList, planChat } from './chatScenarios';
import { BackgroundResponse } from './backgroundResponses';
import { parseSse, readAssistantsFixture, responsesFixtureEvents } from './fixtures';
import { planStateless } from './statelessResponses';
import { makeChartPng } from './png';
import {
  completedOnlyScenario,
  functionCallScenario,
  functionFollowUpScenario,
  plotScenario,
  tutorScenario,
  type ContainerFile,
  type ResponsesContext,
  type ResponsesPlan,
} from './responsesScenarios';
import { runSolution, solutionIndentedScenario, solutionScenario } from './tutorScenarios';
import {
  DEFAULT_DELAY_MS,
  FAILURES,
  findScenario,
  fits,
  listScenarios,
  readMarkers,
  resolveEntry,
  ScriptQueue,
  type Resolved,
  type ScriptEntry,
} from './scenarios';
import { tutorFollowUp, tutorScenarioPlan } from './interactiveScenarios';
import { frameSse, ids, nowSeconds, openAiError, type HttpFailure, type WireEvent } from './wire';

type Json = Record<string, unknown>;

export type { ScriptEntry } from './scenarios';

export interface FakeServerOptions {
  /** 0 (default): any free port. */
  readonly port?: number;
  readonly host?: string;
  /** Pacing between streamed events when nothing else sets it (default 10 ms). */
  readonly delayMs?: number;
  /** When set, only `Authorization: Bearer <apiKey>` is accepted; other keys get 401 invalid_api_key. */
  readonly apiKey?: string;
  /**
   * Which Assistants shapes serve `DELETE /threads/{t}/messages/{m}`. Default `openai`: OpenAI's API deletes messages;
   * DashScope's Message reference lists only create, retrieve, modify and list, so under `/api/v1` the fake answers 404.
   */
  readonly messageDeletion?: 'openai' | 'both' | 'none';
}

/** A thread message as a run saw it (RecordedRequest.thread). */
export interface SeenMessage {
  readonly id: string;
  readonly role: string;
  /** The text parts, joined. */
  readonly text: string;
}

/** One request as the server received it. */
export interface RecordedRequest {
  readonly seq: number;
  readonly method: string;
  /** The path without the query, e.g. `/v1/responses`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  readonly body: unknown;
  readonly receivedAt: number;
  /** The scenario that answered, for requests that start a run. */
  scenario?: string;
  status?: number;
  /** The client went away before the answer was complete (e.g. the Stop button). */
  aborted: boolean;
  /** The answer was completely written (or the client went away). */
  finished: boolean;
  /** For streamed answers: when each event was written (Date.now()), by its index in the stream. */
  readonly sentAt?: number[];
  /** For a request that starts an Assistants run: the thread's messages when the run was made (what the model sees). */
  thread?: readonly SeenMessage[];
}

export interface FakeServer {
  /** The API base, e.g. `http://127.0.0.1:PORT/v1`: give it to the SDK as `baseURL` / to VS Code as OPENAI_BASE_URL. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`, for the control endpoints and the DashScope-style `/api/v1` base. */
  readonly origin: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Queues answers for the next run(s): scenario names or entries. */
  script(...entries: (string | ScriptEntry)[]): void;
  /** Forgets requests, queued scripts and all stored state. */
  reset(): void;
  /** Resolves with the first recorded request that satisfies `test` (waits for it to arrive or change). */
  waitFor(test: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

interface StoredResponse {
  readonly response: Json;
  readonly turn: number;
  /** call_ids of function calls in this response and the ones before it. */
  readonly callIds: ReadonlySet<string>;
}

interface RunRecord {
  readonly builder: RunBuilder;
  /** Snapshots still to show to a polling client, oldest first; the last one stays. */
  snapshots: Json[];
  visible: Json;
  /** Steps and messages are shown to pollers once the run reached a resting status. */
  revealed: boolean;
  cancelRequested: boolean;
  readonly scenario: string;
}

interface ThreadRecord {
  readonly thread: Json;
  readonly messages: Json[];
  readonly runs: Map<string, RunRecord>;
}

const API_PREFIXES = ['/compatible-mode/v1', '/api/v1', '/stateless/v1', '/v1'] as const;

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'expired', 'incomplete', 'requires_action']);

class HttpError extends Error {
  constructor(readonly failure: HttpFailure) {
    super(`HTTP ${failure.status}`);
  }
}

function fail(status: number, message: string, type = 'invalid_request_error', code: string | null = null, param: string | null = null): never {
  throw new HttpError({ status, body: openAiError(message, type, code, param) });
}

/** DashScope's Message reference: "role: only `user` is supported". A thread seeded with answers is refused. */
function refuseAssistantRole(body: Json): void {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  if (messages.some((m) => asObject(m).role !== undefined && asObject(m).role !== 'user')) {
    throw new HttpError({
      status: 400,
      body: { request_id: `req_${Date.now().toString(36)}`, code: 'InvalidParameter', message: 'Role must be user' },
    });
  }
}

function asObject(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The text of a Responses `input` (string, or messages with string / input_text content) from user turns. */
function userTextOfInput(input: unknown): string {
  if (typeof input === 'string') {
    return input;
  }
  if (!Array.isArray(input)) {
    return '';
  }
  const texts: string[] = [];
  for (const raw of input) {
    const item = asObject(raw);
    if (item.role !== undefined && item.role !== 'user') {
      continue;
    }
    if (typeof item.content === 'string') {
      texts.push(item.content);
    } else if (Array.isArray(item.content)) {
      for (const part of item.content) {
        const p = asObject(part);
        if (typeof p.text === 'string') {
          texts.push(p.text);
        }
      }
    }
  }
  return texts.join('\n');
}

function textOfMessageContent(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  if (!Array.isArray(content)) {
    return '';
  }
  return content
    .map((part) => {
      const p = asObject(part);
      if (typeof p.text === 'string') {
        return p.text;
      }
      const t = asObject(p.text);
      return typeof t.value === 'string' ? t.value : '';
    })
    .join('');
}

/** A deterministic CSV for the recorded container file: 10,000 sums of two dice, first 20 and total as logged. */
function rollsCsv(): Buffer {
  const first = [6, 7, 2, 5, 5, 11, 4, 8, 10, 7, 5, 8, 8, 7, 10, 8, 9, 5, 4, 7];
  const sums = [...first];
  let seed = 42;
  const die = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 1 + (seed % 6);
  };
  while (sums.length < 10000) {
    sums.push(die() + die());
  }
  sums[20] = 12;
  let diff = 69868 - sums.reduce((a, b) => a + b, 0);
  for (let i = 21; diff !== 0; i = i + 1 >= sums.length ? 21 : i + 1) {
    const v = sums[i]!;
    if (diff > 0 && v < 12) {
      sums[i] = v + 1;
      diff--;
    } else if (diff < 0 && v > 2) {
      sums[i] = v - 1;
      diff++;
    }
  }
  return Buffer.from(`sum\r\n${sums.join('\r\n')}\r\n`, 'utf8');
}

const FIXTURE_FILES: readonly ContainerFile[] = [
  {
    containerId: 'cntr_68c2e6f380d881908a57a82d394434ff02f484f5344062e9',
    fileId: 'cfile_68c2e7084ab48191a67824aa1f4c90f1',
    filename: 'roll2dice_sums_10000.csv',
    mime: 'text/csv',
    bytes: rollsCsv(),
  },
];

/** Starts the fake server. */
export function startFakeServer(opts: FakeServerOptions = {}): Promise<FakeServer> {
  const impl = new FakeServerImpl(opts);
  return impl.listen();
}

class FakeServerImpl {
  readonly requests: RecordedRequest[] = [];
  private readonly queue = new ScriptQueue();
  private readonly server: Server;
  private readonly responses = new Map<string, StoredResponse>();
  /** Responses created with `background: true`, by id: their streams can be resumed and they can be cancelled. */
  private readonly background = new Map<string, BackgroundResponse>();
  private readonly containerFiles = new Map<string, ContainerFile>();
  private readonly assistants = new Map<string, Json>();
  private readonly threads = new Map<string, ThreadRecord>();
  private readonly files = new Map<string, StoredFile>();
  private readonly waiters = new Set<() => void>();
  private seq = 0;

  constructor(private readonly opts: FakeServerOptions) {
    this.resetState();
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          this.sendJson(res, 500, openAiError(`fake server: ${String(err)}`, 'server_error', null));
        } else {
          res.destroy();
        }
      });
    });
  }

  listen(): Promise<FakeServer> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => {
        const { port } = this.server.address() as AddressInfo;
        const origin = `http://${this.opts.host ?? '127.0.0.1'}:${port}`;
        resolve({
          url: `${origin}/v1`,
          origin,
          port,
          requests: this.requests,
          script: (...entries) => {
            for (const e of entries) {
              this.queue.push(typeof e === 'string' ? { scenario: e } : e);
            }
          },
          reset: () => this.reset(),
          waitFor: (test, timeoutMs) => this.waitFor(test, timeoutMs),
          close: () => this.close(),
        });
      });
    });
  }

  private close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private reset(): void {
    this.requests.length = 0;
    this.queue.clear();
    this.resetState();
  }

  private resetState(): void {
    this.responses.clear();
    this.background.clear();
    this.containerFiles.clear();
    this.assistants.clear();
    this.threads.clear();
    this.files.clear();
    for (const f of FIXTURE_FILES) {
      this.containerFiles.set(`${f.containerId}/${f.fileId}`, f);
    }
  }

  private changed(): void {
    for (const w of [...this.waiters]) {
      w();
    }
  }

  private waitFor(test: (r: RecordedRequest) => boolean, timeoutMs = 5000): Promise<RecordedRequest> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = this.requests.find(test);
        if (hit !== undefined) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`fake server: no matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  // ---------------------------------------------------------------- HTTP plumbing

  private async readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) {
      chunks.push(c as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.length === 0) {
      return undefined;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  private commonHeaders(): Record<string, string> {
    return { 'x-request-id': ids.request(), 'openai-processing-ms': '12', 'openai-version': '2020-10-01' };
  }

  private sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...this.commonHeaders(),
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  }

  private sendBytes(res: ServerResponse, mime: string, bytes: Buffer): void {
    res.writeHead(200, { ...this.commonHeaders(), 'content-type': mime, 'content-length': String(bytes.length) });
    res.end(bytes);
  }

  private finish(rec: RecordedRequest | undefined, status: number): void {
    if (rec !== undefined) {
      rec.status = status;
      rec.finished = true;
      this.changed();
    }
  }

  /**
   * Writes events as SSE with pacing. Stops as soon as the client goes away and marks the request aborted.
   * `interrupt` is shown each event before it is written; when it returns events, they are written instead and
   * the stream ends.
   */
  private async stream(
    res: ServerResponse,
    rec: RecordedRequest,
    events: readonly WireEvent[],
    delayMs: number,
    interrupt?: (next: WireEvent) => WireEvent[] | undefined,
  ): Promise<void> {
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) {
        gone.abort();
      }
    });
    res.writeHead(200, {
      ...this.commonHeaders(),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    rec.status = 200;
    for (let i = 0; i < events.length; i++) {
      if (i > 0) {
        await sleep(delayMs, gone.signal);
      }
      if (gone.signal.aborted) {
        break;
      }
      const stop = interrupt?.(events[i]!);
      if (stop !== undefined) {
        for (const e of stop) {
          res.write(frameSse(e));
        }
        break;
      }
      res.write(frameSse(events[i]!));
      rec.sentAt?.push(Date.now());
    }
    if (gone.signal.aborted) {
      rec.aborted = true;
    } else {
      await new Promise<void>((resolve) => res.end(resolve));
    }
    this.finish(rec, 200);
  }

  private checkAuth(req: IncomingMessage): void {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m === null) {
      fail(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
          '(i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.',
      );
    }
    const key = m[1]!;
    if (this.opts.apiKey !== undefined && key !== this.opts.apiKey) {
      const masked = key.length > 8 ? `${key.slice(0, 3)}*****${key.slice(-4)}` : key;
      fail(
        401,
        `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_request_error',
        'invalid_api_key',
      );
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await this.readBody(req);

    if (url.pathname.startsWith('/__')) {
      this.control(method, url.pathname, body, res);
      return;
    }

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
    }
    const rec: RecordedRequest = {
      seq: ++this.seq,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
      receivedAt: Date.now(),
      aborted: false,
      finished: false,
      sentAt: [],
    };
    this.requests.push(rec);
    this.changed();

    try {
      const prefix = API_PREFIXES.find((p) => url.pathname === p || url.pathname.startsWith(`${p}/`));
      if (prefix === undefined) {
        fail(404, `Invalid URL (${method} ${url.pathname})`);
      }
      this.checkAuth(req);
      if (prefix === '/stateless/v1') {
        await this.statelessRoute(method, url.pathname.slice(prefix.length), asObject(body), rec, res);
        return;
      }
      const flavour: AssistantsFlavour = prefix === '/api/v1' ? 'dashscope' : 'openai';
      await this.route(method, url.pathname.slice(prefix.length), url.searchParams, asObject(body), rec, res, flavour);
    } catch (err) {
      if (err instanceof HttpError) {
        if (!res.headersSent) {
          this.sendJson(res, err.failure.status, err.failure.body, { ...(err.failure.headers ?? {}) });
        }
        this.finish(rec, err.failure.status);
        return;
      }
      throw err;
    }
  }

  private control(method: string, path: string, body: unknown, res: ServerResponse): void {
    if (method === 'GET' && path === '/__requests') {
      this.sendJson(res, 200, this.requests);
      return;
    }
    if (method === 'GET' && path === '/__scenarios') {
      this.sendJson(res, 200, { scenarios: listScenarios(), queued: this.queue.list() });
      return;
    }
    if (method === 'POST' && path === '/__reset') {
      this.reset();
      this.sendJson(res, 200, { ok: true });
      return;
    }
    if (method === 'POST' && path === '/__script') {
      // Accepts "name", ["name", {...}], {scenario|events|failure...} or {scenarios: [...]}.
      const raw = asObject(body).scenarios ?? body;
      const list = Array.isArray(raw) ? raw : [raw];
      try {
        const entries = list.map((e): ScriptEntry => (typeof e === 'string' ? { scenario: e } : (e as ScriptEntry)));
        entries.forEach(resolveEntry); // check them all before queueing any
        for (const e of entries) {
          this.queue.push(e);
        }
        this.sendJson(res, 200, { ok: true, queued: this.queue.list() });
      } catch (err) {
        this.sendJson(res, 400, openAiError(`fake server: ${(err as Error).message}`, 'invalid_request_error', 'bad_script'));
      }
      return;
    }
    this.sendJson(res, 404, openAiError(`fake server: no control endpoint ${method} ${path}`, 'invalid_request_error', null));
  }

  private async route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Json,
    rec: RecordedRequest,
    res: ServerResponse,
    flavour: AssistantsFlavour,
  ): Promise<void> {
    const seg = path.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
    const is = (m: string, ...pattern: string[]): boolean =>
      method === m && seg.length === pattern.length && pattern.every((p, i) => p === '*' || p === seg[i]);

    if (is('POST', 'responses')) {
      return this.createResponse(body, rec, res);
    }
    if (is('POST', 'chat', 'completions')) {
      return this.chatCompletion(body, rec, res);
    }
    if (is('GET', 'models')) {
      return this.ok(res, rec, modelList());
    }
    if (is('GET', 'responses', '*') && query.get('stream') === 'true') {
      return this.resumeResponse(seg[1]!, query, rec, res);
    }
    if (is('POST', 'responses', '*', 'cancel')) {
      return this.ok(res, rec, this.cancelResponse(seg[1]!));
    }
    if (is('GET', 'responses', '*')) {
      const stored = this.responses.get(seg[1]!);
      if (stored === undefined) {
        fail(404, `Response with id '${seg[1]}' not found.`, 'invalid_request_error', null, 'response_id');
      }
      return this.ok(res, rec, stored.response);
    }
    if (is('GET', 'containers', '*', 'files', '*', 'content')) {
      const f = this.containerFiles.get(`${seg[1]}/${seg[3]}`);
      if (f === undefined) {
        fail(404, `File ${seg[3]} not found in container ${seg[1]}.`, 'invalid_request_error', null);
      }
      this.sendBytes(res, f.mime, f.bytes);
      return this.finish(rec, 200);
    }
    if (is('GET', 'containers', '*', 'files', '*')) {
      const f = this.containerFiles.get(`${seg[1]}/${seg[3]}`);
      if (f === undefined) {
        fail(404, `File ${seg[3]} not found in container ${seg[1]}.`, 'invalid_request_error', null);
      }
      return this.ok(res, rec, {
        id: f.fileId,
        object: 'container.file',
        bytes: f.bytes.length,
        container_id: f.containerId,
        created_at: nowSeconds(),
        path: `/mnt/data/${f.filename}`,
        source: 'assistant',
      });
    }
    if (is('GET', 'files', '*', 'content') || is('GET', 'files', '*')) {
      const f = this.files.get(seg[1]!);
      if (f === undefined) {
        fail(404, `No such File object: ${seg[1]}`, 'invalid_request_error', null, 'id');
      }
      if (seg.length === 3) {
        this.sendBytes(res, f.mime, f.bytes);
        return this.finish(rec, 200);
      }
      return this.ok(res, rec, {
        id: f.id,
        object: 'file',
        bytes: f.bytes.length,
        created_at: nowSeconds(),
        filename: f.filename,
        purpose: 'assistants_output',
      });
    }
    if (is('POST', 'assistants')) {
      const a: Json = {
        id: ids.assistant(),
        object: 'assistant',
        created_at: nowSeconds(),
        name: body.name ?? null,
        description: body.description ?? null,
        model: typeof body.model === 'string' ? body.model : 'gpt-4o-mini',
        instructions: body.instructions ?? null,
        tools: Array.isArray(body.tools) ? body.tools : [],
        top_p: 1,
        temperature: 1,
        reasoning_effort: null,
        tool_resources: { code_interpreter: { file_ids: [] } },
        metadata: body.metadata ?? {},
        response_format: 'auto',
      };
      this.assistants.set(a.id as string, a);
      return this.ok(res, rec, a);
    }
    if (is('GET', 'assistants', '*')) {
      return this.ok(res, rec, this.assistant(seg[1]!));
    }
    if (is('POST', 'threads')) {
      if (flavour === 'dashscope') refuseAssistantRole(body);
      return this.ok(res, rec, this.createThread(body).thread);
    }
    if (is('GET', 'threads', '*')) {
      return this.ok(res, rec, this.thread(seg[1]!).thread);
    }
    if (is('POST', 'threads', '*', 'messages')) {
      return this.ok(res, rec, this.addUserMessage(this.thread(seg[1]!), body));
    }
    if (is('DELETE', 'threads', '*', 'messages', '*')) {
      return this.ok(res, rec, this.deleteMessage(this.thread(seg[1]!), seg[3]!, flavour));
    }
    if (is('GET', 'threads', '*', 'messages')) {
      const t = this.thread(seg[1]!);
      let data = [...t.messages];
      const runId = query.get('run_id');
      if (runId !== null) {
        data = data.filter((m) => m.run_id === runId);
      }
      if ((query.get('order') ?? 'desc') === 'desc') {
        data.reverse();
      }
      return this.ok(res, rec, this.list(data, query));
    }
    if (is('POST', 'threads', 'runs')) {
      const t = this.createThread(asObject(body.thread));
      return this.createRun(t, body, rec, res, flavour, true);
    }
    if (is('POST', 'threads', '*', 'runs')) {
      return this.createRun(this.thread(seg[1]!), body, rec, res, flavour, false);
    }
    if (is('GET', 'threads', '*', 'runs')) {
      const t = this.thread(seg[1]!);
      return this.ok(res, rec, this.list([...t.runs.values()].map((r) => r.visible).reverse(), query));
    }
    if (is('GET', 'threads', '*', 'runs', '*')) {
      return this.ok(res, rec, this.poll(this.run(seg[1]!, seg[3]!)), { 'openai-poll-after-ms': '10' });
    }
    if (is('GET', 'threads', '*', 'runs', '*', 'steps')) {
      const r = this.run(seg[1]!, seg[3]!);
      const steps = r.revealed ? [...r.builder.steps] : [];
      if ((query.get('order') ?? 'desc') === 'desc') {
        steps.reverse();
      }
      return this.ok(res, rec, this.list(steps, query));
    }
    if (is('POST', 'threads', '*', 'runs', '*', 'cancel')) {
      return this.ok(res, rec, this.cancel(this.run(seg[1]!, seg[3]!)));
    }
    if (is('POST', 'threads', '*', 'runs', '*', 'submit_tool_outputs')) {
      return this.submitToolOutputs(this.thread(seg[1]!), this.run(seg[1]!, seg[3]!), body, rec, res);
    }
    fail(404, `Invalid URL (${method} ${path})`);
  }

  private ok(res: ServerResponse, rec: RecordedRequest, body: unknown, headers: Record<string, string> = {}): void {
    this.sendJson(res, 200, body, headers);
    this.finish(rec, 200);
  }

  private list(data: Json[], query: URLSearchParams): Json {
    const limit = Number(query.get('limit') ?? 20);
    // Cursor paging as OpenAI's lists do: `after` (or `before`) an object id, in the order asked for.
    const after = query.get('after');
    const before = query.get('before');
    if (after !== null) {
      data = data.slice(data.findIndex((d) => d.id === after) + 1);
    } else if (before !== null) {
      const at = data.findIndex((d) => d.id === before);
      data = at < 0 ? data : data.slice(0, at);
    }
    const page = data.slice(0, Number.isFinite(limit) && limit > 0 ? limit : 20);
    return {
      object: 'list',
      data: page,
      first_id: page[0]?.id ?? null,
      last_id: page[page.length - 1]?.id ?? null,
      has_more: page.length < data.length,
    };
  }

  // ---------------------------------------------------------------- Responses API

  private createResponse(body: Json, rec: RecordedRequest, res: ServerResponse): Promise<void> | void {
    let previous: StoredResponse | undefined;
    if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
      previous = this.responses.get(String(body.previous_response_id));
      if (previous === undefined) {
        fail(
          400,
          `Previous response with id '${String(body.previous_response_id)}' not found.`,
          'invalid_request_error',
          'previous_response_not_found',
          'previous_response_id',
        );
      }
    }
    const toolOutputs = (Array.isArray(body.input) ? body.input : [])
      .map(asObject)
      .filter((i) => i.type === 'function_call_output')
      .map((i) => ({ call_id: String(i.call_id), output: typeof i.output === 'string' ? i.output : JSON.stringify(i.output) }));
    for (const o of toolOutputs) {
      if (!previous?.callIds.has(o.call_id)) {
        fail(400, `No tool call found for function call output with call_id ${o.call_id}.`, 'invalid_request_error', null, 'input');
      }
    }
    if (body.background === true && body.store === false) {
      fail(400, 'Background mode requires store to be true.', 'invalid_request_error', null, 'store');
    }
    const markers = readMarkers(userTextOfInput(body.input));
    const chosen = this.chooseResponses(markers, toolOutputs.length > 0);
    rec.scenario = chosen.name;
    this.changed();
    const delayMs = chosen.delayMs ?? this.opts.delayMs ?? DEFAULT_DELAY_MS;
    if (chosen.failure !== undefined) {
      throw new HttpError(chosen.failure);
    }
    const ctx: ResponsesContext = {
      body,
      question: markers.cleaned,
      turn: previous === undefined ? 1 : previous.turn + 1,
      toolOutputs,
    };
    const plan = this.planResponses(chosen, ctx);
    const final = plan.response;
    if (final !== undefined && typeof final.id === 'string') {
      const callIds = new Set(previous?.callIds ?? []);
      for (const item of Array.isArray(final.output) ? final.output : []) {
        const o = asObject(item);
        if (o.type === 'function_call' && typeof o.call_id === 'string') {
          callIds.add(o.call_id);
        }
      }
      const background = body.background === true;
      this.responses.set(final.id, { response: background ? { ...final, background: true } : final, turn: ctx.turn, callIds });
      if (background) {
        this.background.set(final.id, new BackgroundResponse(final.id, plan.events, delayMs));
      }
    }
    for (const f of plan.files) {
      this.containerFiles.set(`${f.containerId}/${f.fileId}`, f);
    }
    const bg = typeof final?.id === 'string' ? this.background.get(final.id) : undefined;
    if (bg !== undefined && body.stream === true) {
      return this.streamBackground(bg, -1, rec, res);
    }
    if (body.stream === true) {
      return this.stream(res, rec, plan.events, delayMs);
    }
    if (final === undefined) {
      fail(500, 'fake server: this scenario has no final Response to return without streaming', 'server_error');
    }
    this.ok(res, rec, final);
  }

  /** `/stateless/v1`: a Responses server that keeps no responses (statelessResponses.ts). */
  private async statelessRoute(method: string, path: string, body: Json, rec: RecordedRequest, res: ServerResponse): Promise<void> {
    if (method === 'POST' && path === '/responses') {
      rec.scenario = 'stateless';
      this.changed();
      const plan = planStateless(body);
      if ('failure' in plan) throw new HttpError(plan.failure);
      if (body.stream === true) return this.stream(res, rec, plan.events, this.opts.delayMs ?? DEFAULT_DELAY_MS);
      return this.ok(res, rec, plan.response);
    }
    if (method === 'GET' && path === '/models') return this.ok(res, rec, modelList());
    if (method === 'GET' && path.startsWith('/responses/')) fail(404, `Response with id '${path.slice('/responses/'.length)}' not found.`, 'invalid_request_error', null, 'response_id');
    fail(404, `Invalid URL (${method} ${path})`);
  }

  /** A background response's events after `after`, paced; a cancel while it streams ends it with `response.cancelled`. */
  private streamBackground(bg: BackgroundResponse, after: number, rec: RecordedRequest, res: ServerResponse): Promise<void> {
    const stored = (): Json => this.responses.get(bg.id)?.response ?? {};
    const events = bg.cancelled ? [bg.cancelledEvent(stored())] : bg.after(after);
    const last = bg.events.at(-1);
    return this.stream(res, rec, events, bg.delayMs, (next) => {
      if (bg.cancelled) {
        return [bg.cancelledEvent(stored())];
      }
      if (next === last) {
        bg.done = true;
      }
      return undefined;
    });
  }

  /** `GET /responses/{id}?stream=true[&starting_after=N]`: the rest of a background response's stream. */
  private resumeResponse(id: string, query: URLSearchParams, rec: RecordedRequest, res: ServerResponse): Promise<void> {
    const bg = this.background.get(id);
    if (bg === undefined) {
      if (this.responses.has(id)) {
        fail(400, 'Only responses created with background=true can be streamed again.', 'invalid_request_error', null, 'stream');
      }
      fail(404, `Response with id '${id}' not found.`, 'invalid_request_error', null, 'response_id');
    }
    const raw = query.get('starting_after');
    const after = raw === null ? -1 : Number(raw);
    if (!Number.isInteger(after) || after < -1) {
      fail(400, `Invalid 'starting_after': expected an integer, got '${raw}'.`, 'invalid_request_error', null, 'starting_after');
    }
    rec.scenario = 'background:resume';
    return this.streamBackground(bg, after, rec, res);
  }

  /** `POST /responses/{id}/cancel`: only a background response that is still going. */
  private cancelResponse(id: string): Json {
    const stored = this.responses.get(id);
    if (stored === undefined) {
      fail(404, `Response with id '${id}' not found.`, 'invalid_request_error', null, 'response_id');
    }
    const bg = this.background.get(id);
    if (bg === undefined) {
      fail(400, 'Only responses created with background=true can be cancelled.', 'invalid_request_error', null);
    }
    if (!bg.cancelled && bg.done) {
      fail(400, 'Cannot cancel a completed response.', 'invalid_request_error', null);
    }
    bg.cancelled = true;
    const response = { ...stored.response, status: 'cancelled', output: [] };
    this.responses.set(id, { ...stored, response });
    return response;
  }

  private chooseResponses(markers: ReturnType<typeof readMarkers>, hasToolOutputs: boolean): Resolved & { delayMs: number | undefined } {
    const scripted = this.queue.take('responses');
    if (scripted !== undefined) {
      return { ...scripted, delayMs: scripted.delayMs ?? markers.delayMs };
    }
    if (hasToolOutputs) {
      return { name: 'function-call:follow-up', kind: 'responses', delayMs: markers.delayMs };
    }
    const name = markers.scenario ?? 'tutor';
    let resolved: Resolved;
    try {
      resolved = resolveEntry({ scenario: name });
    } catch (err) {
      fail(400, `fake server: ${(err as Error).message}`, 'invalid_request_error', 'unknown_scenario');
    }
    if (!fits(resolved.kind, 'responses')) {
      fail(400, `fake server: scenario "${name}" answers Assistants runs, not /responses`, 'invalid_request_error', 'unknown_scenario');
    }
    return { ...resolved, delayMs: markers.delayMs ?? resolved.delayMs };
  }

  private planResponses(chosen: Resolved, ctx: ResponsesContext): ResponsesPlan {
    if (chosen.events !== undefined) {
      return { events: chosen.events, response: lastResponseIn(chosen.events), files: [] };
    }
    if (chosen.name.startsWith('fixture:')) {
      const events = responsesFixtureEvents(chosen.name.slice('fixture:'.length));
      return { events, response: lastResponseIn(events), files: [] };
    }
    switch (chosen.name) {
      case 'tutor':
        return tutorScenario(ctx);
      case 'slow':
        return tutorScenario(ctx, true);
      case 'plot':
        return plotScenario(ctx);
      case 'function-call':
        return functionCallScenario(ctx);
      case 'function-call:follow-up':
        return tutorFollowUp(ctx) ?? functionFollowUpScenario(ctx);
      case 'completed-only':
        return completedOnlyScenario(ctx);
      case 'solution':
        return solutionScenario(ctx);
      case 'solution-indented':
        return solutionIndentedScenario(ctx);
      default:
        return tutorScenarioPlan(chosen.name, ctx) ?? fail(400, `fake server: scenario "${chosen.name}" has no Responses plan`, 'invalid_request_error', 'unknown_scenario');
    }
  }

  // ---------------------------------------------------------------- Chat Completions (scenarios in chatScenarios.ts)

  private chatCompletion(body: Json, rec: RecordedRequest, res: ServerResponse): Promise<void> {
    const invalid = checkMessages((Array.isArray(body.messages) ? body.messages : []).map(asObject));
    if (invalid !== undefined) {
      throw new HttpError(invalid);
    }
    const markers = readMarkers(lastUserText(body));
    const scripted = this.queue.take('chat');
    const marked = markers.scenario === undefined || FAILURES[markers.scenario] !== undefined || markers.scenario.startsWith('chat:') ? markers.scenario : `chat:${markers.scenario}`;
    const name = scripted?.name ?? marked ?? 'chat:tutor';
    rec.scenario = name;
    this.changed();
    const failure = scripted?.failure ?? (scripted === undefined ? FAILURES[name] : undefined);
    if (failure !== undefined) {
      throw new HttpError(failure);
    }
    if (body.stream !== true) {
      fail(400, 'fake server: chat completions are served with stream: true only', 'invalid_request_error', null, 'stream');
    }
    const delayMs = scripted?.delayMs ?? markers.delayMs ?? findScenario(name)?.delayMs ?? this.opts.delayMs ?? DEFAULT_DELAY_MS;
    if (scripted?.events !== undefined) {
      return this.stream(res, rec, scripted.events, delayMs);
    }
    const plan = planChat(name, chatContext(body, markers.cleaned));
    if ('failure' in plan) {
      throw new HttpError(plan.failure);
    }
    return this.stream(res, rec, plan.events, plan.delayMs ?? delayMs);
  }

  // ---------------------------------------------------------------- Assistants API

  private assistant(id: string): Json {
    const a = this.assistants.get(id);
    if (a === undefined) {
      fail(404, `No assistant found with id '${id}'.`, 'invalid_request_error', null);
    }
    return a;
  }

  private thread(id: string): ThreadRecord {
    const t = this.threads.get(id);
    if (t === undefined) {
      fail(404, `No thread found with id '${id}'.`, 'invalid_request_error', null);
    }
    return t;
  }

  private run(threadId: string, runId: string): RunRecord {
    const r = this.thread(threadId).runs.get(runId);
    if (r === undefined) {
      fail(404, `No run found with id '${runId}'.`, 'invalid_request_error', null);
    }
    return r;
  }

  private createThread(body: Json): ThreadRecord {
    const t: ThreadRecord = {
      thread: {
        id: ids.thread(),
        object: 'thread',
        created_at: nowSeconds(),
        metadata: body.metadata ?? {},
        tool_resources: { code_interpreter: { file_ids: [] } },
      },
      messages: [],
      runs: new Map(),
    };
    this.threads.set(t.thread.id as string, t);
    for (const m of Array.isArray(body.messages) ? body.messages : []) {
      this.addUserMessage(t, asObject(m));
    }
    return t;
  }

  private addUserMessage(t: ThreadRecord, body: Json): Json {
    const text = textOfMessageContent(body.content);
    const message: Json = {
      id: ids.threadMessage(),
      object: 'thread.message',
      created_at: nowSeconds(),
      assistant_id: null,
      thread_id: t.thread.id,
      run_id: null,
      status: 'completed',
      incomplete_details: null,
      incomplete_at: null,
      completed_at: nowSeconds(),
      role: body.role === 'assistant' ? 'assistant' : 'user',
      content: [{ type: 'text', text: { value: text, annotations: [] } }],
      attachments: Array.isArray(body.attachments) ? body.attachments : [],
      metadata: body.metadata ?? {},
    };
    t.messages.push(message);
    return message;
  }

  /** `DELETE /threads/{t}/messages/{m}`, where the shape has it (FakeServerOptions.messageDeletion). */
  private deleteMessage(t: ThreadRecord, messageId: string, flavour: AssistantsFlavour): Json {
    const allowed = this.opts.messageDeletion ?? 'openai';
    if (allowed === 'none' || (allowed === 'openai' && flavour === 'dashscope')) {
      if (flavour === 'dashscope') {
        throw new HttpError({ status: 404, body: { request_id: `req_${Date.now().toString(36)}`, code: 'NotFound', message: 'Not Found' } });
      }
      fail(405, 'Method DELETE is not allowed for this resource.', 'invalid_request_error', 'method_not_allowed');
    }
    const i = t.messages.findIndex((m) => m.id === messageId);
    if (i < 0) {
      fail(404, `No message found with id '${messageId}'.`, 'invalid_request_error', null);
    }
    t.messages.splice(i, 1);
    for (const r of t.runs.values()) {
      const j = r.builder.messages.findIndex((m) => m.id === messageId);
      if (j >= 0) r.builder.messages.splice(j, 1); // a later reveal must not bring it back
    }
    return { id: messageId, object: 'thread.message.deleted', deleted: true };
  }

  private chooseAssistants(
    question: string,
    flavour: AssistantsFlavour,
    streaming: boolean,
  ): Resolved & { delayMs: number | undefined } {
    const markers = readMarkers(question);
    const queued = this.queue.peek('assistants');
    if (queued !== undefined) {
      if (queued.name === 'assistants:no-stream' && streaming) {
        this.refuseStreaming(); // not used up: the client's create + poll fallback gets it
      }
      this.queue.take('assistants');
      return { ...queued, delayMs: queued.delayMs ?? markers.delayMs };
    }
    const aliases: Record<string, string> = {
      tutor: flavour === 'dashscope' ? 'dashscope:tutor' : 'assistants:tutor',
      plot: 'assistants:tutor',
      slow: 'assistants:slow',
      'function-call': 'assistants:requires-action',
      solution: 'assistants:solution',
    };
    const wanted = markers.scenario ?? 'tutor';
    const name = aliases[wanted] ?? wanted;
    let resolved: Resolved;
    try {
      resolved = resolveEntry({ scenario: name });
    } catch (err) {
      fail(400, `fake server: ${(err as Error).message}`, 'invalid_request_error', 'unknown_scenario');
    }
    if (!fits(resolved.kind, 'assistants')) {
      fail(400, `fake server: scenario "${name}" answers /responses, not Assistants runs`, 'invalid_request_error', 'unknown_scenario');
    }
    if (resolved.name === 'assistants:no-stream' && streaming) {
      this.refuseStreaming();
    }
    return { ...resolved, delayMs: markers.delayMs ?? resolved.delayMs };
  }

  private refuseStreaming(): never {
    return fail(
      400,
      'Streaming is not supported for this assistant. Set stream to false and poll the run.',
      'invalid_request_error',
      'unsupported_parameter',
      'stream',
    );
  }

  private createRun(
    t: ThreadRecord,
    body: Json,
    rec: RecordedRequest,
    res: ServerResponse,
    flavour: AssistantsFlavour,
    threadCreated: boolean,
  ): Promise<void> | void {
    const assistant = this.assistant(String(body.assistant_id));
    for (const m of Array.isArray(body.additional_messages) ? body.additional_messages : []) {
      this.addUserMessage(t, asObject(m));
    }
    rec.thread = t.messages.map((m) => ({ id: String(m.id), role: String(m.role), text: textOfMessageContent(m.content) }));
    const lastUser = [...t.messages].reverse().find((m) => m.role === 'user');
    const question = lastUser === undefined ? '' : textOfMessageContent(lastUser.content);
    const streaming = body.stream === true;
    const chosen = this.chooseAssistants(question, flavour, streaming);
    rec.scenario = chosen.name;
    this.changed();
    if (chosen.failure !== undefined) {
      throw new HttpError(chosen.failure);
    }
    const delayMs = chosen.delayMs ?? this.opts.delayMs ?? DEFAULT_DELAY_MS;
    const builder = new RunBuilder(
      newRun({ threadId: t.thread.id as string, assistant, body }),
      flavour === 'dashscope' || chosen.name.startsWith('dashscope:') ? 'dashscope' : 'openai',
    );
    const cleaned = readMarkers(question).cleaned;
    let events: WireEvent[];
    if (chosen.events !== undefined) {
      events = chosen.events;
    } else if (chosen.name === 'assistants:fixture') {
      events = parseSse(readAssistantsFixture());
    } else {
      builder.created().setStatus('queued');
      switch (chosen.name) {
        case 'assistants:requires-action':
          runRequiresAction(builder);
          break;
        case 'assistants:slow':
          runTutor(builder, cleaned, this.newImage(), true);
          break;
        case 'assistants:solution':
          runSolution(builder);
          break;
        case 'dashscope:openai-outputs':
          runTutor(builder, cleaned, this.newImage(), false, { final: 'openai', logs: 'lines' });
          break;
        case 'dashscope:both-outputs':
          runTutor(builder, cleaned, this.newImage(), false, { final: 'both', logs: 'cumulative' });
          break;
        case 'assistants:dashscope-output':
          runTutor(builder, cleaned, this.newImage(), false, { final: 'dashscope', logs: 'lines' });
          break;
        case 'assistants:both-outputs':
          runTutor(builder, cleaned, this.newImage(), false, { final: 'both', logs: 'lines' });
          break;
        default:
          runTutor(builder, cleaned, this.newImage());
      }
      for (const f of builder.files) {
        this.files.set(f.id, f);
      }
      events = [...builder.take(), DONE_EVENT];
    }
    const record: RunRecord = {
      builder,
      snapshots: runSnapshots(events),
      visible: { ...builder.run },
      revealed: false,
      cancelRequested: false,
      scenario: chosen.name,
    };
    record.visible = record.snapshots.shift() ?? record.visible;
    t.runs.set(builder.id, record);
    if (streaming) {
      // Messages show in the thread as the stream tells them; for simplicity they are added up front.
      this.reveal(t, record);
      const all = threadCreated ? [{ event: 'thread.created', data: JSON.stringify(t.thread) }, ...events] : events;
      record.snapshots = [];
      return this.stream(res, rec, all, delayMs, (next) => this.streamed(record, next)).then(() =>
        this.settle(record, events),
      );
    }
    this.ok(res, rec, record.visible, { 'openai-poll-after-ms': '10' });
  }

  private newImage(): StoredFile {
    return { id: ids.file(), filename: 'chart.png', mime: 'image/png', bytes: makeChartPng() };
  }

  /** Shows the run's steps and assistant messages (once). */
  private reveal(t: ThreadRecord, r: RunRecord): void {
    if (r.revealed) {
      return;
    }
    r.revealed = true;
    for (const m of r.builder.messages) {
      if (!t.messages.includes(m)) {
        t.messages.push(m);
      }
    }
  }

  /** A poll: the next snapshot of the run; at a resting status its steps and messages become visible. */
  private poll(r: RunRecord): Json {
    if (r.cancelRequested) {
      if (r.visible.status === 'cancelling') {
        r.visible = { ...r.visible, status: 'cancelled', cancelled_at: nowSeconds() };
      }
      return r.visible;
    }
    const next = r.snapshots.shift();
    if (next !== undefined) {
      r.visible = next;
    }
    if (TERMINAL.has(String(r.visible.status))) {
      const t = this.threads.get(String(r.builder.run.thread_id));
      if (t !== undefined) {
        this.reveal(t, r);
      }
    }
    return r.visible;
  }

  private cancel(r: RunRecord): Json {
    const status = String(r.visible.status);
    if (TERMINAL.has(status) && status !== 'requires_action') {
      fail(400, `Cannot cancel run with status '${status}'.`, 'invalid_request_error', null);
    }
    r.cancelRequested = true;
    r.snapshots = [];
    r.visible = { ...r.visible, status: 'cancelling' };
    Object.assign(r.builder.run, { status: 'cancelled', cancelled_at: nowSeconds() });
    return r.visible;
  }

  /** After its stream (even one the client left): the run rests where its events end, as a real run would. */
  private settle(r: RunRecord, events: readonly WireEvent[]): void {
    if (!r.cancelRequested) {
      r.visible = runSnapshots(events).at(-1) ?? r.visible;
    }
  }

  /**
   * While a run streams: a poll sees the run as the stream last told it; once a cancel came in, the stream ends
   * with `thread.run.cancelled` and done.
   */
  private streamed(r: RunRecord, next: WireEvent): WireEvent[] | undefined {
    if (r.cancelRequested) {
      r.visible = { ...r.builder.run };
      return [{ event: 'thread.run.cancelled', data: JSON.stringify(r.builder.run) }, DONE_EVENT];
    }
    const snapshot = runSnapshots([next])[0];
    if (snapshot !== undefined) {
      r.visible = snapshot;
    }
    return undefined;
  }

  private submitToolOutputs(t: ThreadRecord, r: RunRecord, body: Json, rec: RecordedRequest, res: ServerResponse): Promise<void> | void {
    const b = r.builder;
    if (b.status !== 'requires_action') {
      fail(400, `Runs in status "${b.status}" do not accept tool outputs.`, 'invalid_request_error', null);
    }
    const outputs = (Array.isArray(body.tool_outputs) ? body.tool_outputs : []).map(asObject).map((o) => ({
      tool_call_id: String(o.tool_call_id),
      output: typeof o.output === 'string' ? o.output : '',
    }));
    const expected = b.pending.map((p) => p.callId).sort();
    const got = outputs.map((o) => o.tool_call_id).sort();
    if (expected.join(',') !== got.join(',')) {
      fail(
        400,
        `Expected tool outputs for call_ids ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`,
        'invalid_request_error',
        null,
        'tool_outputs',
      );
    }
    rec.scenario = r.scenario;
    continueAfterTools(b, outputs);
    const events = [...b.take(), DONE_EVENT];
    r.revealed = false;
    r.snapshots = runSnapshots(events);
    if (body.stream === true) {
      this.reveal(t, r);
      r.snapshots = [];
      return this.stream(res, rec, events, this.opts.delayMs ?? DEFAULT_DELAY_MS, (next) => this.streamed(r, next)).then(
        () => this.settle(r, events),
      );
    }
    r.visible = r.snapshots.shift() ?? { ...b.run };
    this.ok(res, rec, r.visible, { 'openai-poll-after-ms': '10' });
  }
}

/** The run objects a stream carries (`thread.run.*` events), in order: what a poller sees one by one. */
function runSnapshots(events: readonly WireEvent[]): Json[] {
  const out: Json[] = [];
  for (const e of events) {
    if (e.event === undefined || !e.event.startsWith('thread.run.') || e.event.startsWith('thread.run.step')) {
      continue;
    }
    try {
      const data = asObject(JSON.parse(e.data));
      if (data.object === 'thread.run') {
        out.push(data);
      }
    } catch {
      // not JSON: not a snapshot
    }
  }
  return out;
}

/** The last Response object carried by `response.*` events (completed, failed, incomplete…). */
function lastResponseIn(events: readonly WireEvent[]): Json | undefined {
  let last: Json | undefined;
  for (const e of events) {
    try {
      const data = asObject(JSON.parse(e.data));
      const r = asObject(data.response);
      if (typeof r.id === 'string') {
        last = r;
      }
    } catch {
      // not JSON
    }
  }
  return last;
}
