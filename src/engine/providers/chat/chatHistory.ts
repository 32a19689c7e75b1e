/**
 * A chat-completions conversation as the messages the server is sent, and how it is kept within a token budget.
 * Chat completions are stateless: each request carries the history, so the history is trimmed, oldest exchange
 * first, never splitting an assistant's tool calls from their results. Pure; no I/O.
 */

export interface ChatToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

export type ChatMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | {
      readonly role: 'assistant';
      readonly content: string | null;
      readonly tool_calls?: readonly ChatToolCall[];
      /** DeepSeek's thinking mode wants the reasoning of a tool-calling turn sent back within that turn. */
      readonly reasoning_content?: string;
    }
  | { readonly role: 'tool'; readonly tool_call_id: string; readonly content: string };

/** Default history budget in tokens (`codeTutor.chatHistoryTokens`): fits small local models' contexts with room to answer. */
export const defaultHistoryTokens = 8_000;
/** Longest tool result kept in the history (the interpreter's summary is already capped; this bounds the rest). */
export const maxToolResultChars = 8_000;

/** A rough token count: about 4 characters per token, plus a few tokens of framing per message. */
export function estimateTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += 16;
    if (typeof m.content === 'string') chars += m.content.length;
    if (m.role === 'assistant') {
      for (const c of m.tool_calls ?? []) chars += c.function.name.length + c.function.arguments.length + 16;
      chars += m.reasoning_content?.length ?? 0;
    }
  }
  return Math.ceil(chars / 4);
}

/** Messages split into exchanges: each starts at a user message and holds everything up to the next one. */
function exchanges(messages: readonly ChatMessage[]): ChatMessage[][] {
  const out: ChatMessage[][] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'user' || out.length === 0) out.push([m]);
    else out[out.length - 1].push(m);
  }
  // An exchange that does not start with the learner's question (a damaged history) cannot be sent on its own.
  return out.filter((x) => x[0].role === 'user');
}

/**
 * The newest whole exchanges that fit in `budget` tokens (system messages are not history and are dropped).
 * Whole exchanges only, so a tool result never loses the call it answers.
 */
export function trimHistory(messages: readonly ChatMessage[], budget: number): ChatMessage[] {
  const list = exchanges(messages);
  const kept: ChatMessage[][] = [];
  let used = 0;
  for (let i = list.length - 1; i >= 0; i--) {
    const cost = estimateTokens(list[i]);
    if (used + cost > budget) break;
    kept.unshift(list[i]);
    used += cost;
  }
  return kept.flat();
}

/**
 * What of a finished exchange is worth keeping for the next question: reasoning is dropped (DeepSeek wants it
 * only within the tool loop it belongs to, and it is long), tool results are capped.
 */
export function forHistory(messages: readonly ChatMessage[]): ChatMessage[] {
  return messages.map((m): ChatMessage => {
    if (m.role === 'assistant' && m.reasoning_content !== undefined) {
      const { reasoning_content: _dropped, ...rest } = m;
      return rest;
    }
    if (m.role === 'tool' && m.content.length > maxToolResultChars) {
      return { ...m, content: `${m.content.slice(0, maxToolResultChars)}\n[… ${m.content.length - maxToolResultChars} more characters not kept]` };
    }
    return m;
  });
}
