/**
 * The Assistants run protocol (OpenAI `assistants=v2` and Alibaba DashScope's Assistant API) mapped onto our
 * provider-neutral events. Pure: one SSE message in, events out, no I/O.
 *
 * The two servers speak the same event names with different shapes, so the shape is detected per field, never
 * per stream:
 * - message deltas: OpenAI sends `delta.content` as an array of parts with an `index`; DashScope as one object.
 * - code interpreter calls: OpenAI streams the code in `code_interpreter.input` and the results as
 *   `code_interpreter.outputs[]` (`logs` / `image`); DashScope sends the code in `arguments` (plain code, or a
 *   JSON object such as `{"code": "..."}`) and the result as an `output` string.
 * - DashScope adds `request_id` / `status_code` to every payload; a payload whose `status_code` is 4xx/5xx is an error.
 *
 * A run that stops for function tools ends this stream with `run.requires_action`; the shell submits the tool
 * outputs, calls `continueRun()` and feeds the new stream to the same instance, so ids and what was already
 * emitted carry over and one transcript spans both streams.
 */
import type { CodeOutput, CodeStatus, RunError, StreamEvent } from '../../../shared/events';
import { kindFromCode, kindFromStatus } from '../../errors';
import type { MapperEvent, SseMessage } from '../../mapperEvents';

type Json = Record<string, unknown>;

