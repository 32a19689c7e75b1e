/**
 * The transcript of one run, built by a pure reducer from provider-neutral events.
 * The host, the webview and the CLI all use this same code, so what is shown live, what is restored from history
 * and what `--transcript` prints can never disagree.
 */
import type { CodeOutput, CodeRuntime, CodeStatus, NoticeCode, RunError, RunStatus, StreamEvent } from './events';
import { PersistentList } from './persistentList';
import { parseRemark, remarkToolName, type RemarkSeverity } from './remark';

export interface TextItem {
  readonly type: 'text';
  readonly id: string;
  readonly text: string;
  /** The model declined to answer (a Responses `refusal` part): shown as the tutor's answer, marked as a refusal. */
  readonly refusal?: boolean;
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

/*
 * Flat per-event cost (STYLE habit 7). A transcript made by `reduce` keeps, out of sight, a persistent list of its
 * items and an id -> index map; its `items` array (and a code item's `outputs`) is only built when someone reads it,
 * once per snapshot. So an event costs the same with 10 or 10,000 items, and with 1 or 100,000 outputs, while every
 * snapshot handed out stays an immutable value. A transcript that did not come from `reduce` (restored from JSON,
 * a webview snapshot) is indexed once, on its first event.
 */

interface Indexed {
  readonly items: PersistentList<TranscriptItem>;
  /**
   * id -> index, shared by every snapshot of one run (ids are only ever added, at the end). Shared means it can hold
   * an id that a sibling snapshot added: a lookup is therefore checked against the item at that index.
   */
  readonly ids: Map<string, number>;
}

const indexes = new WeakMap<RunTranscript, Indexed>();
const outputLists = new WeakMap<CodeItem, PersistentList<CodeOutput>>();

function indexedOf(t: RunTranscript): Indexed {
  const known = indexes.get(t);
  if (known) return known;
  const ids = new Map<string, number>();
  t.items.forEach((it, i) => ids.set(it.id, i));
  return { items: PersistentList.from(t.items), ids };
}

function find(x: Indexed, id: string): number {
  const i = x.ids.get(id);
  if (i !== undefined && x.items.get(i)?.id === id) return i;
  if (i === undefined) return -1;
  // The shared map was written by a sibling snapshot (someone reduced an older snapshot): search this one.
  const all = x.items.toArray();
  for (let k = all.length - 1; k >= 0; k--) if (all[k].id === id) return k;
  return -1;
}

/** The item with this id in a transcript, without building its item list. */
export function itemById(t: RunTranscript, id: string): TranscriptItem | undefined {
  const x = indexedOf(t);
  const i = find(x, id);
  return i < 0 ? undefined : x.items.get(i);
}

/** How many items a transcript has, without building its item list. */
export function itemCount(t: RunTranscript): number {
  return indexes.get(t)?.items.size ?? t.items.length;
}

type TranscriptFields = Omit<RunTranscript, 'items'>;

function snapshot(fields: TranscriptFields, x: Indexed): RunTranscript {
  let built: readonly TranscriptItem[] | undefined;
  const t = { ...fields } as RunTranscript;
  Object.defineProperty(t, 'items', {
    enumerable: true,
    get: () => (built ??= Object.freeze(x.items.toArray())),
  });
  indexes.set(t, x);
  return t;
}

function fieldsOf(t: RunTranscript): TranscriptFields {
  const { status, error, reason, responseId, threadId, runId, assistantId } = t;
  return {
    status,
    error,
    ...(reason !== undefined ? { reason } : {}),
    ...(responseId !== undefined ? { responseId } : {}),
    ...(threadId !== undefined ? { threadId } : {}),
    ...(runId !== undefined ? { runId } : {}),
    ...(assistantId !== undefined ? { assistantId } : {}),
  };
}

/** A code item whose outputs live in a persistent list (built into an array when read). */
function codeItem(fields: Omit<CodeItem, 'outputs'>, outputs: PersistentList<CodeOutput>): CodeItem {
  let built: readonly CodeOutput[] | undefined;
  const c = { ...fields } as CodeItem;
  Object.defineProperty(c, 'outputs', {
    enumerable: true,
    get: () => (built ??= Object.freeze(outputs.toArray())),
  });
  outputLists.set(c, outputs);
  return c;
}

function codeFields(c: CodeItem): Omit<CodeItem, 'outputs'> {
  const { type, id, language, code, status, runtime, withheld } = c;
  return { type, id, language, code, status, ...(runtime !== undefined ? { runtime } : {}), ...(withheld !== undefined ? { withheld } : {}) };
}

function outputsOf(c: CodeItem): PersistentList<CodeOutput> {
  return outputLists.get(c) ?? PersistentList.from(c.outputs);
}

function withCode(c: CodeItem, change: Partial<Omit<CodeItem, 'outputs' | 'type' | 'id'>>, outputs = outputsOf(c)): CodeItem {
  return codeItem({ ...codeFields(c), ...change }, outputs);
}

function append(t: RunTranscript, x: Indexed, item: TranscriptItem): RunTranscript {
  const items = x.items.push(item);
  x.ids.set(item.id, items.size - 1);
  return snapshot(fieldsOf(t), { items, ids: x.ids });
}

function replace(t: RunTranscript, x: Indexed, i: number, item: TranscriptItem): RunTranscript {
  return snapshot(fieldsOf(t), { items: x.items.set(i, item), ids: x.ids });
}

function upsertText(t: RunTranscript, id: string, text: (old: string) => string, refusal: boolean | undefined): RunTranscript {
  const x = indexedOf(t);
  const i = find(x, id);
  if (i < 0) {
    const value = text('');
    if (value === '') return t; // an empty message adds nothing a person could see
    return append(t, x, { type: 'text', id, text: value, ...(refusal ? { refusal: true } : {}) });
  }
  const old = x.items.get(i);
  if (old?.type !== 'text') return t;
  return replace(t, x, i, { ...old, text: text(old.text), ...(refusal ? { refusal: true } : {}) });
}

function updateCode(t: RunTranscript, id: string, change: (old: CodeItem) => CodeItem): RunTranscript {
  const x = indexedOf(t);
  const i = find(x, id);
  if (i < 0) {
    // A provider that skips `code.started` still gets its block.
    const fresh = codeItem({ type: 'code', id, language: 'python', code: '', status: 'writing' }, PersistentList.empty);
    return append(t, x, change(fresh));
  }
  const old = x.items.get(i);
  if (old?.type !== 'code') return t;
  return replace(t, x, i, change(old));
}

/**
 * Apply one event. Pure: never mutates `t`, and every snapshot stays as it was handed out. Events after
 * `run.finished` are ignored. Costs the same whatever the number of items or outputs (see above).
 */
export function reduce(t: RunTranscript, e: StreamEvent): RunTranscript {
  if (e.kind === 'withheld.revealed') return reduceReveal(t, e);
  if (t.status !== 'in_progress') return t;
  switch (e.kind) {
    case 'run.started': {
      const x = indexedOf(t);
      return snapshot(
        {
          ...fieldsOf(t),
          ...(e.responseId ?? t.responseId ? { responseId: e.responseId ?? t.responseId } : {}),
          ...(e.threadId ?? t.threadId ? { threadId: e.threadId ?? t.threadId } : {}),
          ...(e.runId ?? t.runId ? { runId: e.runId ?? t.runId } : {}),
          ...(e.assistantId ?? t.assistantId ? { assistantId: e.assistantId ?? t.assistantId } : {}),
        },
        x,
      );
    }
    case 'text.delta':
      if (e.delta === '') return t;
      return upsertText(t, e.id, (old) => old + e.delta, e.refusal);
    case 'text.done':
      return upsertText(t, e.id, () => e.text, e.refusal);
    case 'code.started': {
      const x = indexedOf(t);
      if (find(x, e.id) >= 0) return t;
      return append(t, x, codeItem({ type: 'code', id: e.id, language: e.language, code: '', status: 'writing', ...(e.runtime ? { runtime: e.runtime } : {}) }, PersistentList.empty));
    }
    case 'code.delta':
      return updateCode(t, e.id, (c) => withCode(c, { code: c.code + e.delta }));
    case 'code.done':
      return updateCode(t, e.id, (c) => withCode(c, { code: e.code }));
    case 'code.status':
      return updateCode(t, e.id, (c) => withCode(c, { status: e.status }));
    case 'code.output':
      return updateCode(t, e.id, (c) => withCode(c, {}, outputsOf(c).push(e.output)));
    case 'tool.call': {
      const x = indexedOf(t);
      if (find(x, e.id) >= 0) return t;
      const item: ToolItem = { type: 'tool', id: e.id, callId: e.call.callId, name: e.call.name, arguments: e.call.arguments };
      return append(t, x, item);
    }
    case 'tool.result': {
      const x = indexedOf(t);
      const i = find(x, e.id);
      const old = i >= 0 ? x.items.get(i) : undefined;
      if (!old || old.type !== 'tool') return t;
      return replace(t, x, i, { ...old, result: e.output, isError: e.isError });
    }
    case 'withheld':
    case 'code.withheld':
      return reduceWithheld(t, e);
    case 'thinking.delta': {
      if (e.delta === '') return t;
      const x = indexedOf(t);
      const i = find(x, e.id);
      if (i < 0) return append(t, x, { type: 'thinking', id: e.id, text: e.delta });
      const old = x.items.get(i);
      if (old?.type !== 'thinking') return t;
      return replace(t, x, i, { ...old, text: old.text + e.delta });
    }
    case 'notice': {
      const x = indexedOf(t);
      if (find(x, e.id) >= 0) return t;
      return append(t, x, { type: 'notice', id: e.id, notice: e.notice });
    }
    case 'run.retrying':
      return t; // a passing notice: shown while it lasts, not part of the answer
    case 'run.finished': {
      // Blocks still writing or running when the run stops did not finish: say so instead of spinning forever — as
      // `stopped` when the learner stopped the run (Stop is not an error), else `failed`. Once per run, so walking the
      // items here is fine.
      const settle = e.status !== 'completed';
      const ended: CodeStatus = e.status === 'cancelled' ? 'stopped' : 'failed';
      const x = indexedOf(t);
      const items = settle
        ? PersistentList.from(
            x.items.toArray().map((it) => (it.type === 'code' && (it.status === 'writing' || it.status === 'running') ? withCode(it, { status: ended }) : it)),
          )
        : x.items;
      return snapshot({ ...fieldsOf(t), status: e.status, error: e.error ?? null, ...(e.reason ? { reason: e.reason } : {}) }, { items, ids: x.ids });
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
    const x = indexedOf(t);
    if (find(x, e.id) >= 0) return t;
    const item: WithheldItem = { type: 'withheld', id: e.id, language: e.language, lines: e.lines, limit: e.limit };
    return append(t, x, item);
  }
  return updateCode(t, e.id, (c) => withCode(c, { code: '', withheld: { lines: e.lines, limit: e.limit } }));
}

/** "Show the code anyway": the only change a finished run still accepts. */
function reduceReveal(t: RunTranscript, e: Extract<StreamEvent, { kind: 'withheld.revealed' }>): RunTranscript {
  const x = indexedOf(t);
  const i = find(x, e.id);
  const old = i >= 0 ? x.items.get(i) : undefined;
  if (old?.type === 'withheld') return replace(t, x, i, { ...old, code: e.code, revealed: true });
  if (old?.type === 'code' && old.withheld) return replace(t, x, i, withCode(old, { code: e.code, withheld: { ...old.withheld, revealed: true } }));
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
  /** A failed run's error; an incomplete run's reason as an error too (`content_filter`, else `incomplete`). */
  error: null | { kind: string; message: string; reason?: string };
  /** Why the run is incomplete, as the server said (`max_output_tokens`, `content_filter` …). */
  reason?: string;
  items: Array<
    | { type: 'text'; text: string; refusal?: boolean }
    | { type: 'withheld'; language: string; lines: number; revealed?: true }
    | { type: 'thinking'; text: string }
    | { type: 'notice'; notice: NoticeCode }
    | { type: 'remark'; line: number; endLine?: number; severity: RemarkSeverity; message: string }
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
    if (it.type === 'text') items.push({ type: 'text', text: it.text, ...(it.refusal ? { refusal: true } : {}) });
    else if (it.type === 'withheld') items.push({ type: 'withheld', language: it.language, lines: it.lines, ...(it.revealed ? { revealed: true as const } : {}) });
    else if (it.type === 'thinking') items.push({ type: 'thinking', text: it.text });
    else if (it.type === 'notice') items.push({ type: 'notice', notice: it.notice });
    else if (it.type === 'tool' && it.name === remarkToolName && it.result !== undefined && !it.isError) {
      // A review remark the tool accepted (its range was checked when it ran).
      const r = parseRemark(it.arguments, { startLine: 1, endLine: Number.MAX_SAFE_INTEGER });
      if (r.ok) items.push({ type: 'remark', line: r.remark.line, ...(r.remark.endLine !== undefined ? { endLine: r.remark.endLine } : {}), severity: r.remark.severity, message: r.remark.message });
    }
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
  let error: TranscriptJson['error'] = t.error ? { kind: t.error.kind, message: t.error.message } : null;
  if (!error && t.status === 'incomplete') {
    const reason = t.reason ?? 'unknown';
    error = { kind: reason === 'content_filter' ? 'content_filter' : 'incomplete', message: `The answer is incomplete: ${reason}.`, reason };
  }
  return { status: t.status, error, ...(t.reason ? { reason: t.reason } : {}), items };
}
