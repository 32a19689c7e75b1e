/**
 * The transcript of one run, built by a pure reducer from provider-neutral events.
 * The host, the webview and the CLI all use this same code, so what is shown live, what is restored from history
 * and what `--transcript` prints can never disagree.
 */
import type { CodeOutput, CodeRuntime, CodeStatus, NoticeCode, RunError, RunStatus, StreamEvent } from './events';

export interface TextItem {
  readonly type: 'text';
  readonly id: string;
  readonly text: string;
}

export interface CodeItem {
  readonly type: 'code';
  readonly id: string;
  readonly language: string;
  readonly code: string;
  readonly status: CodeStatus;
  readonly outputs: readonly CodeOutput[];
  /** Where it ran; absent means the provider's hosted interpreter. */
  readonly runtime?: CodeRuntime;
  /** Hint/review mode folded this code (it is empty unless revealed); its outputs still show. */
  readonly withheld?: WithheldInfo;
}

export interface WithheldInfo {
  readonly lines: number;
  readonly limit: number;
  /** The learner chose "Show the code anyway"; recorded in the chat. */
  readonly revealed?: boolean;
}

/** A code block of the explanation held back in hint/review mode, in the place it had in the text. */
export interface WithheldItem extends WithheldInfo {
  readonly type: 'withheld';
  readonly id: string;
  readonly language: string;
  /** The code, once the learner chose to see it. */
  readonly code?: string;
}

export interface ToolItem {
  readonly type: 'tool';
  readonly id: string;
  readonly callId: string;
  readonly name: string;
  readonly arguments: string;
  readonly result?: string;
  readonly isError?: boolean;
}

/** The model's reasoning, shown as a folded "thinking" block, never as the answer. */
export interface ThinkingItem {
  readonly type: 'thinking';
  readonly id: string;
  readonly text: string;
}

export interface NoticeItem {
  readonly type: 'notice';
  readonly id: string;
  readonly notice: NoticeCode;
}

export type TranscriptItem = TextItem | CodeItem | ToolItem | WithheldItem | ThinkingItem | NoticeItem;

export interface RunTranscript {
  readonly status: RunStatus;
  readonly error: RunError | null;
  /** Why a run is incomplete (`max_output_tokens` …), when the server says. */
  readonly reason?: string;
  readonly items: readonly TranscriptItem[];
  readonly responseId?: string;
  readonly threadId?: string;
  readonly runId?: string;
  readonly assistantId?: string;
}

export const emptyTranscript: RunTranscript = Object.freeze({ status: 'in_progress', error: null, items: Object.freeze([]) });

function indexOf(items: readonly TranscriptItem[], id: string): number {
  // Deltas almost always touch the newest item: look from the end.
  for (let i = items.length - 1; i >= 0; i--) {
    if (items[i].id === id) return i;
  }
  return -1;
}

function replaceAt(items: readonly TranscriptItem[], i: number, item: TranscriptItem): TranscriptItem[] {
  const next = items.slice();
  next[i] = item;
  return next;
}

function upsertText(t: RunTranscript, id: string, text: (old: string) => string): RunTranscript {
  const i = indexOf(t.items, id);
  if (i < 0) {
    const value = text('');
    if (value === '') return t; // an empty message adds nothing a person could see
    return { ...t, items: [...t.items, { type: 'text', id, text: value }] };
  }
  const old = t.items[i];
  if (old.type !== 'text') return t;
  return { ...t, items: replaceAt(t.items, i, { ...old, text: text(old.text) }) };
}

function updateCode(t: RunTranscript, id: string, change: (old: CodeItem) => CodeItem): RunTranscript {
  let i = indexOf(t.items, id);
  let items = t.items;
  if (i < 0) {
    // A provider that skips `code.started` still gets its block.
    items = [...items, { type: 'code', id, language: 'python', code: '', status: 'writing', outputs: [] }];
    i = items.length - 1;
  }
  const old = items[i];
  if (old.type !== 'code') return t;
  return { ...t, items: replaceAt(items, i, change(old)) };
}

