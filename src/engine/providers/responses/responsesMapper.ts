/**
 * The pure mapper of the OpenAI Responses API stream: one parsed wire event (the JSON of an SSE `data:` line) in,
 * our provider-neutral events out. No I/O, so it is tested against recorded streams split at every byte.
 *
 * What it guarantees:
 * - each response yields one `run.started`, then exactly one `run.finished` or `run.requires_action`;
 *   `run.finished` is final (nothing follows it), while after `run.requires_action` a new `response.created`
 *   (the next round of a tool loop) starts a new response;
 * - no output, text or file is sent twice, though the server repeats them in `output_item.done`,
 *   `content_part.done` and `response.completed`;
 * - nothing is lost when a server skips the deltas: items found only in the final response are emitted then;
 * - unknown event types, unknown item types, missing optional fields and extra vendor fields are ignored.
 */
import type { CodeOutput, CodeStatus, RunError } from '../../../shared/events';
import { errorFromStreamPayload } from '../../errors';
import type { MapperEvent } from '../../mapperEvents';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function obj(v: unknown): Json | undefined {
  return isObject(v) ? v : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

interface CodeState {
  /** The authoritative code last sent (`code.done`); undefined until then. */
  code: string | undefined;
  /** How many of the item's outputs were sent: the server lists them in order and repeats the list. */
  outputsSent: number;
  /** Whether the final status (`done`/`failed`) was sent. */
  settled: boolean;
}

interface TextState {
  done: boolean;
}

interface CallState {
  callId: string;
  name: string;
  arguments: string;
  sent: boolean;
}

/** Our id of one text part of a message item. */
function textId(itemId: string, contentIndex: unknown): string {
  return `${itemId}:${typeof contentIndex === 'number' ? contentIndex : 0}`;
}

/** `data:image/png;base64,AAAA` (or a percent-encoded data URL) to mime + base64; undefined if not a data URL. */
function parseDataUrl(url: string): { mime: string; base64: string } | undefined {
  const m = /^data:([^,]*),(.*)$/s.exec(url);
  if (!m) return undefined;
  const params = m[1].split(';');
  const mime = params[0] || 'application/octet-stream';
  if (params.slice(1).some((p) => p.toLowerCase() === 'base64')) return { mime, base64: m[2].replace(/\s+/g, '') };
  let bytes: Uint8Array;
  try {
    bytes = new TextEncoder().encode(decodeURIComponent(m[2]));
  } catch {
    return undefined;
  }
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return { mime, base64: btoa(binary) };
}

/** `…/containers/{container_id}/files/{file_id}[/content]` */
function containerFileFromUrl(url: string): { containerId: string; fileId: string } | undefined {
  const m = /\/containers\/([^/?#]+)\/files\/([^/?#]+)/.exec(url);
  return m ? { containerId: decodeURIComponent(m[1]), fileId: decodeURIComponent(m[2]) } : undefined;
}

/** A Responses error object (`error` event, `response.error`) to a RunError: the same reading as the SDK path's. */
function runError(e: Json | undefined, fallback: string): RunError {
  return errorFromStreamPayload(e, fallback);
}

export class ResponsesMapper {
  // Per response (reset by every `response.created`).
  private responseId: string | undefined;
  private started = false;
  private code = new Map<string, CodeState>();
  private texts = new Map<string, TextState>();
  private calls = new Map<string, CallState>();
  private files = new Set<string>();
  private streamError: RunError | undefined;
  /** The response sent its `run.requires_action`; only a new response may follow. */
  private awaitingAction = false;
  /** `run.finished` was sent: the mapper is done for good. */
  private finished = false;
  /**
   * Our id for each `output_index` of the current response. Some servers (GitHub Copilot's Responses endpoint)
   * send a new `item_id` on every event of one item, others none at all: the first id seen at an index names the
   * item for good, and an index without any id gets one of ours.
   */
  private byIndex = new Map<number, string>();
  /** Sequence numbers already mapped in this response: a repeated event is ignored. */
  private seen = new Set<number>();
  /** How many responses this mapper has seen (tool rounds), to keep made-up ids apart across rounds. */
  private round = 0;
  /** Did the current response show anything (text or code)? */
  private shown = false;
  /** Did the current response carry any text at all, shown or not? */
  private contentSeen = false;
  /** Items announced (`output_item.added`) and not yet finished (`output_item.done`). */
  private openItems = new Set<string>();
  private itemsDone = 0;

  /** Map one wire event. Never throws on odd input: what it does not understand, it ignores. */
  map(event: unknown): MapperEvent[] {
    if (this.finished || !isObject(event)) return [];
    const type = str(event.type);
    if (type === undefined) return [];
    if (this.awaitingAction && type !== 'response.created') return [];
    if (type === 'response.created') this.newResponse();
    const seq = event.sequence_number;
    if (typeof seq === 'number') {
      if (this.seen.has(seq)) return []; // the same event sent twice
      this.seen.add(seq);
    }
    if (!this.contentSeen && /^response\.(output_text|refusal|content_part)\./.test(type)) {
      const part = obj(event.part);
      this.contentSeen = Boolean(str(event.delta) || str(event.text) || str(event.refusal) || str(part?.text) || str(part?.refusal));
    }
    const out: MapperEvent[] = [];
    switch (type) {
      case 'response.created':
        this.start(out, obj(event.response));
        break;
      case 'response.queued':
      case 'response.in_progress':
        this.start(out, obj(event.response));
        break;

      case 'response.output_item.added':
        this.itemAdded(out, obj(event.item), event.output_index);
        break;
      case 'response.output_item.done':
        this.itemDone(out, obj(event.item), event.output_index, false);
        break;

      case 'response.code_interpreter_call.in_progress':
        this.codeState(out, this.itemId(event));
        break;
      case 'response.code_interpreter_call_code.delta': {
        const id = this.itemId(event);
        const delta = str(event.delta);
        if (id && this.codeState(out, id) && delta) out.push({ kind: 'code.delta', id, delta });
        break;
      }
      case 'response.code_interpreter_call_code.done': {
        const id = this.itemId(event);
        const code = str(event.code);
        const state = this.codeState(out, id);
        if (id && state && code !== undefined && code !== state.code) {
          out.push({ kind: 'code.done', id, code });
          state.code = code;
        }
        break;
      }
      case 'response.code_interpreter_call.interpreting': {
        const id = this.itemId(event);
        const state = this.codeState(out, id);
        if (id && state && !state.settled) out.push({ kind: 'code.status', id, status: 'running' });
        break;
      }

      case 'response.output_text.delta':
      case 'response.refusal.delta': {
        const itemId = this.itemId(event);
        const delta = str(event.delta);
        if (itemId && delta) {
          const id = textId(itemId, event.content_index);
          const state = this.texts.get(id);
          if (!state) this.texts.set(id, { done: false });
          // A delta after the part's final text would be appended to it twice over.
          if (!state?.done) {
            this.shown = true;
            out.push({ kind: 'text.delta', id, delta, ...(type === 'response.refusal.delta' ? { refusal: true as const } : {}) });
          }
        }
        break;
      }
      case 'response.output_text.done':
      case 'response.refusal.done': {
        const itemId = this.itemId(event);
        const text = str(type === 'response.refusal.done' ? event.refusal : event.text);
        if (itemId && text !== undefined) this.textDone(out, textId(itemId, event.content_index), text, type === 'response.refusal.done');
        break;
      }
      case 'response.content_part.done': {
        const itemId = this.itemId(event);
        if (itemId) this.part(out, itemId, event.content_index, obj(event.part));
        break;
      }
      case 'response.output_text.annotation.added':
        this.annotation(out, obj(event.annotation));
        break;

      case 'response.function_call_arguments.delta': {
        const call = this.calls.get(this.itemId(event) ?? '');
        const delta = str(event.delta);
        if (call && delta) call.arguments += delta;
        break;
      }
      case 'response.function_call_arguments.done': {
        const call = this.calls.get(this.itemId(event) ?? '');
        const args = str(event.arguments);
        if (call && args !== undefined) call.arguments = args;
        break;
      }

      case 'error':
        // Newer streams nest the error (`{type:'error', error:{…}}`); older ones put its fields on the event.
        this.streamError = runError(event, 'The server reported an error.');
        break;

      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
      case 'response.cancelled':
        this.terminal(out, type, obj(event.response));
        break;

      default:
        // reasoning, web_search, image_generation, file_search, mcp … and whatever comes next: not ours to show.
        break;
    }
    return out;
  }

  /** The current response's id, once the server named it (to retrieve it after a dropped stream). */
  get id(): string | undefined {
    return this.responseId;
  }

  /**
   * The stream is over. Sends the final event if the server did not. `dropped`: the connection broke (and the
   * response could not be retrieved). When every item the response announced was finished, only the final
   * `response.completed` was lost: the answer is whole, so the run completed.
   */
  end(dropped?: RunError): MapperEvent[] {
    if (this.finished || this.awaitingAction) {
      this.finished = true;
      return [];
    }
    const out: MapperEvent[] = [];
    if (!this.streamError && this.itemsDone > 0 && this.openItems.size === 0) {
      this.terminal(out, 'response.completed', undefined);
      return out;
    }
    this.finished = true;
    const error: RunError =
      this.streamError ??
      (dropped
        ? { ...dropped, message: `The connection dropped before the answer finished; what arrived is kept. ${dropped.message}` }
        : !this.started
          ? { kind: 'protocol', message: 'The server answered with an empty stream: no events at all.' }
          : { kind: 'protocol', message: 'The stream ended before the run finished.' });
    return [{ kind: 'run.finished', status: 'failed', error }];
  }

  private newResponse(): void {
    this.round++;
    this.byIndex = new Map();
    this.seen = new Set();
    this.shown = false;
    this.contentSeen = false;
    this.openItems = new Set();
    this.itemsDone = 0;
    this.responseId = undefined;
    this.started = false;
    this.code = new Map();
    this.texts = new Map();
    this.calls = new Map();
    this.files = new Set();
    this.streamError = undefined;
    this.awaitingAction = false;
  }

  /**
   * Our id for the item an event is about: correlated by `output_index` (the first id seen there wins, so a server
   * that rotates ids keeps one item), else the event's own `item_id`; an event with neither lands in one catch-all
   * item rather than being dropped.
   */
  private resolveId(itemId: string | undefined, outputIndex: unknown): string {
    if (typeof outputIndex === 'number' && Number.isInteger(outputIndex) && outputIndex >= 0) {
      const known = this.byIndex.get(outputIndex);
      if (known !== undefined) return known;
      const id = itemId ?? `r${this.round}:o${outputIndex}`;
      this.byIndex.set(outputIndex, id);
      return id;
    }
    return itemId ?? `r${this.round}:item`;
  }

  private itemId(event: Json): string {
    return this.resolveId(str(event.item_id) || undefined, event.output_index);
  }

  private start(out: MapperEvent[], response: Json | undefined): void {
    const id = str(response?.id);
    if (id) this.responseId = id;
    if (this.started) return;
    this.started = true;
    const model = str(response?.model);
    out.push({ kind: 'run.started', ...(this.responseId ? { responseId: this.responseId } : {}), ...(model ? { model } : {}) });
  }

  // ---- items ----

  private itemAdded(out: MapperEvent[], item: Json | undefined, outputIndex: unknown): void {
    if (!item) return;
    const id = this.resolveId(str(item.id) || undefined, outputIndex);
    this.openItems.add(id);
    switch (item.type) {
      case 'code_interpreter_call':
        this.codeState(out, id);
        break;
      case 'function_call':
        this.callState(item, id);
        break;
      default:
        break; // message: its text arrives as parts; the rest is not ours to show
    }
  }

  /**
   * An item is finished: send whatever of it was not sent yet. `fromFinal`: it comes from the final response's
   * `output`, where an item still in progress (a failed run) must not be declared done.
   */
  private itemDone(out: MapperEvent[], item: Json | undefined, outputIndex: unknown, fromFinal: boolean): void {
    if (!item) return;
    const id = this.resolveId(str(item.id) || undefined, outputIndex);
    if (!fromFinal) {
      this.openItems.delete(id);
      this.itemsDone++;
    }
    switch (item.type) {
      case 'code_interpreter_call':
        this.codeDone(out, item, id, fromFinal);
        break;
      case 'message':
        list(item.content).forEach((part, i) => this.part(out, id, i, obj(part)));
        break;
      case 'function_call': {
        const call = this.callState(item, id);
        if (call && !call.sent) {
          call.sent = true;
          out.push({ kind: 'tool.call', id, call: { callId: call.callId, name: call.name, arguments: call.arguments } });
        }
        break;
      }
      default:
        break;
    }
  }

  // ---- code_interpreter_call ----

  /** The state of a code item, starting its block on first sight (whatever event shows it first). */
  private codeState(out: MapperEvent[], id: string | undefined): CodeState | undefined {
    if (!id) return undefined;
    let state = this.code.get(id);
    if (!state) {
      state = { code: undefined, outputsSent: 0, settled: false };
      this.code.set(id, state);
      this.shown = true;
      out.push({ kind: 'code.started', id, language: 'python' }, { kind: 'code.status', id, status: 'writing' });
    }
    return state;
  }

  private codeDone(out: MapperEvent[], item: Json, id: string, fromFinal: boolean): void {
    const state = this.codeState(out, id);
    if (!state) return;
    const code = str(item.code);
    // The item's code is final too, but only sent if the stream did not already say it: some servers send the
    // code only here (no `code.done` event), and a repeat would be noise.
    if (state.code === undefined && code !== undefined) {
      out.push({ kind: 'code.done', id, code });
      state.code = code;
    }
    const outputs = list(item.outputs);
    const containerId = str(item.container_id);
    for (let i = state.outputsSent; i < outputs.length; i++) this.output(out, id, containerId, obj(outputs[i]));
    state.outputsSent = Math.max(state.outputsSent, outputs.length);

    if (state.settled) return;
    const status = str(item.status);
    let settled: CodeStatus | undefined;
    if (status === 'failed' || status === 'incomplete') settled = 'failed';
    else if (status === 'completed' || (status === undefined && !fromFinal)) settled = 'done';
    if (settled) {
      state.settled = true;
      out.push({ kind: 'code.status', id, status: settled });
    }
  }

  private output(out: MapperEvent[], id: string, containerId: string | undefined, o: Json | undefined): void {
    if (!o) return;
    const send = (output: CodeOutput): void => void out.push({ kind: 'code.output', id, output });
    switch (o.type) {
      case 'logs': {
        const text = str(o.logs);
        if (text !== undefined) send({ type: 'logs', text });
        break;
      }
      case 'image': {
        const fileId = str(o.file_id);
        const url = str(o.url);
        const data = url ? parseDataUrl(url) : undefined;
        if (data) {
          send({ type: 'image', mime: data.mime, base64: data.base64, ...(fileId ? { fileId } : {}) });
          break;
        }
        const ref = fileId ? { containerId, fileId } : url ? containerFileFromUrl(url) : undefined;
        if (ref) this.fileRef(out, { kind: 'file.ref', ...(ref.containerId ? { containerId: ref.containerId } : {}), fileId: ref.fileId, attachTo: id, asImage: true });
        // A URL we cannot download through the API: still show where the image is rather than drop it.
        else if (url) send({ type: 'logs', text: `[image] ${url}` });
        break;
      }
      case 'files':
        // Older shape: `{type:'files', files:[{file_id, mime_type}]}`.
        for (const f of list(o.files)) {
          const fileId = str(obj(f)?.file_id);
          if (!fileId) continue;
          const mime = str(obj(f)?.mime_type);
          this.fileRef(out, {
            kind: 'file.ref',
            ...(containerId ? { containerId } : {}),
            fileId,
            attachTo: id,
            ...(mime?.startsWith('image/') ? { asImage: true } : {}),
          });
        }
        break;
      default:
        break;
    }
  }

  private fileRef(out: MapperEvent[], ref: MapperEvent & { kind: 'file.ref' }): void {
    if (this.files.has(ref.fileId)) return;
    this.files.add(ref.fileId);
    out.push(ref);
  }

  // ---- text ----

  private textDone(out: MapperEvent[], id: string, text: string, refusal = false): void {
    const state = this.texts.get(id);
    if (state?.done) return;
    this.texts.set(id, { done: true });
    if (text !== '') this.shown = true;
    out.push({ kind: 'text.done', id, text, ...(refusal ? { refusal: true as const } : {}) });
  }

  /** A finished content part (from `content_part.done` or a finished message): its text and its files. */
  private part(out: MapperEvent[], itemId: string, contentIndex: unknown, part: Json | undefined): void {
    if (!part) return;
    const text = part.type === 'output_text' ? str(part.text) : part.type === 'refusal' ? str(part.refusal) : undefined;
    if (text === undefined) return;
    this.textDone(out, textId(itemId, contentIndex), text, part.type === 'refusal');
    for (const a of list(part.annotations)) this.annotation(out, obj(a));
  }

  private annotation(out: MapperEvent[], a: Json | undefined): void {
    if (a?.type !== 'container_file_citation') return;
    const fileId = str(a.file_id);
    if (!fileId) return;
    const containerId = str(a.container_id);
    const filename = str(a.filename);
    this.fileRef(out, { kind: 'file.ref', ...(containerId ? { containerId } : {}), fileId, ...(filename ? { filename } : {}) });
  }

  // ---- function_call ----

  private callState(item: Json, id: string): CallState | undefined {
    let call = this.calls.get(id);
    if (!call) {
      call = { callId: '', name: '', arguments: '', sent: false };
      this.calls.set(id, call);
    }
    // Later sightings are more complete: `output_item.done` has the full arguments.
    call.callId = str(item.call_id) || call.callId || id;
    call.name = str(item.name) || call.name;
    const args = str(item.arguments);
    if (args) call.arguments = args;
    return call;
  }

  // ---- the end of a response ----

  private terminal(out: MapperEvent[], type: string, response: Json | undefined): void {
    this.start(out, response);
    // The final response lists every item: send what the stream skipped (nothing, from a well-behaved server).
    // Its position in `output` is its `output_index`.
    list(response?.output).forEach((item, i) => this.itemDone(out, obj(item), i, true));
    // A server that lists no items but gives the text (`output_text`, as the SDK's convenience field): show it.
    const outputText = str(response?.output_text);
    if (!this.shown && outputText) this.textDone(out, `r${this.round}:output_text`, outputText);

    if (type === 'response.completed') {
      const calls = [...this.calls.entries()].filter(([, c]) => c.sent);
      if (calls.length > 0) {
        this.awaitingAction = true;
        out.push({
          kind: 'run.requires_action',
          ...(this.responseId ? { responseId: this.responseId } : {}),
          calls: calls.map(([itemId, c]) => ({ callId: c.callId, name: c.name, arguments: c.arguments, itemId })),
        });
        return;
      }
      if (!this.shown && this.contentSeen) {
        // Content arrived that could not be shown: never report an empty answer as a fine one.
        this.finish(out, { kind: 'run.finished', status: 'failed', error: { kind: 'protocol', message: 'The server sent an answer in a shape Code Tutor could not read.' } });
        return;
      }
      this.finish(out, { kind: 'run.finished', status: 'completed' });
    } else if (type === 'response.incomplete') {
      const reason = str(obj(response?.incomplete_details)?.reason);
      this.finish(out, { kind: 'run.finished', status: 'incomplete', ...(reason ? { reason } : {}) });
    } else if (type === 'response.cancelled') {
      this.finish(out, { kind: 'run.finished', status: 'cancelled' });
    } else {
      const wire = obj(response?.error);
      const error = wire ? runError(wire, 'The run failed.') : (this.streamError ?? { kind: 'server', message: 'The run failed.' });
      this.finish(out, { kind: 'run.finished', status: 'failed', error });
    }
  }

  private finish(out: MapperEvent[], e: MapperEvent & { kind: 'run.finished' }): void {
    this.finished = true;
    out.push(e);
  }
}
