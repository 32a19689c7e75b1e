/**
 * A Responses conversation kept on the client, for servers that store no responses (Ollama's and OpenRouter's
 * `/v1/responses`): the input items sent and received — the learner's messages, the assistant's messages, function
 * calls with their outputs, and reasoning only when it came with encrypted content — cleaned so they can be sent
 * again with `store: false`, and trimmed to the history budget by whole exchanges with the chat protocol's trimming
 * (so a function_call never loses its output). Pure; no I/O.
 */
import { keptToolResult, trimExchanges, withoutLastExchange } from '../chat/chatHistory';

/** One Responses input item (a message, function_call, function_call_output, reasoning), plain JSON. */
export type InputItem = Readonly<Record<string, unknown>>;

/**
 * `codeTutor.conversationState` as the provider takes it. `server`: continue with `previous_response_id`. `client`:
 * send the whole conversation each time, `store: false`. `auto`: the server, until it refuses a
 * `previous_response_id`; then (and for the rest of that chat) the client.
 */
export type ConversationState = 'auto' | 'server' | 'client';
export const conversationStates: readonly ConversationState[] = ['auto', 'server', 'client'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The learner's message. */
export function userItem(text: string): InputItem {
  return { type: 'message', role: 'user', content: text };
}

/** An exchange starts at the learner's message. */
export function opensExchange(item: InputItem): boolean {
  return item.role === 'user' && (item.type === undefined || item.type === 'message');
}

/** A rough token count, as chatHistory counts: about 4 characters a token, plus framing per item. */
export function estimateInputTokens(items: readonly InputItem[]): number {
  let chars = 0;
  for (const i of items) chars += 16 + JSON.stringify(i).length;
  return Math.ceil(chars / 4);
}

/** The newest whole exchanges that fit in `budget` tokens. */
export function trimInput(items: readonly InputItem[], budget: number): InputItem[] {
  return trimExchanges(items, budget, opensExchange, estimateInputTokens);
}

/** The conversation without its last exchange (regenerate, edit and resend). */
export function withoutLastInputExchange(items: readonly InputItem[]): InputItem[] {
  return withoutLastExchange(items, opensExchange);
}

/** The text of an assistant message's content (output_text parts; a string as is). */
function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (isObject(p) && (p.type === 'output_text' || p.type === 'text') && typeof p.text === 'string' ? p.text : '')).join('');
}

/**
 * A response's output item as it is sent back: assistant messages as their text, function calls without their
 * server ids (a server that stores nothing knows no ids), reasoning only with its encrypted content; anything else
 * (hosted tool calls, reasoning without encrypted content) is not kept.
 */
export function keptOutputItem(raw: unknown): InputItem | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.type === 'message' && raw.role === 'assistant') {
    const text = messageText(raw.content);
    return text ? { type: 'message', role: 'assistant', content: text } : undefined;
  }
  if (raw.type === 'function_call' && typeof raw.call_id === 'string' && typeof raw.name === 'string') {
    return { type: 'function_call', call_id: raw.call_id, name: raw.name, arguments: typeof raw.arguments === 'string' ? raw.arguments : '{}' };
  }
  if (raw.type === 'reasoning' && typeof raw.encrypted_content === 'string' && raw.encrypted_content) {
    return {
      type: 'reasoning',
      ...(typeof raw.id === 'string' ? { id: raw.id } : {}),
      summary: Array.isArray(raw.summary) ? raw.summary : [],
      encrypted_content: raw.encrypted_content,
    };
  }
  return undefined;
}

/** Collects one response's output items from its stream: `output_item.done` in order, or the final response's output. */
export class ResponseOutputs {
  private readonly done = new Map<number, unknown>();
  private final: unknown[] | undefined;

  observe(wire: unknown): void {
    if (!isObject(wire)) return;
    if (wire.type === 'response.output_item.done' && typeof wire.output_index === 'number') this.done.set(wire.output_index, wire.item);
    else if (isObject(wire.response) && Array.isArray(wire.response.output) && wire.response.output.length > 0) this.final = wire.response.output;
  }

  /** The items worth keeping, in output order. */
  items(): InputItem[] {
    const raw = this.final ?? [...this.done.entries()].sort((a, b) => a[0] - b[0]).map(([, item]) => item);
    return raw.map(keptOutputItem).filter((i): i is InputItem => i !== undefined);
  }
}

/**
 * What of a question's items is kept for the next one: every function_call with its output (a call without its output,
 * or an output without its call, is not sent again), outputs capped like the chat protocol's tool results.
 */
export function forInputHistory(items: readonly InputItem[]): InputItem[] {
  const calls = new Set(items.filter((i) => i.type === 'function_call').map((i) => i.call_id));
  const outputs = new Set(items.filter((i) => i.type === 'function_call_output').map((i) => i.call_id));
  return items
    .filter((i) => (i.type === 'function_call' ? outputs.has(i.call_id) : i.type === 'function_call_output' ? calls.has(i.call_id) : true))
    .map((i) => (i.type === 'function_call_output' && typeof i.output === 'string' ? { ...i, output: keptToolResult(i.output) } : i));
}

/**
 * A server that keeps no responses refusing `previous_response_id`: a 400 or 404 whose error names
 * previous_response_id or says the response was not found.
 */
export function previousResponseRefused(status: number | undefined, text: string): boolean {
  if (status !== 400 && status !== 404) return false;
  return /previous[_ ]response/i.test(text) || /response\b.*\bnot found/i.test(text);
}

/** Restored or reported JSON: only an array of objects is a client-held conversation. */
export function isInputList(v: unknown): v is InputItem[] {
  return Array.isArray(v) && v.every(isObject);
}
