/**
 * The thin I/O shell of the Responses API: the real `openai` package does the HTTP and SSE, the pure
 * ResponsesMapper turns its events into ours, and this file adds what needs I/O — file downloads, function tool
 * rounds (`function_call_output` + `previous_response_id`), cancellation and error classification.
 */
import OpenAI, { APIConnectionError, APIError } from 'openai';
import type { StreamEvent } from '../../../shared/events';
import { errorFromHttp, isAbortError, kindFromCode, networkError, redactSecrets } from '../../errors';
import { FileResolver, readCapped } from '../../files';
import type { MapperEvent } from '../../mapperEvents';
import { type ConnectionOptions, type Provider, type RunRequest, questionText, tutorInstructions } from '../../provider';
import { runToolCall } from '../../tools/functionTool';
import { codeToolName } from '../chat/chatMapper';
import { runPythonCall } from '../chat/runPythonTool';
import { ResponsesMapper } from './responsesMapper';
import { RunPythonStreamer, runPythonResponsesTool } from './runPythonOnResponses';

export interface ResponsesProviderOptions extends ConnectionOptions {
  /** Send the instructions as a system message (DashScope's Responses endpoint ignores `instructions`). */
  readonly instructionsAsMessage?: boolean;
}

type InputItem = Record<string, unknown>;

export class ResponsesProvider implements Provider {
  readonly protocol = 'responses' as const;
  private readonly client: OpenAI;

  constructor(private readonly options: ResponsesProviderOptions) {
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      maxRetries: 1,
      defaultHeaders: options.headers,
      // A tutor answer can take a while; the SDK's default 10 min is fine, but idle sockets are the caller's to cancel.
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

    try {
      for (let round = 0; ; round++) {
        const mapper = new ResponsesMapper();
        const localCode = local ? new RunPythonStreamer(local.runtime) : undefined;
        const body = {
          model: this.options.model,
          ...(asMessage ? {} : { instructions }),
          input,
          ...(previous ? { previous_response_id: previous } : {}),
          tools: [
            ...(hosted ? [{ type: 'code_interpreter' as const, container: { type: 'auto' as const } }] : []),
            ...(local ? [runPythonResponsesTool] : []),
            ...tools.map((t) => ({ type: 'function' as const, name: t.name, description: t.description, parameters: t.parameters, strict: false })),
          ],
          include: hosted ? (['code_interpreter_call.outputs'] as const) : [],
          stream: true as const,
        };
        const stream = await this.client.responses.create(body as unknown as OpenAI.Responses.ResponseCreateParamsStreaming, { signal });

        let next: { responseId: string; input: InputItem[] } | undefined;
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
              if (m.responseId) next = { responseId: m.responseId, input: outputs };
              else {
                finished = true;
                yield { kind: 'run.finished', status: 'failed', error: { kind: 'protocol', message: 'the server asked for tool outputs without a response id' } };
              }
            } else {
              files.observe(m);
              if (m.kind === 'run.finished') finished = true;
              yield m;
            }
          }
        };

        for await (const wire of stream) {
          if (localCode) yield* handle(localCode.observe(wire));
          yield* handle(localCode ? mapper.map(wire).flatMap((m) => localCode.convert(m)) : mapper.map(wire));
          if (finished || next) break;
        }
        // The SDK ends its iterator quietly when aborted: that is a stop, not a broken stream.
        if (signal?.aborted && !finished) {
          yield { kind: 'run.finished', status: 'cancelled' };
          return;
        }
        if (!finished && !next) yield* handle(localCode ? mapper.end().flatMap((m) => localCode.convert(m)) : mapper.end());
        if (finished) return;
        if (!next) return; // end() always finishes or asks for action; defensive
        if (round + 1 >= maxRounds) {
          yield { kind: 'run.finished', status: 'incomplete', reason: 'too many tool rounds' };
          return;
        }
        previous = next.responseId;
        input = next.input;
      }
    } catch (e) {
      const end = finishFromError(e, signal);
      yield end.kind === 'run.finished' && end.error ? { ...end, error: { ...end.error, message: redactSecrets(end.error.message, this.options.apiKey) } } : end;
    }
  }
}

export function finishFromError(e: unknown, signal?: AbortSignal): StreamEvent {
  if (isAbortError(e, signal)) return { kind: 'run.finished', status: 'cancelled' };
  if (e instanceof APIConnectionError) return { kind: 'run.finished', status: 'failed', error: networkError(e) };
  if (e instanceof APIError && e.status === undefined && e.error && typeof e.error === 'object') {
    // An `error` event inside the stream: the SDK throws it before we see it, with the payload as `error`.
    const err = e.error as { message?: string; code?: string | null; type?: string | null };
    const code = err.code ?? err.type ?? undefined;
    return { kind: 'run.finished', status: 'failed', error: { kind: kindFromCode(code, 'server'), message: err.message ?? e.message, ...(code ? { code } : {}) } };
  }
  if (e instanceof APIError && typeof e.status === 'number') {
    const err = (e.error ?? {}) as { message?: string; code?: string | null; type?: string | null };
    return {
      kind: 'run.finished',
      status: 'failed',
      error: errorFromHttp({ status: e.status, message: err.message ?? e.message, code: err.code ?? (e.code as string | null | undefined), type: err.type }),
    };
  }
  if (e instanceof SyntaxError) return { kind: 'run.finished', status: 'failed', error: { kind: 'protocol', message: `the server sent malformed data: ${e.message}` } };
  return { kind: 'run.finished', status: 'failed', error: networkError(e) };
}
