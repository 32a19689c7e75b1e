/**
 * The pure mapper of one Chat Completions stream (one request, one `chat.completion.chunk` after another) onto our
 * provider-neutral events. No I/O: it is tested against recorded streams split at every byte and against every quirk
 * servers are known for.
 *
 * - Content becomes text, except reasoning: `reasoning_content` (DeepSeek, DashScope, vLLM), `reasoning` (OpenRouter,
 *   Ollama, vLLM) and a leading `<think>…</think>` in the content become a folded "thinking" block; so does content
 *   before a `</think>` without `<think>`, under the rule in thinkTags.ts (a model whose template opens the reasoning).
 * - The code tool's (`run_python`) arguments are parsed as partial JSON while they stream, so `code.delta` carries the
 *   `code` field as it is written (only the new suffix each time).
 * - Tool-call deltas are matched by `index`, else by `id`, else taken as the continuation of the last call; a call
 *   without an id gets one; a later empty `name` changes nothing; arguments may come whole in one chunk.
 * - `end()` closes the round: `run.requires_action` when the model called tools, otherwise exactly one `run.finished`
 *   (`length` → incomplete `max_output_tokens`, `content_filter` → incomplete `content_filter`).
 */
import { Allow, parse as parsePartialJson } from 'partial-json';
import type { CodeRuntime, StreamEvent } from '../../../shared/events';
import { kindFromCode } from '../../errors';
import type { MapperEvent, RequiresActionEvent } from '../../mapperEvents';
import type { ChatMessage, ChatToolCall } from './chatHistory';
import { opensWithReasoning, ThinkSplitter } from './thinkTags';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The name of the function tool whose `code` argument is shown and run as code. */
export const codeToolName = 'run_python';

export interface ChatMapperOptions {
  /** Makes this round's item ids unique within the run (`r0`, `r1` …). */
  readonly prefix: string;
  /** Offer the code tool's calls as code blocks (the interpreter is on). */
  readonly codeTool?: boolean;
  /** Where the code will run, carried on `code.started`. */
  readonly runtime?: CodeRuntime;
  /** Emit `run.started` on the first chunk (the first round of a run only). */
  readonly announce?: boolean;
  /** The model asked for: a model that opens its reasoning in its template has content before `</think>` as reasoning. */
  readonly model?: string;
}

interface CallState {
  readonly itemId: string;
  index: number;
  id: string;
  /** False while the id is one we made up (the server has not sent one yet). */
  idFromServer: boolean;
  name: string;
  args: string;
  /** Code already sent as `code.delta`s. */
  shown: string;
  started: boolean;
  /** Length of `args` at the last partial parse. */
  parsedAt: number;
}

/**
 * Whether the arguments grew enough since the last partial parse to parse again. Every delta while they are short;
 * then each 5 % of growth, so the total parse work stays linear in the length (a parse reads the whole string).
 */
export function worthReparsing(length: number, parsedAt: number): boolean {
  return length > parsedAt && (length < 512 || length - parsedAt >= parsedAt / 20);
}

/** The code in a `run_python` call's arguments, complete or still streaming. Small models sometimes send bare code. */
export function codeOfArguments(args: string, partial: boolean): string | undefined {
  const trimmed = args.trimStart();
  if (trimmed === '') return partial ? '' : undefined;
  if (!trimmed.startsWith('{')) return args;
  try {
    const value: unknown = partial ? parsePartialJson(args, Allow.STR | Allow.OBJ) : JSON.parse(args);
    if (isObject(value) && typeof value.code === 'string') return value.code;
    return partial ? '' : undefined;
  } catch {
    return undefined;
  }
}

function isCompleteJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

export class ChatMapper {
  private readonly splitter: ThinkSplitter;
  /** A `reasoning`/`reasoning_content` field came: the server separates the reasoning from the content. */
  private reasoningField = false;
  /** The model (asked for, or named by the server) opens its reasoning in its template: rule 2 of thinkTags.ts. */
  private opensReasoning: boolean;
  private servedChecked = false;
  private readonly calls: CallState[] = [];
  private text = '';
  /** Reasoning from the content's `<think>` tags or a `reasoning` field: shown, not sent back. */
  private thinking = '';
  /** DeepSeek-style `reasoning_content`: shown, and sent back on tool turns. */
  private reasoningContent = '';
  private finishReason: string | undefined;
  private chunks = 0;
  private announced = false;
  private failure: StreamEvent | undefined;
  private ended = false;

  constructor(private readonly options: ChatMapperOptions) {
    this.opensReasoning = opensWithReasoning(options.model);
    this.splitter = new ThinkSplitter({ reasoningFirst: this.opensReasoning });
  }

