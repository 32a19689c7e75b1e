/**
 * The thin I/O shell of Chat Completions: the real `openai` package does HTTP and SSE, the pure ChatMapper turns
 * its chunks into our events, and this file adds what needs I/O — running `run_python` calls through the chat's
 * LocalInterpreter and the other function tools, the tool loop (bounded), the stateless conversation (history in,
 * trimmed history out through `onConversation`), cancellation and error classification.
 */
import OpenAI, { APIError } from 'openai';
import type { StreamEvent } from '../../../shared/events';
import { redactSecrets } from '../../errors';
import { guardedFetch, type NetOptions } from '../../net/guardedFetch';
import { defaultRetryPolicy, type RetryPolicy, withRetries } from '../../net/retryPolicy';
import type { MapperEvent } from '../../mapperEvents';
import { type ConnectionOptions, type Provider, type RunRequest, questionText, tutorInstructions } from '../../provider';
import { runToolCall } from '../../tools/functionTool';
import { finishFromError } from '../responses/responsesProvider';
import { type ChatMessage, defaultHistoryTokens, estimateTokens, forHistory, trimHistory } from './chatHistory';
import { ChatMapper, codeToolName } from './chatMapper';
import { runPythonCall, runPythonChatTool } from './runPythonTool';

export interface ChatProviderOptions extends ConnectionOptions {
  /** The conversation budget in tokens (`codeTutor.chatHistoryTokens`); about 4 characters a token. */
  readonly historyTokens?: number;
}

/** A server (or model) that refuses `tools` outright: Ollama's "does not support tools", llama.cpp without --jinja … */
export function looksLikeToolsRejected(e: unknown): boolean {
  if (!(e instanceof APIError) || typeof e.status !== 'number') return false;
  if (e.status < 400 || [401, 403, 404, 408, 429].includes(e.status)) return false;
  const err = (e.error ?? {}) as { message?: unknown };
  const message = `${typeof err.message === 'string' ? err.message : ''} ${e.message}`;
  return /\btools?\b|function[ _-]?call/i.test(message);
}

/** Tool-call syntax written into the answer: the server did not parse the model's tool calls (tools ignored). */
const toolSyntaxInText = new RegExp(`<tool_call>|<\\|tool_call|"name"\\s*:\\s*"${codeToolName}"|\\b${codeToolName}\\s*\\(`);

export class ChatProvider implements Provider {
  readonly protocol = 'chat' as const;
  private readonly client: OpenAI;

  private readonly retry: RetryPolicy;

