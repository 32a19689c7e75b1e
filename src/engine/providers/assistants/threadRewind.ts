/**
 * Take a dropped exchange out of an Assistants thread (Regenerate, Edit and resend), so the next run sees the
 * conversation as if it had never been asked. The thread is the server's memory: leaving the old question and its
 * answer in it would show the model both the old and the new attempt.
 *
 * The dropped exchange is the end of the thread: the dropped runs' messages (`run_id`) and the question before
 * them. They are deleted (`DELETE /threads/{t}/messages/{m}`, OpenAI). A server without message
 * deletion (DashScope's Message API has create, retrieve, modify and list only) gets a new thread instead, seeded with
 * the kept messages' text; the caller records the new thread.
 */
import type { ThreadRewind } from '../../provider';
import { type AssistantsClient, AssistantsHttpError, type Json } from './assistantsClient';

/** What the rewind did. `threadId` undefined: nothing is kept, the next question starts a new thread. */
export type RewindResult =
  | { readonly kind: 'deleted'; readonly threadId: string; readonly messageIds: readonly string[] }
  | { readonly kind: 'reseeded'; readonly threadId: string | undefined; readonly from: string; readonly seeded: number; readonly asOneMessage: boolean };

/** Marks the messages a new thread was seeded with: they are kept turns, never part of a dropped exchange. */
export const seedMetadata = { codetutor: 'seed' } as const;
/** Messages one create-thread call takes (OpenAI's limit for `messages`); the rest are added one by one. */
const seedBatch = 32;
/** Pages of 100 messages read at most (a tutor chat is far shorter). */
const maxPages = 50;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The text parts of a thread message (OpenAI `{type:'text', text:{value}}`, or a plain string). */
export function messageText(m: Json): string {
  const content = m.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const p of content as unknown[]) {
    if (typeof p !== 'object' || p === null) continue;
    const text = (p as Json).text;
    if (typeof text === 'string') parts.push(text);
    else if (typeof text === 'object' && text !== null && typeof (text as Json).value === 'string') parts.push((text as Json).value as string);
  }
  return parts.join('\n\n');
}

/**
 * Where the dropped exchange starts in the thread's messages (oldest first): the dropped runs' messages at the end,
 * and the question just before them (a learner message no run wrote). A dropped question whose run never started is
 * that learner message alone. Questions further back stay: they are kept turns (one that failed is still asked).
 * Seeded messages are never dropped.
 */
export function droppedFrom(messages: readonly Json[], rewind: ThreadRewind): number {
  const runs = new Set(Array.isArray(rewind.runIds) ? rewind.runIds : []); // stored with the chat: checked
  const seeded = (m: Json) => typeof m.metadata === 'object' && m.metadata !== null && (m.metadata as Json).codetutor === seedMetadata.codetutor;
  let i = messages.length;
  while (i > 0 && !seeded(messages[i - 1]) && runs.has(str(messages[i - 1].run_id) ?? '')) i--;
  const before = messages[i - 1];
  if (before && !seeded(before) && before.role === 'user' && !str(before.run_id)) i--;
  return i;
}

/** Every message of a thread, oldest first. */
async function allMessages(client: AssistantsClient, threadId: string, signal?: AbortSignal): Promise<Json[]> {
  const out: Json[] = [];
  let after: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const list = await client.listMessages(threadId, { order: 'asc', limit: 100, ...(after ? { after } : {}) }, signal);
    const data = Array.isArray(list.data) ? list.data : [];
    out.push(...data);
    const last = str(list.last_id) ?? str(data.at(-1)?.id);
    if (!list.has_more || !last || data.length === 0) return out;
    after = last;
  }
  throw new AssistantsHttpError(200, 'the thread has too many messages to rewind', undefined, 'protocol');
}

/** Delete the dropped exchange from the thread, or (the server cannot delete) move to a new thread without it. */
export async function rewindThread(client: AssistantsClient, threadId: string, rewind: ThreadRewind, signal?: AbortSignal): Promise<RewindResult> {
  const messages = await allMessages(client, threadId, signal);
  const from = droppedFrom(messages, rewind);
  const dropped = messages.slice(from);
  const deleted: string[] = [];
  try {
    // Newest first: a rewind cut short leaves a thread that still ends where the kept part ends, plus a prefix of
    // the dropped part, which the next rewind finds again.
    for (const m of dropped.reverse()) {
      const id = str(m.id);
      if (!id) continue;
      await client.deleteMessage(threadId, id, signal);
      deleted.push(id);
    }
    return { kind: 'deleted', threadId, messageIds: deleted };
  } catch (e) {
    if (!(e instanceof AssistantsHttpError && e.unsupported && deleted.length === 0)) throw e;
  }
  const kept = messages.slice(0, from);
  return reseed(client, threadId, kept, signal);
}

/** A new thread with the kept messages' text (and the learner's attachments), as the model last saw them. */
async function reseed(client: AssistantsClient, from: string, kept: readonly Json[], signal?: AbortSignal): Promise<RewindResult> {
  const seed = kept
    .map((m): Json | undefined => {
      const text = messageText(m);
      if (!text.trim()) return undefined;
      const role = m.role === 'assistant' ? 'assistant' : 'user';
      const attachments = role === 'user' && Array.isArray(m.attachments) && m.attachments.length ? { attachments: m.attachments } : {};
      return { role, content: text, metadata: seedMetadata, ...attachments };
    })
    .filter((m): m is Json => m !== undefined);
  if (seed.length === 0) return { kind: 'reseeded', threadId: undefined, from, seeded: 0, asOneMessage: false };
  let thread: Json;
  let asOneMessage = false;
  try {
    thread = await client.createThread({ messages: seed.slice(0, seedBatch) }, signal);
  } catch (e) {
    // DashScope takes only `user` messages: the conversation so far goes as one message the model can read.
    if (!(e instanceof AssistantsHttpError && e.status === 400)) throw e;
    thread = await client.createThread({ messages: [{ role: 'user', content: transcriptOf(seed), metadata: seedMetadata }] }, signal);
    asOneMessage = true;
  }
  const threadId = str(thread.id);
  if (!threadId) throw new AssistantsHttpError(200, 'the server created a thread without an id', undefined, 'protocol');
  if (!asOneMessage) for (const m of seed.slice(seedBatch)) await client.addMessage(threadId, m, signal);
  return { kind: 'reseeded', threadId, from, seeded: seed.length, asOneMessage };
}

/** The kept conversation as one message (for servers that seed threads with learner messages only). */
function transcriptOf(seed: readonly Json[]): string {
  const lines = seed.map((m) => `${m.role === 'assistant' ? 'Tutor' : 'Learner'}: ${String(m.content)}`);
  return `Our conversation so far (moved to a new thread; continue from it):\n\n${lines.join('\n\n')}`;
}
