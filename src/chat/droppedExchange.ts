/**
 * Where a chat's conversation continues from when its last turn is dropped (Regenerate, Edit and resend): the server
 * must see the conversation as if that exchange had never happened. Pure; the providers do the server side.
 *
 * - Chat completions: the host keeps the messages; the dropped turn's exchange (if it left one) is cut off the end.
 * - Assistants: the thread still holds it; a `rewind` asks the next run to take it out first (or, if nothing is kept,
 *   the next question starts a new thread).
 * - Responses, conversation kept on the client: the dropped turn's exchange (if it is the last one kept) is cut off
 *   the input; continuing from the answer before (server state) is done by the session itself.
 */
import type { ConversationRef } from '../engine/provider';
import { withoutLastExchange } from '../engine/providers/chat/chatHistory';
import { withoutLastInputExchange } from '../engine/providers/responses/clientConversation';
import type { Turn } from '../shared/protocol';

/** The conversation without `dropped` (the chat's last turn); `kept` are the turns before it. */
export function withoutTurn(conversation: ConversationRef, dropped: Turn, kept: readonly Turn[]): ConversationRef {
  let next = conversation;
  if (next.messages && next.messagesTurnId === dropped.id) {
    const { messagesTurnId: _dropped, ...rest } = next;
    next = { ...rest, messages: withoutLastExchange(next.messages, (m) => m.role === 'user') };
  }
  if (next.input && next.inputTurn === dropped.id) {
    const { inputTurn: _mark, ...rest } = next;
    next = { ...rest, input: withoutLastInputExchange(next.input) };
  }
  if (next.threadId) {
    const { threadId, rewind, ...rest } = next;
    if (kept.length === 0) return rest; // nothing to keep: a new thread, as for a new chat
    const run = dropped.run.threadId === undefined || dropped.run.threadId === threadId ? dropped.run.runId : undefined;
    const runIds = [...(rewind?.runIds ?? []), ...(run ? [run] : [])];
    next = { ...rest, threadId, rewind: { runIds: [...new Set(runIds)] } };
  }
  return next;
}

/** The conversation after a provider reported what to continue from during the run of turn `turnId`. */
export function withReport(conversation: ConversationRef, report: ConversationRef, turnId: string): ConversationRef {
  const { endsWithThisRun, ...rest } = report;
  // A Responses input kept here is marked with its turn, so that regenerate knows the last exchange is this turn's.
  const next: ConversationRef = { ...conversation, ...rest, ...(report.input ? { inputTurn: turnId } : {}) };
  if (report.messages === undefined) return next;
  const { messagesTurnId: _previous, ...without } = next;
  return endsWithThisRun ? { ...without, messagesTurnId: turnId } : without;
}