  constructor(private readonly options: ChatProviderOptions & NetOptions & { readonly retryPolicy?: RetryPolicy; readonly fetch?: typeof fetch }) {
    this.retry = options.retryPolicy ?? defaultRetryPolicy;
    // The same transport as the other providers: our connect/idle timeouts and SSE line cap, and our retries (so each
    // wait shows as run.retrying), never the SDK's.
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      maxRetries: 0,
      timeout: 24 * 60 * 60 * 1000,
      defaultHeaders: options.headers,
      fetch: guardedFetch(options.fetch, options),
    });
  }

  async *stream(request: RunRequest, signal?: AbortSignal): AsyncGenerator<StreamEvent, void, undefined> {
    const interpreter = request.codeInterpreter === false ? undefined : request.localInterpreter;
    const tools = request.tools ?? [];
    const budget = Math.max(500, this.options.historyTokens ?? defaultHistoryTokens);
    const maxRounds = this.options.maxToolRounds ?? 8;
    const user: ChatMessage = { role: 'user', content: questionText(request.question) };
    const history = trimHistory(request.conversation?.messages ?? [], budget - estimateTokens([user]));
    const system: ChatMessage = { role: 'system', content: request.instructions ?? this.options.instructions ?? tutorInstructions };
    /** This question's messages: the question, then each round's assistant message and tool results. */
    const turn: ChatMessage[] = [user];
    let answer = '';
    let offerTools = true;
    let noticeSent = false;
    const notice = (): StreamEvent[] => {
      if (noticeSent) return [];
      noticeSent = true;
      return [{ kind: 'notice', id: 'notice-no-code-tool', notice: 'noCodeTool' }];
    };
    const report = (status: 'completed' | 'incomplete' | 'other') => {
      if (!request.onConversation) return;
      let mine = turn;
      if (status === 'other') {
        // Stopped or failed: keep the question and what was said, never a tool call without its result.
        mine = answer.trim() ? [user, { role: 'assistant', content: answer }] : [];
      } else {
        const last = turn.at(-1);
        if (last?.role === 'assistant' && last.tool_calls && turn.length > 1) mine = [...turn.slice(0, -1), { role: 'assistant', content: last.content ?? '' }];
        mine = mine.filter((m) => !(m.role === 'assistant' && !m.tool_calls && !m.content));
      }
      const messages = trimHistory(forHistory([...history, ...mine]), budget);
      // The newest exchange is the first to stay, so this run's is in whenever anything is.
      request.onConversation({ messages, endsWithThisRun: mine.length > 0 && messages.length > 0 });
    };

    try {
      for (let round = 0; ; round++) {
        const toolDefs = [
          ...(interpreter ? [runPythonChatTool] : []),
          ...tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } })),
        ];
        const withTools = offerTools && toolDefs.length > 0;
        const body = {
          model: this.options.model,
          messages: [system, ...history, ...turn],
          stream: true as const,
          ...(withTools ? { tools: toolDefs } : {}),
        };
        let stream: AsyncIterable<unknown>;
        try {
          const client = this.client;
          stream = yield* withRetries(() => client.chat.completions.create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming, { signal }), {
            policy: this.retry,
            signal,
          });
        } catch (e) {
          if (withTools && looksLikeToolsRejected(e)) {
            // The model cannot call tools here: say so, and answer without them.
            offerTools = false;
            if (interpreter) yield* notice();
            round--;
            continue;
          }
          throw e;
        }
        const mapper = new ChatMapper({ prefix: `r${round}`, codeTool: interpreter !== undefined && withTools, runtime: interpreter?.runtime, announce: round === 0, model: this.options.model });
        try {
          for await (const chunk of stream) {
            for (const m of mapper.map(chunk)) if (isStreamEvent(m)) yield m;
          }
        } catch (e) {
          // A connection lost after `finish_reason` lost only the usage chunk and `[DONE]`: the answer is whole, so
          // the round ends as the model ended it. Before that, nothing can be asked for again (the API keeps no
          // state): the run fails, keeping what was shown.
          if (signal?.aborted || !mapper.finishSeen) throw e;
        }
        answer += mapper.answerText;
        if (signal?.aborted) {
          report('other');
          yield { kind: 'run.finished', status: 'cancelled' };
          return;
        }
        let next = false;
        for (const m of mapper.end()) {
          if (m.kind === 'run.requires_action') {
            turn.push(mapper.assistantMessage());
            for (const call of m.calls) {
              if (signal?.aborted) break;
              let output: string;
              if (interpreter && call.name === codeToolName) {
                const result = yield* runPythonCall(interpreter, call.itemId, call.arguments, signal);
                output = result.summary;
              } else {
                const outcome = await runToolCall(tools, call.name, call.arguments, signal);
                yield { kind: 'tool.result', id: call.itemId, output: outcome.output, isError: outcome.isError };
                output = outcome.output;
              }
              turn.push({ role: 'tool', tool_call_id: call.callId, content: output });
            }
            if (signal?.aborted) {
              report('other');
              yield { kind: 'run.finished', status: 'cancelled' };
              return;
            }
            next = true;
          } else if (m.kind === 'run.finished') {
            if (m.status === 'completed' || m.status === 'incomplete') {
              turn.push(mapper.assistantMessage());
              if (withTools && interpreter && !mapper.calledTools && toolSyntaxInText.test(answer)) yield* notice();
              report(m.status);
            } else report('other');
            yield redact(m, this.options.apiKey);
            return;
          } else if (isStreamEvent(m)) yield m;
        }
        if (!next) return; // end() always finishes or asks for tools; defensive
        if (round + 1 >= maxRounds) {
          report('incomplete');
          yield { kind: 'run.finished', status: 'incomplete', reason: 'too many tool rounds' };
          return;
        }
      }
    } catch (e) {
      report('other');
      yield redact(finishFromError(e, signal), this.options.apiKey);
    }
  }
}

function isStreamEvent(m: MapperEvent): m is StreamEvent {
  return m.kind !== 'run.requires_action' && m.kind !== 'file.ref';
}

function redact(e: StreamEvent, apiKey: string): StreamEvent {
  return e.kind === 'run.finished' && e.error ? { ...e, error: { ...e.error, message: redactSecrets(e.error.message, apiKey) } } : e;
}