  get textId(): string {
    return `${this.options.prefix}-text`;
  }

  get thinkingId(): string {
    return `${this.options.prefix}-thinking`;
  }

  /** Whether the model called a tool in this round. */
  get calledTools(): boolean {
    return this.calls.length > 0;
  }

  /** Whether the server said how the round ended (`finish_reason`): everything the model wrote has arrived. */
  get finishSeen(): boolean {
    return this.finishReason !== undefined && this.failure === undefined;
  }

  /** The answer text of this round so far (without reasoning). */
  get answerText(): string {
    return this.text;
  }

  /** One parsed chunk in, our events out. */
  map(chunk: unknown): MapperEvent[] {
    const out: MapperEvent[] = [];
    if (this.ended || this.failure || !isObject(chunk)) return out;
    this.chunks++;
    if (isObject(chunk.error)) {
      // Some servers report a failure mid-stream as a chunk with an `error` object.
      const e = chunk.error;
      const code = str(e.code) ?? str(e.type) ?? (typeof e.code === 'number' ? String(e.code) : undefined);
      this.failure = { kind: 'run.finished', status: 'failed', error: { kind: kindFromCode(code, 'server'), message: str(e.message) ?? 'the server reported an error', ...(code ? { code } : {}) } };
      return out;
    }
    if (this.options.announce && !this.announced) {
      this.announced = true;
      const model = str(chunk.model);
      out.push({ kind: 'run.started', ...(model ? { model } : {}) });
    }
    const choices = Array.isArray(chunk.choices) ? chunk.choices.filter(isObject) : [];
    // One answer is asked for (n = 1); a server that numbers its choices still has choice 0 first.
    const choice = choices.find((c) => c.index === 0 || c.index === undefined) ?? choices[0];
    if (!choice) return out;
    const delta = isObject(choice.delta) ? choice.delta : isObject(choice.message) ? choice.message : {};

    // The model the server names counts too (an alias asked for may serve an R1 distill); looked at once.
    const served = str(chunk.model);
    if (served !== undefined && !this.servedChecked) {
      this.servedChecked = true;
      this.opensReasoning ||= opensWithReasoning(served);
    }
    const reasoning = str(delta.reasoning_content) || str(delta.reasoning);
    // The server parses the reasoning itself: the content is the answer (a `</think>` left at its start is still dropped).
    if (reasoning) this.reasoningField = true;
    // Only before the content starts does this change anything (see ThinkSplitter.setReasoningFirst).
    this.splitter.setReasoningFirst(this.opensReasoning && !this.reasoningField);
    if (reasoning) {
      if (str(delta.reasoning_content)) this.reasoningContent += reasoning;
      else this.thinking += reasoning;
      out.push({ kind: 'thinking.delta', id: this.thinkingId, delta: reasoning });
    }
    const content = str(delta.content) ?? str(delta.refusal);
    if (content) this.content(this.splitter.push(content), out);

    const toolCalls = Array.isArray(delta.tool_calls) ? delta.tool_calls : [];
    toolCalls.forEach((tc) => {
      if (isObject(tc)) this.toolCallDelta(tc, out);
    });
    if (isObject(delta.function_call)) this.toolCallDelta({ index: 0, function: delta.function_call }, out);

    const finish = str(choice.finish_reason);
    if (finish) this.finishReason = finish;
    return out;
  }

  /** The stream is over: settle text and calls, then say how the round ended. */
  end(): MapperEvent[] {
    if (this.ended) return [];
    this.ended = true;
    const out: MapperEvent[] = [];
    if (this.failure) {
      out.push(this.failure);
      return out;
    }
    this.content(this.splitter.end(), out);
    if (this.text !== '') out.push({ kind: 'text.done', id: this.textId, text: this.text });
    const truncated = this.finishReason === 'length' || this.finishReason === 'content_filter';
    for (const c of this.calls) {
      if (this.isCodeCall(c)) {
        if (!c.started) this.startCode(c, out);
        const code = codeOfArguments(c.args, truncated) ?? c.shown;
        // What the throttled partial parse did not show yet, so the deltas add up to the code.
        if (code.length > c.shown.length && code.startsWith(c.shown)) out.push({ kind: 'code.delta', id: c.itemId, delta: code.slice(c.shown.length) });
        c.shown = code;
        out.push({ kind: 'code.done', id: c.itemId, code });
      } else if (!truncated) {
        out.push({ kind: 'tool.call', id: c.itemId, call: { callId: c.id, name: c.name, arguments: c.args } });
      }
    }
    if (this.finishReason === 'length') {
      out.push({ kind: 'run.finished', status: 'incomplete', reason: 'max_output_tokens' });
    } else if (this.finishReason === 'content_filter') {
      out.push({ kind: 'run.finished', status: 'incomplete', reason: 'content_filter' });
    } else if (this.calls.length > 0) {
      // `tool_calls` as the spec says, but servers also end a tool turn with `stop` or nothing: the calls decide.
      const action: RequiresActionEvent = {
        kind: 'run.requires_action',
        calls: this.calls.map((c) => ({ itemId: c.itemId, callId: c.id, name: c.name, arguments: c.args })),
      };
      out.push(action);
    } else if (this.chunks === 0) {
      out.push({ kind: 'run.finished', status: 'failed', error: { kind: 'protocol', message: 'the server ended the stream without sending anything' } });
    } else {
      out.push({ kind: 'run.finished', status: 'completed' });
    }
    return out;
  }

