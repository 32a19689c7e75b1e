/**
 * A chat as it is kept on disk: its turns (question + run transcript, stored as they are), where its conversation
 * continues on the server, and a generic `state` bag for everything else a chat carries (tutor mode, course rules,
 * predictions, quiz results, chat-completions messages, local Python state …) so other features add fields without
 * a format change. No `vscode` import: the store, the exporters, the tests and the benchmarks use it as is.
 *
 * The file is versioned and checked on load: a truncated, wrong-shaped or foreign file is refused with a reason,
 * never half-loaded.
 */
import type { ConversationRef } from '../engine/provider';
import type { Turn } from '../shared/protocol';

export const chatFileFormat = 'code-tutor.chat';
export const chatFileVersion = 1;

export interface ChatRecord {
  readonly id: string;
  /** Set by Rename; otherwise the title comes from the first question. */
  readonly title?: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly turns: readonly Turn[];
  /** Provider state: Responses id, Assistants thread/assistant (and whatever other protocols add), stored as is. */
  readonly conversation: ConversationRef;
  /** Everything else a chat carries, as plain JSON. `state.mode` (a string) is shown in the history. */
  readonly state: Readonly<Record<string, unknown>>;
}

/** What the history list needs, without the turns. */
export interface ChatSummary {
  readonly id: string;
  readonly title: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly mode?: string;
  readonly turnCount: number;
}

/** Chat ids are file names: letters, digits, `_` and `-` only. */
export const chatIdPattern = /^[A-Za-z0-9_-]{1,100}$/;

export function newChatId(now = Date.now()): string {
  return `chat_${now.toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

const maxTitleLength = 80;

/** The title a chat shows: its own (renamed) title, else the first line of its first question. */
export function chatTitle(record: Pick<ChatRecord, 'title' | 'turns'>, untitled = 'New chat'): string {
  if (record.title?.trim()) return record.title.trim().slice(0, maxTitleLength);
  const first = record.turns[0]?.question.text.trim().split(/\r?\n/, 1)[0]?.trim();
  if (!first) return untitled;
  return first.length > maxTitleLength ? `${first.slice(0, maxTitleLength - 1)}…` : first;
}

export function summarize(record: ChatRecord, untitled?: string): ChatSummary {
  const mode = record.state.mode;
  return {
    id: record.id,
    title: chatTitle(record, untitled),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(typeof mode === 'string' ? { mode } : {}),
    turnCount: record.turns.length,
  };
}

/** All the text of a chat (questions, explanations, code, logs), for search. */
export function chatText(record: ChatRecord): string {
  const parts: string[] = [chatTitle(record)];
  for (const t of record.turns) {
    parts.push(t.question.text);
    if (t.question.context) parts.push(t.question.context.code);
    for (const it of t.run.items) {
      if (it.type === 'text') parts.push(it.text);
      else if (it.type === 'code') {
        parts.push(it.code);
        for (const o of it.outputs) if (o.type === 'logs') parts.push(o.text);
      }
    }
  }
  return parts.join('\n');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const itemTypes = new Set(['text', 'code', 'tool']);
const runStatuses = new Set(['in_progress', 'completed', 'failed', 'cancelled', 'incomplete']);

function turnProblem(t: unknown, i: number): string | undefined {
  if (!isObject(t)) return `turn ${i} is not an object`;
  if (typeof t.id !== 'string' || t.id === '') return `turn ${i} has no id`;
  if (!isObject(t.question) || typeof t.question.text !== 'string') return `turn ${i} has no question`;
  const run = t.run;
  if (!isObject(run) || typeof run.status !== 'string' || !runStatuses.has(run.status) || !Array.isArray(run.items)) return `turn ${i} has no valid run`;
  for (const [j, it] of run.items.entries()) {
    if (!isObject(it) || typeof it.type !== 'string' || !itemTypes.has(it.type) || typeof it.id !== 'string') return `turn ${i}, item ${j} is not a known item`;
    if (it.type === 'text' && typeof it.text !== 'string') return `turn ${i}, item ${j} has no text`;
    if (it.type === 'code' && (typeof it.code !== 'string' || !Array.isArray(it.outputs) || !it.outputs.every(isObject))) return `turn ${i}, item ${j} is not valid code`;
  }
  return undefined;
}

/**
 * Check a parsed chat file. Returns the record (still with blob references, see chatBlobs.ts) or the reason it is
 * refused. Unknown fields on turns and items are kept as they are: features added later store their data there.
 */
/** What is wrong with a stored conversation's shape (the providers check the items inside `messages` / `input`). */
function conversationProblem(c: Record<string, unknown>): string | undefined {
  for (const key of ['responseId', 'threadId', 'assistantId', 'messagesTurnId', 'inputTurn'] as const) {
    const v = c[key];
    if (v !== undefined && (typeof v !== 'string' || v.length === 0 || v.length > 500)) return `the conversation's ${key} is not an id`;
  }
  for (const key of ['messages', 'input'] as const) if (c[key] !== undefined && !Array.isArray(c[key])) return `the conversation's ${key} is not a list`;
  if (c.clientState !== undefined && typeof c.clientState !== 'boolean') return "the conversation's clientState is not true or false";
  const r = c.rewind;
  if (r !== undefined && !(isObject(r) && Array.isArray(r.runIds) && r.runIds.every((id) => typeof id === 'string'))) return "the conversation's rewind is damaged";
  return undefined;
}

export function parseChatFile(json: unknown): { record: ChatRecord } | { problem: string } {
  if (!isObject(json)) return { problem: 'not a JSON object' };
  if (json.format !== chatFileFormat) return { problem: 'not a Code Tutor chat file' };
  if (typeof json.version !== 'number' || !Number.isInteger(json.version)) return { problem: 'no format version' };
  if (json.version > chatFileVersion) return { problem: `written by a newer Code Tutor (format ${json.version})` };
  if (json.version < 1) return { problem: `unknown format version ${json.version}` };
  const c = json.chat;
  if (!isObject(c)) return { problem: 'no chat in the file' };
  if (typeof c.id !== 'string' || !chatIdPattern.test(c.id)) return { problem: 'the chat has no valid id' };
  if (c.title !== undefined && typeof c.title !== 'string') return { problem: 'the title is not text' };
  if (typeof c.createdAt !== 'number' || typeof c.updatedAt !== 'number') return { problem: 'the dates are missing' };
  if (!Array.isArray(c.turns)) return { problem: 'the turns are missing' };
  for (const [i, t] of c.turns.entries()) {
    const p = turnProblem(t, i);
    if (p) return { problem: p };
  }
  if (!isObject(c.conversation)) return { problem: 'the conversation is missing' };
  const conversation = conversationProblem(c.conversation);
  if (conversation) return { problem: conversation };
  if (c.state !== undefined && !isObject(c.state)) return { problem: 'the state is not an object' };
  return { record: { ...(c as unknown as ChatRecord), state: (c.state as Record<string, unknown> | undefined) ?? {} } };
}

/** The file's JSON for a record whose blobs were already moved out. */
export function chatFileJson(record: ChatRecord): string {
  return JSON.stringify({ format: chatFileFormat, version: chatFileVersion, chat: record });
}
