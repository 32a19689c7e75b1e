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

/**
 * A conversation split into exchanges: each starts at an item for which `opens` is true (the learner's question)
 * and holds everything up to the next one. Items before the first question (a damaged history) are dropped: they
 * cannot be sent on their own. Generic, so the Responses client-held input is cut the same way.
 */
export function splitExchanges<T>(items: readonly T[], opens: (item: T) => boolean): T[][] {
  const out: T[][] = [];
  for (const m of items) {
    if (opens(m)) out.push([m]);
    else if (out.length > 0) out[out.length - 1].push(m);
  }
  return out;
}

/**
 * The newest whole exchanges that fit in `budget` tokens, as `cost` counts them. Whole exchanges only, so a tool
 * result never loses the call it answers.
 */
export function trimExchanges<T>(items: readonly T[], budget: number, opens: (item: T) => boolean, cost: (exchange: readonly T[]) => number): T[] {
  const list = splitExchanges(items, opens);
  const kept: T[][] = [];
  let used = 0;
  for (let i = list.length - 1; i >= 0; i--) {
    const c = cost(list[i]);
    if (used + c > budget) break;
    kept.unshift(list[i]);
    used += c;
  }
  return kept.flat();
}

/** Everything before the last exchange (regenerate, edit and resend drop the last question and its answer). */
export function withoutLastExchange<T>(items: readonly T[], opens: (item: T) => boolean): T[] {
  return splitExchanges(items, opens).slice(0, -1).flat();
}

/**
 * The newest whole exchanges that fit in `budget` tokens (system messages are not history and are dropped).
 * Whole exchanges only, so a tool result never loses the call it answers.
 */
export function trimHistory(messages: readonly ChatMessage[], budget: number): ChatMessage[] {
  return trimExchanges(
    messages.filter((m) => m.role !== 'system'),
    budget,
    (m) => m.role === 'user',
    estimateTokens,
  );
}

/** A tool result as the history keeps it: capped at maxToolResultChars. */
export function keptToolResult(text: string): string {
  return text.length > maxToolResultChars ? `${text.slice(0, maxToolResultChars)}\n[… ${text.length - maxToolResultChars} more characters not kept]` : text;
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
    if (m.role === 'tool' && m.content.length > maxToolResultChars) return { ...m, content: keptToolResult(m.content) };
    return m;
  });
}
