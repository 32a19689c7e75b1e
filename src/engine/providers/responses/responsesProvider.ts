/**
 * The thin I/O shell of the Responses API: the real `openai` package does the HTTP and SSE, the pure
 * ResponsesMapper turns its events into ours, and this file adds what needs I/O — file downloads, function tool
 * rounds (`function_call_output` + `previous_response_id`), cancellation and error classification. For servers that
 * keep no responses the conversation is kept here instead (clientConversation.ts): the whole input each time,
 * `store: false`, no `previous_response_id`.
 *
 * After a dropped stream the run is recovered without losing or repeating anything: a background response is resumed
 * where it broke off (`GET /responses/{id}?stream=true&starting_after=N`), and any response is retrieved by id.
 */
import OpenAI, { APIConnectionError, APIError } from 'openai';
import type { StreamEvent } from '../../../shared/events';
import { errorFromHttp, errorFromStreamPayload, isAbortError, networkError, redactSecrets } from '../../errors';
import { guardedFetch, type NetOptions } from '../../net/guardedFetch';
import { classifyFailure, defaultRetryPolicy, type RetryPolicy, retryDelayMs, sleep, withRetries } from '../../net/retryPolicy';
import { FileResolver, readCapped } from '../../files';
import type { MapperEvent } from '../../mapperEvents';
import { type ConnectionOptions, type Provider, type RunRequest, questionText, tutorInstructions } from '../../provider';
import { runToolCall } from '../../tools/functionTool';
import { codeToolName } from '../chat/chatMapper';
import { runPythonCall } from '../chat/runPythonTool';
import { defaultHistoryTokens } from '../chat/chatHistory';
import {
  type ConversationState,
  type InputItem,
  ResponseOutputs,
  estimateInputTokens,
  forInputHistory,
  isInputList,
  previousResponseRefused,
  trimInput,
  userItem,
} from './clientConversation';
import { ResponsesMapper } from './responsesMapper';
import { RunPythonStreamer, runPythonResponsesTool } from './runPythonOnResponses';

export interface ResponsesProviderOptions extends ConnectionOptions {
  /** Send the instructions as a system message (DashScope's Responses endpoint ignores `instructions`). */
  readonly instructionsAsMessage?: boolean;
  /** For tests; defaults to the global fetch (which VS Code routes through its proxy settings). */
  readonly fetch?: typeof fetch;
  /** Where the conversation is kept (`codeTutor.conversationState`, presets resolved); default `server`. */
  readonly conversationState?: ConversationState;
  /** The client-held conversation's budget in tokens (`codeTutor.chatHistoryTokens`). */
  readonly historyTokens?: number;
  /**
   * Create background responses (`background: true`, `store: true`): the server finishes the answer even when the
   * connection drops, and a dropped stream is resumed after the last event seen (`starting_after`). Stop cancels the
   * response on the server.
   */
  readonly background?: boolean;
}

/** The API error's words (message, code, param), to tell a refused previous_response_id. */
function refusedPrevious(e: unknown): boolean {
  if (!(e instanceof APIError) || typeof e.status !== 'number') return false;
  const err = (e.error ?? {}) as { message?: unknown; code?: unknown; param?: unknown };
  const text = [err.message, err.code, err.param, e.message].filter((x) => typeof x === 'string').join(' ');
  return previousResponseRefused(e.status, text);
}

/**
 * A server that ignored `stream: true` and answered with the finished Response as JSON: turn it into the one SSE
 * event that carries it (`response.completed`, or `error`), so the answer is shown instead of thrown away.
 */
