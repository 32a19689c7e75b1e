/**
 * The hint-mode guard: a pure transformer over provider-neutral stream events that holds solutions back by
 * mechanism, not only by prompt.
 *
 * Text: while an answer streams, a fenced code block (``` or ~~~, any length, also inside list items and block
 * quotes) is held back until it closes. A block of at most `maxLines` lines is then released as it was; a longer one
 * is WITHHELD: its code never reaches any emitted event, a `withheld` event takes its place in the stream (language,
 * line count, limit), and the text after it continues in a new text item (`<id>~2`, `<id>~3` …), so the
 * placeholder sits exactly where the block was. Text outside fences streams on at once, except the start of a line
 * that may still become a fence opener (held until the line decides).
 *
 * Interpreter code: its deltas are held; once it is known to be longer than `maxLines` (while streaming or at
 * `code.done`) a `code.withheld` event folds the block, and its outputs and status still pass through.
 *
 * The withheld code stays inside the guard (`withheldCode(id)`), for "Show the code anyway".
 */
import type { StreamEvent } from '../shared/events';

export interface HintGuardOptions {
  /** Longest code block (lines) that is shown. */
  readonly maxLines: number;
}

interface Fence {
  readonly char: '`' | '~';
  readonly length: number;
  readonly language: string;
  /** The opening line, newline included. */
  readonly opener: string;
  /** The body lines, each with its newline (the last may lack one at the end of the text). */
  readonly body: string[];
}

interface TextState {
  /** Everything received for this item, as sent: the check for an authoritative `text.done`. */
  raw: string;
  /** Output segments (text items) in order; the last is the one being written. */
  readonly segments: { id: string; text: string }[];
  /** The current line so far, and how much of it has been released already. */
  line: string;
  released: number;
  /** The current line can no longer open a fence: the rest of it streams through. */
  plain: boolean;
  fence: Fence | null;
  withheldCount: number;
  done: boolean;
}

interface CodeState {
  readonly language: string;
  code: string;
  withheld: boolean;
  /** The full code is known (code.done, or the run ended). */
  settled: boolean;
}

// A line may open a fence after indentation, block quote markers and list markers ("- ```python", "> ~~~").
const containerPrefix = /^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+|>[ \t]*)*/;
const closingPrefix = /^[ \t]*(?:>[ \t]*)*/;

function stripPrefix(line: string): string {
  return line.slice(containerPrefix.exec(line)![0].length);
}

/** The fence a complete line opens, if it opens one. */
export function fenceOpener(line: string): { char: '`' | '~'; length: number; info: string } | null {
  const rest = stripPrefix(line.replace(/\r?\n$/, ''));
  const m = /^(`{3,})([^`]*)$/.exec(rest) ?? /^(~{3,})(.*)$/.exec(rest);
  if (!m) return null;
  return { char: m[1][0] as '`' | '~', length: m[1].length, info: m[2].trim() };
}

/** Whether an unfinished line could still turn into a fence opener (then it is held until its newline). */
export function mayOpenFence(partial: string): boolean {
  const rest = stripPrefix(partial);
  if (rest === '' || /^(?:`+|~+)$/.test(rest)) return true;
  if (/^(?:`{3,}|~{3,})/.test(rest)) return true; // an opener whose info string is still arriving
  return /^(?:\d{1,9}[.)]?|[-*+])$/.test(rest); // a list marker still being typed
}