function asObject(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function asIndex(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

/** A list field that one server sends as an array and another as a single object. */
function asList(v: unknown): Json[] {
  if (Array.isArray(v)) return v.map(asObject).filter((x): x is Json => x !== undefined);
  const o = asObject(v);
  return o ? [o] : [];
}

/** Past this length, a chunk that repeats everything received so far is taken as a snapshot, not a delta. */
const snapshotMinLength = 16;

/**
 * Turns a DashScope `arguments` stream into code as it arrives. Plain code passes through; a JSON object
 * (`{"code": "..."}`) has its `code` string decoded incrementally, holding back an escape cut in half.
 */
class ArgumentsDecoder {
  raw = '';
  private mode: 'unknown' | 'plain' | 'json' = 'unknown';
  /** JSON mode: where the undecoded rest of the `code` string starts; -1 before it was found, -2 after it closed. */
  private pos = -1;

  /** Feed a chunk; returns the code it adds. */
  push(chunk: string): string {
    this.raw += chunk;
    if (this.mode === 'unknown') {
      const first = this.raw.trimStart();
      if (first === '') return '';
      this.mode = first.startsWith('{') ? 'json' : 'plain';
      if (this.mode === 'plain') return this.raw;
    }
    if (this.mode === 'plain') return chunk;
    return this.decodeJson();
  }

  /** Where the search for `"code": "` goes on from: what was searched before is never scanned again. */
  private searched = 0;

  private decodeJson(): string {
    if (this.pos === -2) return '';
    if (this.pos === -1) {
      // Look only at what is new, plus enough before it for a key cut across two chunks (`"code"  :  "` with spaces).
      const from = Math.max(0, this.searched - 64);
      const re = /"code"\s*:\s*"/g;
      re.lastIndex = from;
      const m = re.exec(this.raw);
      this.searched = this.raw.length;
      if (!m) return '';
      this.pos = m.index + m[0].length;
    }
    let out = '';
    let i = this.pos;
    const s = this.raw;
    while (i < s.length) {
      const c = s[i];
      if (c === '"') {
        this.pos = -2;
        return out;
      }
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      if (i + 1 >= s.length) break; // the escape's second half has not arrived yet
      const e = s[i + 1];
      if (e === 'u') {
        const hex = s.slice(i + 2, i + 6);
        if (hex.length < 4) break;
        out += /^[0-9a-fA-F]{4}$/.test(hex) ? String.fromCharCode(parseInt(hex, 16)) : '';
        i += 6;
        continue;
      }
      out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === 'b' ? '\b' : e === 'f' ? '\f' : e;
      i += 2;
    }
    this.pos = i;
    return out;
  }

  /** The whole code, from a complete `arguments` value. */
  static fullCode(args: string): string {
    const t = args.trim();
    if (!t.startsWith('{')) return args;
    try {
      const parsed = asObject(JSON.parse(t));
      if (!parsed) return args;
      const code = asString(parsed.code) ?? Object.values(parsed).find((v): v is string => typeof v === 'string');
      return code ?? args;
    } catch {
      return args; // not JSON after all: python that starts with a dict literal
    }
  }
}

interface CallState {
  readonly itemId: string;
  readonly kind: 'code' | 'function';
  /** Code: the code sent in deltas so far (decoded). */
  code: string;
  /** DashScope: the raw `arguments` received. */
  args?: ArgumentsDecoder;
  status: CodeStatus;
  /** Log text already emitted, per output key (`i:<index>` for OpenAI outputs, `output` for DashScope's string). */
  readonly logs: Map<string, string>;
  /** All log text emitted for this call, in order, whatever shape carried it: what a final step is checked against. */
  shownLogs: string;
  /** Function: name and arguments as streamed. */
  name: string;
  fnArgs: string;
}

export class AssistantsMapper {
  private started = false;
  private terminal = false;
  private threadId?: string;
  private runId?: string;
  /** Tool calls by `<step id>#<index>` and by call id. */
  private readonly callsByIndex = new Map<string, CallState>();
  private readonly callsById = new Map<string, CallState>();
  /** Call ids per step, in order, to settle a step that fails. */
  private readonly stepCalls = new Map<string, CallState[]>();
  /** Function calls already shown (`tool.call`), so requires_action and step events never repeat one. */
  private readonly toolCallsShown = new Set<string>();
  /** File ids already referenced: an image is often both a code output and a message part. */
  private readonly filesShown = new Set<string>();
  /** Text per `<message id>:<part index>`, to tell an empty `completed` from a real one. */
  private readonly texts = new Map<string, string>();

  /** True once this stream sent its terminal event (`run.finished` or `run.requires_action`). */
  get finished(): boolean {
    return this.terminal;
  }

  /**
   * Accept the stream that continues a run after its tool outputs were submitted. Ids, shown calls, files and
   * outputs are kept, so nothing is shown twice across the two streams.
   */
  continueRun(): void {
    this.terminal = false;
  }

  map(msg: SseMessage): MapperEvent[] {
    if (this.terminal) return [];
    const raw = msg.data.trim();
    if (raw === '' || raw === '[DONE]' || msg.event === 'done') return [];
    let data: Json | undefined;
    try {
      data = asObject(JSON.parse(raw));
    } catch {
      return []; // a malformed payload is skipped; the run's own end (or its absence) decides the outcome
    }
    if (!data) return [];
    const out: MapperEvent[] = [];
    const status = typeof data.status_code === 'number' ? data.status_code : undefined;
    if (msg.event === 'error' || (status !== undefined && status >= 400)) {
      this.finish(out, { status: 'failed', error: this.streamError(data, status) });
      return out;
    }
    const event = msg.event ?? inferEvent(data);
    if (!event) return out;
    if (event.startsWith('thread.run.step.')) this.step(event.slice('thread.run.step.'.length), data, out);
    else if (event.startsWith('thread.run.')) this.run(event.slice('thread.run.'.length), data, out);
    else if (event.startsWith('thread.message.')) this.message(event.slice('thread.message.'.length), data, out);
    return out;
  }

  /** The stream closed. A run that never said how it ended failed. */
  end(): MapperEvent[] {
    if (this.terminal) return [];
    const out: MapperEvent[] = [];
    this.finish(out, { status: 'failed', error: { kind: 'protocol', message: 'The stream ended before the run finished.' } });
    return out;
  }

  // ---- runs ----

  private run(what: string, run: Json, out: MapperEvent[]): void {
    this.threadId = asString(run.thread_id) ?? this.threadId;
    this.runId = asString(run.id) ?? this.runId;
    if (!this.started && (this.threadId || this.runId)) {
      this.started = true;
      out.push({ kind: 'run.started', threadId: this.threadId, runId: this.runId, ...(asString(run.model) ? { model: asString(run.model) } : {}) });
    }
    switch (what) {
      case 'requires_action':
        this.requiresAction(run, out);
        return;
      case 'completed':
        this.finish(out, { status: 'completed' });
        return;
      case 'incomplete': {
        const reason = asString(asObject(run.incomplete_details)?.reason);
        this.finish(out, { status: 'incomplete', ...(reason ? { reason } : {}) });
        return;
      }
      case 'failed':
        this.finish(out, { status: 'failed', error: this.lastError(run) });
        return;
      case 'cancelled':
        this.finish(out, { status: 'cancelled' });
        return;
      case 'expired':
        this.finish(out, {
          status: 'failed',
          error: { kind: 'server', message: 'The run expired before it finished: the server gave up waiting. Try again.', code: 'expired' },
        });
        return;
      default:
        return; // created, queued, in_progress, cancelling: nothing a person needs to see
    }
  }

  private requiresAction(run: Json, out: MapperEvent[]): void {
    const action = asObject(run.required_action);
    const calls = asList(asObject(action?.submit_tool_outputs)?.tool_calls)
      .map((c) => {
        const fn = asObject(c.function);
        const callId = asString(c.id);
        const name = asString(fn?.name);
        if (!callId || !name) return undefined;
        return { callId, name, arguments: asString(fn?.arguments) ?? '', itemId: callId };
      })
      .filter((c): c is NonNullable<typeof c> => c !== undefined);
    if (calls.length === 0) {
      this.finish(out, {
        status: 'failed',
        error: { kind: 'protocol', message: 'The server asked for tool outputs but named no function call.' },
      });
      return;
    }
    for (const c of calls) this.showToolCall(c.itemId, c.callId, c.name, c.arguments, out);
    this.terminal = true;
    out.push({ kind: 'run.requires_action', calls, threadId: this.threadId, runId: this.runId });
  }

  private finish(out: MapperEvent[], e: Omit<Extract<StreamEvent, { kind: 'run.finished' }>, 'kind'>): void {
    if (this.terminal) return;
    this.terminal = true;
    out.push({ kind: 'run.finished', ...e });
  }

  private lastError(run: Json): RunError {
    const err = asObject(run.last_error);
    const code = asString(err?.code);
    const message = asString(err?.message) || 'The run failed on the server.';
    return { kind: kindFromCode(code, 'server'), message, ...(code ? { code } : {}) };
  }

  private streamError(data: Json, status: number | undefined): RunError {
    const err = asObject(data.error) ?? data;
    const code = asString(err.code) ?? asString(err.type);
    const message = asString(err.message) || (status ? `The server reported an error (HTTP ${status}).` : 'The server reported an error.');
    const fallback = status !== undefined && status >= 400 ? kindFromStatus(status) : 'server';
    const codeText = code ?? (status !== undefined ? String(status) : undefined);
    return { kind: kindFromCode(code, fallback), message, ...(codeText ? { code: codeText } : {}) };
  }

  // ---- run steps ----

  private step(what: string, data: Json, out: MapperEvent[]): void {
    const stepId = asString(data.id) ?? '';
    if (what === 'delta') {
      const details = asObject(asObject(data.delta)?.step_details);
      asList(details?.tool_calls).forEach((tc, pos) => this.callDelta(stepId, tc, pos, out));
      return;
    }
    const details = asObject(data.step_details);
    const calls = asList(details?.tool_calls);
    const ended = what === 'completed' ? 'done' : what === 'failed' || what === 'cancelled' || what === 'expired' ? 'failed' : undefined;
    calls.forEach((tc, pos) => this.callSnapshot(stepId, tc, pos, ended, out));
    if (ended === 'failed') {
      // Calls seen only in deltas still get settled.
      for (const s of this.stepCalls.get(stepId) ?? []) this.setStatus(s, 'failed', out);
    }
  }

  private callState(stepId: string, tc: Json, pos: number, out: MapperEvent[]): CallState | undefined {
    const index = asIndex(tc.index) ?? pos;
    const key = `${stepId}#${index}`;
    const id = asString(tc.id);
    let s = this.callsByIndex.get(key) ?? (id ? this.callsById.get(id) : undefined);
    if (!s) {
      const type = asString(tc.type);
      const kind = type === 'code_interpreter' || tc.code_interpreter !== undefined ? 'code' : type === 'function' || tc.function !== undefined ? 'function' : undefined;
      if (!kind) return undefined; // file_search, DashScope's search/image tools: nothing to show
      s = { itemId: id ?? key, kind, code: '', status: 'writing', logs: new Map(), shownLogs: '', name: '', fnArgs: '' };
      const list = this.stepCalls.get(stepId) ?? [];
      list.push(s);
      this.stepCalls.set(stepId, list);
      if (kind === 'code') {
        out.push({ kind: 'code.started', id: s.itemId, language: 'python' });
        out.push({ kind: 'code.status', id: s.itemId, status: 'writing' });
      }
    }
    this.callsByIndex.set(key, s);
    if (id) this.callsById.set(id, s);
    return s;
  }

  private callDelta(stepId: string, tc: Json, pos: number, out: MapperEvent[]): void {
    const s = this.callState(stepId, tc, pos, out);
    if (!s) return;
    if (s.kind === 'function') {
      const fn = asObject(tc.function);
      s.name += asString(fn?.name) ?? '';
      s.fnArgs += asString(fn?.arguments) ?? '';
      return;
    }
    const ci = asObject(tc.code_interpreter);
    if (!ci) return;
    const input = asString(ci.input);
    if (input) this.addCode(s, input, out);
    const args = asString(ci.arguments);
    if (args) {
      s.args ??= new ArgumentsDecoder();
      const have = s.args.raw;
      const chunk = have.length >= snapshotMinLength && args.startsWith(have) ? args.slice(have.length) : args;
      const code = s.args.push(chunk);
      if (code) this.addCode(s, code, out);
    }
    this.outputs(s, ci, 'delta', out);
  }

  private callSnapshot(stepId: string, tc: Json, pos: number, ended: CodeStatus | undefined, out: MapperEvent[]): void {
    const s = this.callState(stepId, tc, pos, out);
    if (!s) return;
    if (s.kind === 'function') {
      const fn = asObject(tc.function);
      if (ended) this.showToolCall(s.itemId, asString(tc.id) ?? s.itemId, asString(fn?.name) || s.name, asString(fn?.arguments) ?? s.fnArgs, out);
      return;
    }
    const ci = asObject(tc.code_interpreter);
    const full = asString(ci?.input) ?? (asString(ci?.arguments) !== undefined ? ArgumentsDecoder.fullCode(asString(ci?.arguments) ?? '') : undefined);
    if (ended) {
      if (s.status === 'done' || s.status === 'failed') return;
      const code = full || s.code;
      if (code !== '' || s.code !== '') out.push({ kind: 'code.done', id: s.itemId, code });
      s.code = code;
    } else if (full && full.length > s.code.length && full.startsWith(s.code)) {
      this.addCode(s, full.slice(s.code.length), out); // a step that arrives whole, without deltas
    }
    if (ci) this.outputs(s, ci, 'snapshot', out);
    if (ended) this.setStatus(s, ended, out);
  }

  private addCode(s: CallState, delta: string, out: MapperEvent[]): void {
    if (s.status === 'done' || s.status === 'failed') return;
    s.code += delta;
    out.push({ kind: 'code.delta', id: s.itemId, delta });
  }

  private setStatus(s: CallState, status: CodeStatus, out: MapperEvent[]): void {
    if (s.kind !== 'code' || s.status === status || s.status === 'done' || s.status === 'failed') return;
    s.status = status;
    out.push({ kind: 'code.status', id: s.itemId, status });
  }

  /**
   * Outputs of a code call, in either shape: OpenAI's `outputs[]` (`logs` / `image`, each keyed by its `index` in
   * deltas or its position in step objects) and DashScope's one `output` string. A server may stream in one shape
   * and close the step in the other (DashScope's completed step can carry OpenAI's `outputs`), or send both at once.
   *
   * - Deltas append, per key; DashScope's `output` may repeat the whole text so far, taken as a snapshot when a long
   *   enough prefix matches. Within one delta, an `output` that only restates the `outputs[]` logs is not shown again.
   * - A step object (in progress, completed, or a polled snapshot) states the whole result so far. Each shape's log
   *   text is reconciled with ALL the log text shown for the call, whichever shape streamed it: only what extends it
   *   is shown; a final text that disagrees keeps what was shown rather than repeat it.
   * - Images are shown once per file id, whichever shape or message carried them.
   */
  private outputs(s: CallState, ci: Json, from: 'delta' | 'snapshot', out: MapperEvent[]): void {
    // In the order the server lists them: logs by key, images by file id.
    const parts: Array<{ key: string; text: string } | { fileId: string }> = [];
    const list = Array.isArray(ci.outputs) ? ci.outputs : [];
    list.forEach((o, pos) => {
      const output = asObject(o);
      if (!output) return;
      const type = asString(output.type);
      if (type === 'logs' || typeof output.logs === 'string') {
        parts.push({ key: `i:${asIndex(output.index) ?? pos}`, text: asString(output.logs) ?? '' });
      } else if (type === 'image' || output.image !== undefined) {
        const fileId = asString(asObject(output.image)?.file_id);
        if (fileId) parts.push({ fileId });
      }
    });
    const text = asString(ci.output);
    const image = (fileId: string) => this.fileRef(out, { fileId, attachTo: s.itemId, asImage: true }, s);

    if (from === 'snapshot') {
      const streamedOutputs = [...s.logs.keys()].some((k) => k !== 'output');
      // The logs listed so far, joined, against all the logs shown: what extends them is new, in its place.
      let listed = '';
      let agrees = true;
      for (const p of parts) {
        if ('fileId' in p) {
          image(p.fileId);
          continue;
        }
        listed += p.text;
        if (!agrees) continue;
        if (listed.startsWith(s.shownLogs)) this.emitLogs(s, listed.slice(s.shownLogs.length), out);
        else if (!s.shownLogs.startsWith(listed)) agrees = false;
      }
      if (!agrees && streamedOutputs) {
        // Logs streamed in this same shape but not in the final order: settle per index, as the deltas were keyed.
        for (const p of parts) {
          if ('fileId' in p) continue;
          const have = s.logs.get(p.key);
          if (have === undefined ? !s.shownLogs.includes(p.text) : p.text.startsWith(have)) this.emitLogs(s, p.text.slice(have?.length ?? 0), out);
        }
      }
      if (text && text.startsWith(s.shownLogs)) this.emitLogs(s, text.slice(s.shownLogs.length), out);
      // Later deltas or snapshots compare with what the server has now stated, per key.
      for (const p of parts) if (!('fileId' in p)) s.logs.set(p.key, p.text);
      if (text !== undefined) s.logs.set('output', text);
      return;
    }

    let addedNow = '';
    for (const p of parts) {
      if ('fileId' in p) {
        image(p.fileId);
        continue;
      }
      if (p.text === '') continue;
      const before = s.shownLogs.length;
      this.deltaLogs(s, p.key, p.text, false, out);
      addedNow += s.shownLogs.slice(before);
    }
    if (!text) return;
    if (addedNow !== '' && (text === addedNow || text === s.shownLogs)) {
      // The same result in both shapes in one delta: shown once.
      s.logs.set('output', text === addedNow ? (s.logs.get('output') ?? '') + text : text);
      return;
    }
    this.deltaLogs(s, 'output', text, true, out);
  }

  /**
   * One delta's log text under its key. Deltas append; the first delta in one shape that restates all the logs
   * another shape showed adds only what is new; DashScope's `output` (`mayRepeat`) may repeat the whole text so far,
   * taken as a snapshot when a long enough prefix matches.
   */
  private deltaLogs(s: CallState, key: string, text: string, mayRepeat: boolean, out: MapperEvent[]): void {
    const have = s.logs.get(key);
    const otherShape = key === 'output' ? [...s.logs.keys()].some((k) => k !== 'output') : s.logs.has('output');
    let add = text;
    let now = (have ?? '') + text;
    if (have === undefined && otherShape && s.shownLogs !== '' && text.startsWith(s.shownLogs)) {
      add = text.slice(s.shownLogs.length);
      now = text;
    } else if (mayRepeat && have !== undefined && have.length >= snapshotMinLength && text.startsWith(have)) {
      add = text.slice(have.length);
      now = text;
    }
    s.logs.set(key, now);
    this.emitLogs(s, add, out);
  }

  private emitLogs(s: CallState, add: string, out: MapperEvent[]): void {
    if (add === '') return;
    s.shownLogs += add;
    this.setStatus(s, 'running', out);
    const output: CodeOutput = { type: 'logs', text: add };
    out.push({ kind: 'code.output', id: s.itemId, output });
  }

  private fileRef(out: MapperEvent[], ref: { fileId: string; attachTo?: string; asImage?: boolean; filename?: string }, s?: CallState): void {
    if (this.filesShown.has(ref.fileId)) return;
    this.filesShown.add(ref.fileId);
    if (s) this.setStatus(s, 'running', out);
    out.push({ kind: 'file.ref', ...ref });
  }

  private showToolCall(itemId: string, callId: string, name: string, args: string, out: MapperEvent[]): void {
    if (this.toolCallsShown.has(itemId) || !name) return;
    this.toolCallsShown.add(itemId);
    out.push({ kind: 'tool.call', id: itemId, call: { callId, name, arguments: args } });
  }

  // ---- messages ----

  private message(what: string, data: Json, out: MapperEvent[]): void {
    const messageId = asString(data.id);
    if (!messageId) return;
    if (what === 'delta') {
      asList(asObject(data.delta)?.content).forEach((part, pos) => this.part(messageId, part, asIndex(part.index) ?? pos, false, out));
    } else if (what === 'completed' || what === 'incomplete') {
      asList(data.content).forEach((part, pos) => this.part(messageId, part, asIndex(part.index) ?? pos, true, out));
    }
  }

  private part(messageId: string, part: Json, index: number, final: boolean, out: MapperEvent[]): void {
    const type = asString(part.type);
    if (type === 'image_file' || part.image_file !== undefined) {
      const fileId = asString(asObject(part.image_file)?.file_id);
      if (fileId) this.fileRef(out, { fileId, asImage: true });
      return;
    }
    if (type !== undefined && type !== 'text') return;
    const textObj = asObject(part.text);
    const value = textObj ? asString(textObj.value) : asString(part.text);
    const id = `${messageId}:${index}`;
    if (value !== undefined) {
      const have = this.texts.get(id);
      if (!final) {
        if (value !== '') {
          this.texts.set(id, (have ?? '') + value);
          out.push({ kind: 'text.delta', id, delta: value });
        }
      } else if (value !== '' || !have) {
        // An empty final text never wipes what was streamed.
        this.texts.set(id, value);
        out.push({ kind: 'text.done', id, text: value });
      }
    }
    for (const a of asList(textObj?.annotations)) {
      const path = asObject(a.file_path);
      const cite = asObject(a.file_citation);
      const fileId = asString(path?.file_id) ?? asString(cite?.file_id);
      if (!fileId) continue;
      const filename = asString(a.text)?.replace(/^sandbox:/, '').split('/').pop();
      this.fileRef(out, { fileId, ...(path && filename ? { filename } : {}) });
    }
  }
}

/** An event name for a payload that came without `event:`, from its `object` and `status`. */
function inferEvent(data: Json): string | undefined {
  const object = asString(data.object);
  const status = asString(data.status);
  switch (object) {
    case 'thread.run.step.delta':
    case 'thread.message.delta':
      return object;
    case 'thread.run':
    case 'thread.run.step':
    case 'thread.message':
      return status ? `${object}.${status}` : undefined;
    default:
      return undefined;
  }
}