/** Apply one event. Pure: never mutates `t`. Events after `run.finished` are ignored. */
export function reduce(t: RunTranscript, e: StreamEvent): RunTranscript {
  if (e.kind === 'withheld.revealed') return reduceReveal(t, e);
  if (t.status !== 'in_progress') return t;
  switch (e.kind) {
    case 'run.started':
      return {
        ...t,
        responseId: e.responseId ?? t.responseId,
        threadId: e.threadId ?? t.threadId,
        runId: e.runId ?? t.runId,
        assistantId: e.assistantId ?? t.assistantId,
      };
    case 'text.delta':
      if (e.delta === '') return t;
      return upsertText(t, e.id, (old) => old + e.delta);
    case 'text.done':
      return upsertText(t, e.id, () => e.text);
    case 'code.started':
      if (indexOf(t.items, e.id) >= 0) return t;
      return {
        ...t,
        items: [...t.items, { type: 'code', id: e.id, language: e.language, code: '', status: 'writing', outputs: [], ...(e.runtime ? { runtime: e.runtime } : {}) }],
      };
    case 'code.delta':
      return updateCode(t, e.id, (c) => ({ ...c, code: c.code + e.delta }));
    case 'code.done':
      return updateCode(t, e.id, (c) => ({ ...c, code: e.code }));
    case 'code.status':
      return updateCode(t, e.id, (c) => ({ ...c, status: e.status }));
    case 'code.output':
      return updateCode(t, e.id, (c) => ({ ...c, outputs: [...c.outputs, e.output] }));
    case 'tool.call': {
      if (indexOf(t.items, e.id) >= 0) return t;
      const item: ToolItem = { type: 'tool', id: e.id, callId: e.call.callId, name: e.call.name, arguments: e.call.arguments };
      return { ...t, items: [...t.items, item] };
    }
    case 'tool.result': {
      const i = indexOf(t.items, e.id);
      const old = i >= 0 ? t.items[i] : undefined;
      if (!old || old.type !== 'tool') return t;
      return { ...t, items: replaceAt(t.items, i, { ...old, result: e.output, isError: e.isError }) };
    }
    case 'withheld':
    case 'code.withheld':
      return reduceWithheld(t, e);
    case 'thinking.delta': {
      if (e.delta === '') return t;
      const i = indexOf(t.items, e.id);
      if (i < 0) return { ...t, items: [...t.items, { type: 'thinking', id: e.id, text: e.delta }] };
      const old = t.items[i];
      if (old.type !== 'thinking') return t;
      return { ...t, items: replaceAt(t.items, i, { ...old, text: old.text + e.delta }) };
    }
    case 'notice':
      if (indexOf(t.items, e.id) >= 0) return t;
      return { ...t, items: [...t.items, { type: 'notice', id: e.id, notice: e.notice }] };
    case 'run.finished': {
      // Blocks still writing or running when the run stops did not finish: say so instead of spinning forever.
      const settle = e.status !== 'completed';
      const items = settle
        ? t.items.map((it) => (it.type === 'code' && (it.status === 'writing' || it.status === 'running') ? { ...it, status: 'failed' as const } : it))
        : t.items;
      return { ...t, items, status: e.status, error: e.error ?? null, ...(e.reason ? { reason: e.reason } : {}) };
    }
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** Hint/review mode: a withheld text block becomes its own item; withheld interpreter code folds its code item. */
function reduceWithheld(t: RunTranscript, e: Extract<StreamEvent, { kind: 'withheld' | 'code.withheld' }>): RunTranscript {
  if (e.kind === 'withheld') {
    if (indexOf(t.items, e.id) >= 0) return t;
    const item: WithheldItem = { type: 'withheld', id: e.id, language: e.language, lines: e.lines, limit: e.limit };
    return { ...t, items: [...t.items, item] };
  }
  return updateCode(t, e.id, (c) => ({ ...c, code: '', withheld: { lines: e.lines, limit: e.limit } }));
}

/** "Show the code anyway": the only change a finished run still accepts. */
function reduceReveal(t: RunTranscript, e: Extract<StreamEvent, { kind: 'withheld.revealed' }>): RunTranscript {
  const i = indexOf(t.items, e.id);
  const old = i >= 0 ? t.items[i] : undefined;
  if (old?.type === 'withheld') return { ...t, items: replaceAt(t.items, i, { ...old, code: e.code, revealed: true }) };
  if (old?.type === 'code' && old.withheld) return { ...t, items: replaceAt(t.items, i, { ...old, code: e.code, withheld: { ...old.withheld, revealed: true } }) };
  return t;
}

/** Fold a whole list of events. */
export function reduceAll(events: Iterable<StreamEvent>, start: RunTranscript = emptyTranscript): RunTranscript {
  let t = start;
  for (const e of events) t = reduce(t, e);
  return t;
}

/** Bytes in a base64 string, without decoding it. */
export function base64ByteLength(b64: string): number {
  const clean = b64.replace(/[^A-Za-z0-9+/=_-]/g, '');
  const pad = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.floor((clean.length * 3) / 4) - pad;
}

/** The public `--transcript` JSON shape (see the README): text and code items, outputs with byte counts. */
export interface TranscriptJson {
  status: Exclude<RunStatus, 'in_progress'> | 'in_progress';
  error: null | { kind: string; message: string };
  items: Array<
    | { type: 'text'; text: string }
    | { type: 'withheld'; language: string; lines: number; revealed?: true }
    | { type: 'thinking'; text: string }
    | { type: 'notice'; notice: NoticeCode }
    | {
        type: 'code';
        language: string;
        code: string;
        /** Where it ran: the provider's hosted interpreter, Pyodide, or the learner's Python. */
        runtime: CodeRuntime;
        outputs: Array<
          { type: 'logs'; text: string } | { type: 'image'; mime: string; bytes: number } | { type: 'file'; name: string; mime: string; bytes: number }
        >;
      }
  >;
}

export function toTranscriptJson(t: RunTranscript): TranscriptJson {
  const items: TranscriptJson['items'] = [];
  for (const it of t.items) {
    if (it.type === 'text') items.push({ type: 'text', text: it.text });
    else if (it.type === 'withheld') items.push({ type: 'withheld', language: it.language, lines: it.lines, ...(it.revealed ? { revealed: true as const } : {}) });
    else if (it.type === 'thinking') items.push({ type: 'thinking', text: it.text });
    else if (it.type === 'notice') items.push({ type: 'notice', notice: it.notice });
    else if (it.type === 'code') {
      if (it.withheld) items.push({ type: 'withheld', language: it.language, lines: it.withheld.lines, ...(it.withheld.revealed ? { revealed: true as const } : {}) });
      items.push({
        type: 'code',
        language: it.language,
        code: it.code,
        runtime: it.runtime ?? 'hosted',
        outputs: it.outputs.map((o) =>
          o.type === 'logs'
            ? { type: 'logs' as const, text: o.text }
            : o.type === 'image'
              ? { type: 'image' as const, mime: o.mime, bytes: base64ByteLength(o.base64) }
              : { type: 'file' as const, name: o.name, mime: o.mime, bytes: o.bytes },
        ),
      });
    }
  }
  return { status: t.status, error: t.error ? { kind: t.error.kind, message: t.error.message } : null, items };
}