function closes(fence: Fence, line: string): boolean {
  const rest = line.replace(/\r?\n$/, '').slice(closingPrefix.exec(line)![0].length);
  const m = /^(`+|~+)[ \t]*$/.exec(rest);
  return m !== null && m[1][0] === fence.char && m[1].length >= fence.length;
}

/** Lines a person would count: trailing blank lines do not count. */
export function countLines(code: string): number {
  const lines = code.replace(/\r\n/g, '\n').split('\n');
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.length;
}

export class HintGuard {
  private readonly texts = new Map<string, TextState>();
  private readonly codes = new Map<string, CodeState>();
  private readonly vault = new Map<string, { code: string; language: string }>();
  private finished = false;

  constructor(private readonly options: HintGuardOptions) {}

  /** The code held back for a `withheld` / `code.withheld` item, for "Show the code anyway". */
  withheldCode(id: string): string | undefined {
    return this.vault.get(id)?.code;
  }

  /** Every withheld block of this run, by item id (the host keeps them with the chat). */
  withheld(): ReadonlyMap<string, { code: string; language: string }> {
    return this.vault;
  }

  /** Transform one event into the events to pass on (zero or more), in order. */
  push(e: StreamEvent): StreamEvent[] {
    if (this.finished) return [];
    const out: StreamEvent[] = [];
    switch (e.kind) {
      case 'text.delta':
        this.textDelta(this.text(e.id), e.delta, out);
        break;
      case 'text.done':
        this.textDone(this.text(e.id), e.text, out);
        break;
      case 'code.started':
        this.codes.set(e.id, { language: e.language, code: '', withheld: false, settled: false });
        out.push(e);
        break;
      case 'code.delta':
        this.codeDelta(e.id, e.delta, out);
        break;
      case 'code.done':
        this.codeDone(e.id, e.code, out);
        break;
      case 'run.finished':
        this.finished = true;
        for (const t of this.texts.values()) this.endText(t, out);
        for (const [id, c] of this.codes) if (!c.settled && c.code) this.settleCode(id, c, out);
        out.push(e);
        break;
      default:
        out.push(e);
    }
    return out;
  }

  // ------------------------------------------------------------------ text

  private text(id: string): TextState {
    let t = this.texts.get(id);
    if (!t) {
      t = { raw: '', segments: [{ id, text: '' }], line: '', released: 0, plain: false, fence: null, withheldCount: 0, done: false };
      this.texts.set(id, t);
    }
    return t;
  }

  private emitText(t: TextState, text: string, out: StreamEvent[]): void {
    if (!text) return;
    const seg = t.segments[t.segments.length - 1];
    seg.text += text;
    out.push({ kind: 'text.delta', id: seg.id, delta: text });
  }

  private textDelta(t: TextState, delta: string, out: StreamEvent[]): void {
    if (t.done || !delta) return;
    t.raw += delta;
    let rest = delta;
    while (rest) {
      const nl = rest.indexOf('\n');
      const piece = nl < 0 ? rest : rest.slice(0, nl + 1);
      rest = nl < 0 ? '' : rest.slice(nl + 1);
      t.line += piece;
      if (nl >= 0) this.completeLine(t, out);
      else this.partialLine(t, out);
    }
  }

  /** The current line is unfinished: stream it on unless it may still open a fence (or a fence is open). */
  private partialLine(t: TextState, out: StreamEvent[]): void {
    if (t.fence) return;
    if (!t.plain && mayOpenFence(t.line)) return;
    t.plain = true;
    this.emitText(t, t.line.slice(t.released), out);
    t.released = t.line.length;
  }

  private completeLine(t: TextState, out: StreamEvent[]): void {
    const line = t.line;
    const released = t.released;
    t.line = '';
    t.released = 0;
    const plain = t.plain;
    t.plain = false;
    if (t.fence) {
      if (closes(t.fence, line)) this.closeFence(t, line, out);
      else t.fence.body.push(line);
      return;
    }
    const open = plain ? null : fenceOpener(line);
    if (open) {
      t.fence = { char: open.char, length: open.length, language: open.info.split(/\s+/)[0] ?? '', opener: line, body: [] };
      return;
    }
    this.emitText(t, line.slice(released), out);
  }

  /** The fence ended (closing line, or the end of the text): release it, or withhold it. */
  private closeFence(t: TextState, closing: string, out: StreamEvent[]): void {
    const f = t.fence!;
    t.fence = null;
    const code = f.body.join('');
    const lines = countLines(code);
    if (lines <= this.options.maxLines) {
      this.emitText(t, f.opener + code + closing, out);
      return;
    }
    const id = `${t.segments[0].id}~w${++t.withheldCount}`;
    this.vault.set(id, { code: code.replace(/\r?\n$/, ''), language: f.language });
    out.push({ kind: 'withheld', id, language: f.language, lines, limit: this.options.maxLines });
    // What follows goes into a new text item, after the placeholder; a newline keeps the markdown blocks apart.
    t.segments.push({ id: `${t.segments[0].id}~${t.segments.length + 1}`, text: '' });
  }

  /** No more text for this item: an unfinished line is released, an unterminated fence is judged as it stands. */
  private endText(t: TextState, out: StreamEvent[]): void {
    if (t.line) {
      const line = t.line;
      const released = t.released;
      t.line = '';
      t.released = 0;
      if (t.fence) {
        if (closes(t.fence, line)) this.closeFence(t, line, out);
        else {
          t.fence.body.push(line);
        }
      } else if (!t.plain && fenceOpener(line)) {
        // An opener with nothing after it: an empty block, nothing to show or hide.
      } else {
        this.emitText(t, line.slice(released), out);
      }
      t.plain = false;
    }
    if (t.fence) this.closeFence(t, '', out);
  }

  private textDone(t: TextState, full: string, out: StreamEvent[]): void {
    if (!t.done) {
      // The authoritative text normally extends what the deltas built; anything else keeps what was guarded.
      if (full.startsWith(t.raw)) this.textDelta(t, full.slice(t.raw.length), out);
      this.endText(t, out);
      t.done = true;
    }
    for (const s of t.segments) out.push({ kind: 'text.done', id: s.id, text: s.text });
  }

  // ------------------------------------------------------------------ interpreter code

  private code(id: string): CodeState {
    let c = this.codes.get(id);
    if (!c) {
      // A provider that skips `code.started` still gets its block (the reducer does the same).
      c = { language: 'python', code: '', withheld: false, settled: false };
      this.codes.set(id, c);
    }
    return c;
  }

  private codeDelta(id: string, delta: string, out: StreamEvent[]): void {
    const c = this.code(id);
    if (c.settled) return;
    c.code += delta;
    if (c.withheld) {
      this.vault.set(id, { code: c.code, language: c.language });
      return;
    }
    // Known to be too long already: fold it now, while it streams.
    if (countLines(c.code) > this.options.maxLines) this.withholdCode(id, c, out);
  }

  private codeDone(id: string, code: string, out: StreamEvent[]): void {
    const c = this.code(id);
    c.code = code;
    this.settleCode(id, c, out);
  }

  private settleCode(id: string, c: CodeState, out: StreamEvent[]): void {
    c.settled = true;
    if (c.withheld || countLines(c.code) > this.options.maxLines) {
      this.withholdCode(id, c, out);
      return;
    }
    out.push({ kind: 'code.done', id, code: c.code });
  }

  private withholdCode(id: string, c: CodeState, out: StreamEvent[]): void {
    c.withheld = true;
    this.vault.set(id, { code: c.code, language: c.language });
    out.push({ kind: 'code.withheld', id, lines: countLines(c.code), limit: this.options.maxLines });
  }
}

/** Guard a whole event stream (an async generator in, one out). */
export async function* guardEvents(events: AsyncIterable<StreamEvent>, guard: HintGuard): AsyncGenerator<StreamEvent, void, undefined> {
  for await (const e of events) yield* guard.push(e);
}