async function jsonAsSse(res: Response, init: RequestInit | undefined): Promise<Response> {
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok || !/\bjson\b/i.test(type) || typeof init?.body !== 'string' || !/"stream":\s*true/.test(init.body)) return res;
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const o = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  let event: Record<string, unknown>;
  if (o && o.object === 'response') {
    const status = typeof o.status === 'string' ? o.status : 'completed';
    const type = status === 'incomplete' ? 'response.incomplete' : status === 'failed' ? 'response.failed' : status === 'cancelled' ? 'response.cancelled' : 'response.completed';
    event = { type, response: o };
  } else if (o && typeof o.error === 'object' && o.error !== null) {
    event = { type: 'error', error: o.error };
  } else {
    event = { type: 'error', error: { message: 'The server answered with JSON that is not a response, instead of a stream.' } };
  }
  const headers = new Headers(res.headers);
  headers.set('content-type', 'text/event-stream');
  return new Response(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`, { status: res.status, headers });
}

export class ResponsesProvider implements Provider {
  readonly protocol = 'responses' as const;
  private readonly client: OpenAI;

  private readonly retry: RetryPolicy;

  constructor(private readonly options: ResponsesProviderOptions & NetOptions & { readonly retryPolicy?: RetryPolicy }) {
    const net = guardedFetch(options.fetch, options);
    this.retry = options.retryPolicy ?? defaultRetryPolicy;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      // Retries are ours (the shared policy), so that each wait is shown in the chat; timeouts are ours too
      // (connect and idle, in guardedFetch): the SDK's would end a long answer at 10 minutes.
      maxRetries: 0,
      timeout: 24 * 60 * 60 * 1000,
      defaultHeaders: options.headers,
      fetch: async (url, init) => jsonAsSse(await net(url, init), init),
    });
  }

  async *stream(request: RunRequest, signal?: AbortSignal): AsyncGenerator<StreamEvent, void, undefined> {
    const files = new FileResolver(async (ref, s) => {
      if (!ref.containerId) throw new Error('no container id for this file');
      const res = await this.client.containers.files.content.retrieve(ref.fileId, { container_id: ref.containerId }, { signal: s });
      return readCapped(res);
    });
    const tools = request.tools ?? [];
    // Interpreter "local": run_python as a function tool, run here, instead of the hosted code_interpreter.
    const local = request.codeInterpreter === false ? undefined : request.localInterpreter;
    const hosted = request.codeInterpreter !== false && !local;
    const instructions = request.instructions ?? this.options.instructions ?? tutorInstructions;
    const asMessage = this.options.instructionsAsMessage === true;
    let input: string | InputItem[] = asMessage
      ? [
          { role: 'system', content: instructions },
          { role: 'user', content: questionText(request.question) },
        ]
      : questionText(request.question);
    let previous = request.conversation?.responseId;
    const maxRounds = this.options.maxToolRounds ?? 8;
    // Where the conversation is kept: `client` sends the whole input every time; `auto` keeps it here as well, to
    // resend it when the server refuses previous_response_id (and stays on the client for that chat from then on).
    const state = this.options.conversationState ?? 'server';
    const tracking = state !== 'server';
    let clientHeld = state === 'client' || (state === 'auto' && request.conversation?.clientState === true);
    const budget = Math.max(500, this.options.historyTokens ?? defaultHistoryTokens);
    const user = userItem(questionText(request.question));
    const kept = request.conversation?.input;
    const history = tracking && isInputList(kept) ? trimInput(kept, budget - estimateInputTokens([user])) : [];
    /** This question's items: the question, then each round's output items and function_call_output items. */
    const turn: InputItem[] = [user];
    let received: ResponseOutputs | undefined;
    let reported = false;
    /** Hand back the conversation once, just before run.finished (nothing when the question got no answer). */
    const finishing = <E extends StreamEvent>(e: E): E => {
      if (e.kind !== 'run.finished' || !tracking || reported || !request.onConversation) return e;
      reported = true;
      const mine = [...turn, ...(received?.items() ?? [])];
      const answered = e.status === 'completed' || e.status === 'incomplete';
      // Stopped or failed: keep the question and what the assistant said, never a call without its output.
      const said = answered ? mine : mine.filter((i) => i === user || (i.type === 'message' && i.role === 'assistant'));
      if (said.length < 2 && !answered) return e;
      request.onConversation({ input: trimInput(forInputHistory([...history, ...said]), budget), ...(state === 'auto' && clientHeld ? { clientState: true } : {}) });
      return e;
    };
    const background = this.options.background === true;
    /** The background response still being answered: what Stop cancels on the server. */
    let live: string | undefined;

    try {
      for (let round = 0; ; round++) {
        const mapper = new ResponsesMapper();
        const localCode = local ? new RunPythonStreamer(local.runtime) : undefined;
        const body = {
          model: this.options.model,
          ...(asMessage ? {} : { instructions }),
          // The client-held conversation: the whole input, nothing stored, no previous_response_id.
          input: clientHeld ? [...(asMessage ? [{ role: 'system', content: instructions }] : []), ...history, ...turn] : input,
          ...(clientHeld ? { store: false } : previous ? { previous_response_id: previous } : {}),
          tools: [
            ...(hosted ? [{ type: 'code_interpreter' as const, container: { type: 'auto' as const } }] : []),
            ...(local ? [runPythonResponsesTool] : []),
            ...tools.map((t) => ({ type: 'function' as const, name: t.name, description: t.description, parameters: t.parameters, strict: false })),
          ],
          include: hosted ? (['code_interpreter_call.outputs'] as const) : [],
          stream: true as const,
          ...(background ? { background: true, store: true } : {}),
        };
        const client = this.client;
        let stream: AsyncIterable<unknown>;
        try {
          stream = yield* withRetries(() => client.responses.create(body as unknown as OpenAI.Responses.ResponseCreateParamsStreaming, { signal }), {
            policy: this.retry,
            signal,
          });
        } catch (e) {
          if (state === 'auto' && !clientHeld && previous && refusedPrevious(e)) {
            // This server keeps no responses: send this request again with the whole conversation, and keep it here.
            clientHeld = true;
            round--;
            continue;
          }
          throw e;
        }
        received = tracking ? new ResponseOutputs() : undefined;

        let next: { responseId?: string; input: InputItem[] } | undefined;
        let finished = false;
        const handle = async function* (events: MapperEvent[]): AsyncGenerator<StreamEvent> {
          for (const m of events) {
            if (m.kind === 'file.ref') {
              yield* await files.resolve(m, signal);
            } else if (m.kind === 'run.requires_action') {
              const outputs: InputItem[] = [];
              for (const call of m.calls) {
                if (local && call.name === codeToolName) {
                  const result = yield* runPythonCall(local, call.itemId, call.arguments, signal);
                  outputs.push({ type: 'function_call_output', call_id: call.callId, output: result.summary });
                  continue;
                }
                const outcome = await runToolCall(tools, call.name, call.arguments, signal);
                yield { kind: 'tool.result', id: call.itemId, output: outcome.output, isError: outcome.isError };
                outputs.push({ type: 'function_call_output', call_id: call.callId, output: outcome.output });
              }
              // The client-held conversation needs no response id: the next request carries the calls themselves.
              if (m.responseId || clientHeld) next = { responseId: m.responseId, input: outputs };
              else {
                finished = true;
                yield finishing({ kind: 'run.finished', status: 'failed', error: { kind: 'protocol', message: 'the server asked for tool outputs without a response id' } });
              }
            } else {
              files.observe(m);
              if (m.kind === 'run.finished') finished = true;
              yield finishing(m);
            }
          }
        };

        // Interpreter "local": run_python calls become code blocks run here (see LocalCodeRounds).
        const viaLocal = (events: ReturnType<typeof mapper.map>) => (localCode ? events.flatMap((m) => localCode.convert(m)) : events);
        /** The last `sequence_number` mapped: a resumed stream starts after it, and nothing at or before it is mapped again. */
        let lastSeq: number | undefined;
        /** Map a stream's events; returns the error that broke it, undefined when it ended (or we stopped reading). */
        const consume = async function* (events: AsyncIterable<unknown>, resumed: boolean): AsyncGenerator<StreamEvent, unknown> {
          try {
            for await (const wire of events) {
              const seq = (wire as { sequence_number?: unknown }).sequence_number;
              if (typeof seq === 'number') {
                if (resumed && lastSeq !== undefined && seq <= lastSeq) continue; // replayed: already shown
                lastSeq = lastSeq === undefined ? seq : Math.max(lastSeq, seq);
              } else if (resumed && (wire as { type?: unknown }).type === 'response.created') continue; // not a new response
              received?.observe(wire);
              if (localCode) yield* handle(localCode.observe(wire));
              yield* handle(viaLocal(mapper.map(wire)));
              live = background && !finished && !next ? mapper.id : undefined;
              if (finished || next) break;
            }
          } catch (e) {
            if (isAbortError(e, signal) || (e instanceof APIError && e.status === undefined && !(e instanceof APIConnectionError))) throw e;
            return e; // the connection broke mid-stream: try to recover below
          }
          return undefined;
        };
        let dropped = yield* consume(stream, false);
        // A background response goes on without us: pick its stream up after the last event seen. Bounded: the
        // policy's retries in a row without progress (reconnecting at once, then with its backoff); a server that
        // cannot resume (400, 404) is asked for the stored response below.
        for (let failures = 0; background && !finished && !next && mapper.id && lastSeq !== undefined && !signal?.aborted; ) {
          if (failures > 0) {
            const delayMs = Math.round(retryDelayMs(this.retry, failures));
            yield { kind: 'run.retrying', attempt: failures, delayMs, reason: 'connection dropped' };
            await sleep(delayMs, signal);
          }
          const from = lastSeq;
          let resumed: AsyncIterable<unknown>;
          try {
            resumed = await client.responses.retrieve(mapper.id, { stream: true, starting_after: from }, { signal, maxRetries: 0 });
          } catch (e) {
            if (isAbortError(e, signal)) throw e;
            if (!classifyFailure(e).retry || ++failures > this.retry.maxRetries) break;
            continue;
          }
          const again = yield* consume(resumed, true);
          if (again !== undefined) dropped = again;
          failures = lastSeq > from ? 0 : failures + 1;
          if (failures > this.retry.maxRetries) break;
        }
        // The SDK ends its iterator quietly when aborted: that is a stop, not a broken stream.
        if (signal?.aborted && !finished) {
          await this.cancelBackground(live);
          yield finishing({ kind: 'run.finished', status: 'cancelled' });
          return;
        }
        if (!finished && !next) {
          // The stream ended (or broke) before the response said how it ended. The server keeps the response:
          // ask it, and finish from what it says, without repeating what was shown.
          const stored = mapper.id ? await this.retrieve(mapper.id, signal) : undefined;
          received?.observe(stored);
          if (stored) yield* handle(viaLocal(mapper.map(stored)));
          if (!finished && !next) yield* handle(viaLocal(mapper.end(dropped === undefined ? undefined : networkError(dropped))));
        }
        live = undefined;
        if (finished) return;
        if (!next) return; // end() always finishes or asks for action; defensive
        if (round + 1 >= maxRounds) {
          yield finishing({ kind: 'run.finished', status: 'incomplete', reason: 'too many tool rounds' });
          return;
        }
        previous = next.responseId;
        input = next.input;
        // This round's output (its function calls) and our outputs are part of the conversation from now on.
        turn.push(...(received?.items() ?? []), ...next.input);
        received = undefined;
      }
    } catch (e) {
      const end = finishFromError(e, signal);
      if (end.kind === 'run.finished' && end.status === 'cancelled') await this.cancelBackground(live);
      yield finishing(end.kind === 'run.finished' && end.error ? { ...end, error: { ...end.error, message: redactSecrets(end.error.message, this.options.apiKey) } } : end);
    }
  }

  /**
   * Stop: a background response would go on answering (and costing) on the server; cancel it there. Best effort, and
   * awaited (briefly) before the run ends, so that a CLI that exits right after still sends it.
   */
  private async cancelBackground(id: string | undefined): Promise<void> {
    if (!id) return;
    try {
      await this.client.responses.cancel(id, { maxRetries: 0, timeout: 3_000 });
    } catch {
      // Already finished, or the server is gone: nothing more to do.
    }
  }

  /** The stored response's terminal event, or undefined when it is not finished (or not to be had) in a few seconds. */
  private async retrieve(id: string, signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
    for (let attempt = 0; attempt < 4; attempt++) {
      let r: Record<string, unknown>;
      try {
        r = (await this.client.responses.retrieve(id, undefined, { signal, maxRetries: 0, timeout: 10_000 })) as unknown as Record<string, unknown>;
      } catch {
        return undefined;
      }
      const status = r.status;
      if (status === 'completed' || status === 'incomplete' || status === 'failed' || status === 'cancelled') {
        return { type: `response.${status}`, response: r };
      }
      if (signal?.aborted) return undefined;
      await sleep(500 * (attempt + 1), signal).catch(() => undefined);
    }
    return undefined;
  }
}

export function finishFromError(e: unknown, signal?: AbortSignal): StreamEvent {
  if (isAbortError(e, signal)) return { kind: 'run.finished', status: 'cancelled' };
  if (e instanceof APIConnectionError) return { kind: 'run.finished', status: 'failed', error: networkError(e) };
  if (e instanceof APIError && e.status === undefined && e.error && typeof e.error === 'object') {
    // An `error` event inside the stream: the SDK throws it before we see it, with the payload as `error`.
    // Read it the way the mapper reads one, so both paths say the same sentence.
    return { kind: 'run.finished', status: 'failed', error: errorFromStreamPayload(e.error as Record<string, unknown>) };
  }
  if (e instanceof APIError && typeof e.status === 'number') {
    const parsed = e.error && typeof e.error === 'object' ? (e.error as { message?: string; code?: string | null; type?: string | null }) : undefined;
    // Not the API's JSON error (a proxy's HTML page, plain text): the SDK puts the body in its message after the status.
    const body = parsed ? undefined : e.message.replace(/^\d{3}\s*/, '');
    return {
      kind: 'run.finished',
      status: 'failed',
      error: errorFromHttp({
        status: e.status,
        message: typeof parsed?.message === 'string' ? parsed.message : '',
        code: parsed?.code ?? (e.code as string | null | undefined),
        type: parsed?.type,
        body,
      }),
    };
  }
  if (e instanceof SyntaxError) return { kind: 'run.finished', status: 'failed', error: { kind: 'protocol', message: `the server sent malformed data: ${e.message}` } };
  return { kind: 'run.finished', status: 'failed', error: networkError(e) };
}