  /** This round as the assistant message the next request must carry. */
  assistantMessage(): ChatMessage {
    const toolCalls: ChatToolCall[] = this.calls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.args.trim() === '' ? '{}' : c.args },
    }));
    return {
      role: 'assistant',
      content: this.text === '' ? null : this.text,
      ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
      ...(this.reasoningContent !== '' ? { reasoning_content: this.reasoningContent } : {}),
    };
  }

  private content(parts: readonly { kind: 'text' | 'thinking'; text: string }[], out: MapperEvent[]): void {
    for (const p of parts) {
      if (p.text === '') continue;
      if (p.kind === 'thinking') {
        this.thinking += p.text;
        out.push({ kind: 'thinking.delta', id: this.thinkingId, delta: p.text });
      } else {
        this.text += p.text;
        out.push({ kind: 'text.delta', id: this.textId, delta: p.text });
      }
    }
  }

  private isCodeCall(c: CallState): boolean {
    return this.options.codeTool === true && c.name === codeToolName;
  }

  private findCall(tc: Json): CallState | undefined {
    const id = str(tc.id) || undefined;
    const index = typeof tc.index === 'number' ? tc.index : undefined;
    if (id) {
      const byId = this.calls.find((c) => c.id === id);
      if (byId) return byId;
    }
    if (index !== undefined) {
      const byIndex = this.calls.find((c) => c.index === index);
      // The same index with a different server id is a new call (some servers number every call 0).
      if (byIndex && !(id && byIndex.idFromServer && byIndex.id !== id)) return byIndex;
      return undefined;
    }
    if (id) return undefined;
    const last = this.calls.at(-1);
    // No index and no id: the continuation of the last call, unless that one is complete and a new name arrives.
    const name = isObject(tc.function) ? str(tc.function.name) : undefined;
    if (last && name && last.name && isCompleteJson(last.args)) return undefined;
    return last;
  }

  private toolCallDelta(tc: Json, out: MapperEvent[]): void {
    const fn = isObject(tc.function) ? tc.function : {};
    let call = this.findCall(tc);
    if (!call) {
      const n = this.calls.length;
      const index = typeof tc.index === 'number' ? tc.index : Math.max(-1, ...this.calls.map((c) => c.index)) + 1;
      call = { itemId: `${this.options.prefix}-call${n}`, index, id: `call_${this.options.prefix}_${n}`, idFromServer: false, name: '', args: '', shown: '', started: false, parsedAt: 0 };
      this.calls.push(call);
    }
    const id = str(tc.id);
    if (id && !call.idFromServer) {
      call.id = id;
      call.idFromServer = true;
    }
    const name = str(fn.name);
    if (name && !call.name) call.name = name;
    const args = fn.arguments;
    if (typeof args === 'string') call.args += args;
    else if (isObject(args)) call.args = JSON.stringify(args); // a server that sends the arguments as an object
    if (this.isCodeCall(call)) {
      if (!call.started) this.startCode(call, out);
      this.streamCode(call, out);
    }
  }

  private startCode(c: CallState, out: MapperEvent[]): void {
    c.started = true;
    out.push({ kind: 'code.started', id: c.itemId, language: 'python', ...(this.options.runtime ? { runtime: this.options.runtime } : {}) });
  }

  private streamCode(c: CallState, out: MapperEvent[]): void {
    if (!worthReparsing(c.args.length, c.parsedAt)) return;
    c.parsedAt = c.args.length;
    const code = codeOfArguments(c.args, true);
    if (code === undefined || code.length <= c.shown.length || !code.startsWith(c.shown)) return;
    const delta = code.slice(c.shown.length);
    c.shown = code;
    out.push({ kind: 'code.delta', id: c.itemId, delta });
  }
}
