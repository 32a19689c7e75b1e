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
 * Indented code blocks (four spaces or a tab) are code too, and judged the same way, but only when they are code
 * blocks by CommonMark: markdown-it (the parser the webview renders with) decides, not a hand-written rule. An
 * indented line that could start one (after a blank line, a heading, a thematic break or a closed fence, so never a
 * paragraph's continuation) is held until its newline and the text so far is parsed: if markdown-it puts a
 * `code_block` there, the block is held until markdown-it says it ended; if not (list item content, a continuation
 * paragraph), the line is released. The parse starts at the last line at the left margin after a blank line (it
 * closed every container, or starts a top-level list item), or later: after each parse, the last block that starts
 * directly inside its containers becomes the new start, with those containers re-created in front of it by their
 * opening lines (see ParseBase). A parse so costs about what arrived since the last one, however long a list item
 * or quote grows (one list item with thousands of indented paragraphs used to be quadratic), and markdown-it still
 * decides: a new start is taken only when parsing from it gives the same blocks as parsing from the old one.
 *
 * Interpreter code: its deltas are held; once it is known to be longer than `maxLines` (while streaming or at
 * `code.done`) a `code.withheld` event folds the block, and its outputs and status still pass through.
 *
 * The withheld code stays inside the guard (`withheldCode(id)`), for "Show the code anyway".
 */
import MarkdownIt from 'markdown-it';
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

/** An indented code block being held (see the file comment). Line numbers count the item's complete lines from 0. */
interface Indented {
  /** The line it starts on. */
  readonly startLine: number;
  /** The raw lines held since the start (the block's lines, then blank lines that may or may not belong to it). */
  readonly lines: string[];
  /** Lines with at least this indentation (after the same quote markers) surely continue it: no parse needed. */
  readonly minIndent: number;
  readonly quotes: number;
}

/**
 * Where markdown-it parses from: the text's complete lines from line `line` on (TextState.window), after `prefix`,
 * `prefixLines` lines that re-create the containers (list items, block quotes) open at that line, each opening line
 * with its content replaced by an empty heading (so nothing in it continues into the text).
 */
interface ParseBase {
  readonly line: number;
  readonly prefix: string;
  readonly prefixLines: number;
}

interface TextState {
  /** Everything received for this item, as sent: the check for an authoritative `text.done`. */
  raw: string;
  /** Complete lines so far. */
  lineNo: number;
  /** Where markdown-it parses from (a line that closed every container, or a later block with its containers). */
  parseFrom: ParseBase;
  /**
   * The complete lines from `parseFrom.line` on: what is parsed. Kept apart from `raw` because slicing a string
   * built by appending copies all of it, every time.
   */
  window: string[];
  /** The previous line lets an indented code block start on this one (start, blank, heading, rule, closed fence). */
  codeMayStart: boolean;
  /** The previous line was blank. */
  afterBlank: boolean;
  indented: Indented | null;
  /** Output segments (text items) in order; the last is the one being written. */
  readonly segments: { id: string; text: string }[];
  /** The current line so far, and how much of it has been released already. */
  line: string;
  released: number;
  /** The current line can no longer open a fence: the rest of it streams through. */
  plain: boolean;
  /** The current line stayed undecided past `undecidedLimit` characters: held until its newline, not looked at again. */
  held: boolean;
  fence: Fence | null;
  withheldCount: number;
  done: boolean;
}

interface CodeState {
  readonly language: string;
  code: string;
  /** countLines(code), kept as the code streams. */
  readonly lines: LineCounter;
  withheld: boolean;
  /** The full code is known (code.done, or the run ended). */
  settled: boolean;
}

/**
 * A partial line still undecided (it may open a fence or an indented block) is looked at again on each delta; past
 * this many characters it is held until its newline instead, so a long undecided line (spaces, list markers, a fence's
 * info string) is not rescanned per delta. Nothing is shown earlier than before, only later.
 */
const undecidedLimit = 4096;

/** Columns of leading whitespace, tabs to the next multiple of 4 (CommonMark). */
export function indentColumns(s: string): number {
  let col = 0;
  for (const ch of s) {
    if (ch === ' ') col++;
    else if (ch === '\t') col += 4 - (col % 4);
    else break;
  }
  return col;
}

/** Block quote markers at the start of a line: how many, and the rest of the line. */
function unquote(line: string): { quotes: number; rest: string } {
  let quotes = 0;
  let rest = line;
  for (let m = /^ {0,3}> ?/.exec(rest); m; m = /^ {0,3}> ?/.exec(rest)) {
    quotes++;
    rest = rest.slice(m[0].length);
  }
  return { quotes, rest };
}

const isBlank = (line: string): boolean => unquote(line).rest.trim() === '';

/** A line after which an indented code block may start without a blank line: an ATX heading or a thematic break. */
function endsBlock(line: string): boolean {
  const rest = unquote(line.replace(/\r?\n$/, '')).rest;
  return /^ {0,3}#{1,6}(?:[ \t]|$)/.test(rest) || /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/.test(rest);
}

/**
 * The same parser (and options that matter for blocks) as the webview's renderer, so both agree on what is code.
 * Only the block structure is needed: inline parsing is switched off (it changes no block).
 */
const markdown = new MarkdownIt({ html: false });
markdown.core.ruler.enableOnly(['normalize', 'block']);

type Tokens = ReturnType<typeof markdown.parse>;

/** markdown-it's `code_block` starting on line `line` of the parsed text (0-based), if there is one. */
function codeBlockIn(tokens: Tokens, line: number): { content: string; end: number } | undefined {
  for (const token of tokens) {
    if (token.type === 'code_block' && token.map && token.map[0] === line) return { content: token.content, end: token.map[1] };
  }
  return undefined;
}

const containerOpen = new Set(['list_item_open', 'blockquote_open']);
const listOpen = new Set(['bullet_list_open', 'ordered_list_open']);

/** A container's opening line with its content replaced by an empty heading: it opens the same containers, no more. */
function openerOnly(line: string): string {
  const text = line.replace(/\r?\n$/, '');
  let head = containerPrefix.exec(text)![0];
  const rest = text.slice(head.length);
  // A marker alone at the end of the line ("-", "1.", ">"): an empty item or quote, whose content column is one past it.
  const bare = /^(?:[-*+]|\d{1,9}[.)]|>)[ \t]*$/.exec(rest);
  if (bare) head += `${bare[0].trimEnd()} `;
  // Five spaces or more after a list marker start indented code in the item: its content column is one past the marker.
  head = head.replace(/([-*+>]|\d{1,9}[.)]) {5,}$/, '$1 ');
  if (!/[ \t]$/.test(head) && head !== '') head += ' ';
  return `${head}#\n`;
}

/** The blocks of a parse from line `from` on, as comparable keys (line numbers relative to `from`). */
function blocksFrom(tokens: Tokens, from: number): string[] {
  const keys: string[] = [];
  for (const t of tokens) if (t.map && t.map[0] >= from) keys.push(`${t.type} ${t.level} ${t.map[0] - from} ${t.map[1] - from} ${t.type === 'code_block' ? t.content : ''}`);
  return keys;
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

/** countLines of a text that grows, at a cost per character (counting it again on every delta would be quadratic). */
export class LineCounter {
  /** Complete lines, and how many of them end with the last one that is not blank. */
  private lines = 0;
  private upToNonBlank = 0;
  private currentBlank = true;

  push(s: string): void {
    let from = 0;
    for (let nl = s.indexOf('\n'); ; nl = s.indexOf('\n', from)) {
      const end = nl < 0 ? s.length : nl;
      if (this.currentBlank && /\S/.test(s.slice(from, end))) this.currentBlank = false;
      if (nl < 0) return;
      this.lines++;
      if (!this.currentBlank) this.upToNonBlank = this.lines;
      this.currentBlank = true;
      from = nl + 1;
    }
  }

  get count(): number {
    return this.currentBlank ? this.upToNonBlank : this.lines + 1;
  }
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
        this.codes.set(e.id, { language: e.language, code: '', lines: new LineCounter(), withheld: false, settled: false });
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
      t = {
        raw: '',
        lineNo: 0,
        parseFrom: { line: 0, prefix: '', prefixLines: 0 },
        window: [],
        codeMayStart: true,
        afterBlank: true,
        indented: null,
        segments: [{ id, text: '' }],
        line: '',
        released: 0,
        plain: false,
        held: false,
        fence: null,
        withheldCount: 0,
        done: false,
      };
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

  /** Parse the complete lines from the parse base on. */
  private parse(t: TextState): Tokens {
    return markdown.parse(t.parseFrom.prefix + t.window.join(''), {});
  }

  /** The code block markdown-it has starting at line `lineNo` of the complete lines so far, its end as a line of the text. */
  private codeBlockAt(t: TextState, lineNo: number, tokens = this.parse(t)): { content: string; end: number } | undefined {
    const base = t.parseFrom;
    const block = codeBlockIn(tokens, lineNo - base.line + base.prefixLines);
    return block && { content: block.content, end: block.end - base.prefixLines + base.line };
  }

  /**
   * Move the parse base forward to the last block that starts at or before line `upTo` directly inside its containers
   * (not an item of a list begun earlier), re-creating those containers by their opening lines. Taken only when a
   * parse from there gives the same blocks as `tokens` (the parse from the current base).
   */
  private advanceParseBase(t: TextState, tokens: Tokens, upTo: number): void {
    const base = t.parseFrom;
    const limit = upTo - base.line + base.prefixLines;
    const stack: Tokens = [];
    let found: { line: number; openers: number[] } | undefined;
    for (const token of tokens) {
      if (token.nesting === -1) {
        stack.pop();
        continue;
      }
      const line = token.map?.[0];
      if (line !== undefined && line > base.prefixLines && line <= limit) {
        const parent = stack[stack.length - 1];
        const openers = stack.filter((s) => containerOpen.has(s.type)).map((s) => s.map![0]);
        if ((!parent || !listOpen.has(parent.type)) && openers.every((o) => o < line) && found?.line !== line) found = { line, openers: [...new Set(openers)] };
      }
      if (token.nesting === 1) stack.push(token);
    }
    if (!found) return;
    // markdown-it also breaks lines at a lone CR: its line numbers would not be the window's.
    if (t.window.some((l) => /\r(?!\n)/.test(l))) return;
    const prefixLines = base.prefix.split('\n');
    const lineAt = (i: number) => (i < base.prefixLines ? prefixLines[i] : t.window[i - base.prefixLines]);
    const prefix = found.openers.map((o) => openerOnly(lineAt(o))).join('');
    const window = t.window.slice(found.line - base.prefixLines);
    const again = markdown.parse(prefix + window.join(''), {});
    if (blocksFrom(again, found.openers.length).join('\n') !== blocksFrom(tokens, found.line).join('\n')) return;
    t.parseFrom = { line: found.line - base.prefixLines + base.line, prefix, prefixLines: found.openers.length };
    t.window = window;
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
      else this.partialLine(t, piece, out);
    }
  }

  /** The current line is unfinished: stream it on unless it may still open a fence or an indented block (or one is open). */
  private partialLine(t: TextState, piece: string, out: StreamEvent[]): void {
    if (t.fence || t.indented || t.held) return;
    if (t.plain) {
      // Only the new piece: slicing the whole line on every delta would copy it every time.
      this.emitText(t, piece, out);
      t.released += piece.length;
      return;
    }
    if (mayOpenFence(t.line) || this.mayStartIndented(t, t.line)) {
      if (t.line.length > undecidedLimit) t.held = true;
      return;
    }
    t.plain = true;
    this.emitText(t, t.line.slice(t.released), out);
    t.released = t.line.length;
  }

  /** Whether a line (complete or not) may start an indented code block here: then it waits for its newline. */
  private mayStartIndented(t: TextState, line: string): boolean {
    if (!t.codeMayStart) return false;
    const rest = unquote(line).rest;
    // Only whitespace so far may still reach four columns.
    return indentColumns(rest) >= 4 || rest.trim() === '';
  }

  private completeLine(t: TextState, out: StreamEvent[]): void {
    const line = t.line;
    const released = t.released;
    t.line = '';
    t.released = 0;
    const plain = t.plain;
    t.plain = false;
    t.held = false;
    const lineNo = t.lineNo++;
    t.window.push(line);
    if (t.fence) {
      if (closes(t.fence, line)) {
        this.closeFence(t, line, out);
        t.codeMayStart = true;
        t.afterBlank = false;
      } else t.fence.body.push(line);
      return;
    }
    if (t.indented && this.continuesIndented(t, t.indented, line, lineNo, out)) return;
    this.lineOutsideCode(t, line, lineNo, plain, released, out);
  }

  /** A complete line outside any code block: it may start one (indented or fenced), or it is text. */
  private lineOutsideCode(t: TextState, line: string, lineNo: number, plain: boolean, released: number, out: StreamEvent[]): void {
    const blank = isBlank(line);
    // A line at the left margin after a blank line closes every list and quote, or starts a new top-level list item
    // (whose marker alone sets the indentation of what follows): later parses can start here.
    if (t.afterBlank && !blank && /^[^\s>]/.test(line)) {
      t.parseFrom = { line: lineNo, prefix: '', prefixLines: 0 };
      t.window = [line];
    }
    if (!plain && !blank && t.codeMayStart && indentColumns(unquote(line).rest) >= 4) {
      const tokens = this.parse(t);
      const block = this.codeBlockAt(t, lineNo, tokens);
      // The next parse starts at this line, or at the last block before it: its cost stays bounded.
      this.advanceParseBase(t, tokens, lineNo);
      if (block) {
        // The indentation markdown-it took off this line (its content keeps the rest): lines indented at least as
        // far, after as many quote markers, are surely still inside the block.
        const { quotes, rest } = unquote(line);
        const minIndent = Math.max(4, indentColumns(rest) - indentColumns(block.content));
        t.indented = { startLine: lineNo, lines: [line], minIndent, quotes };
        t.afterBlank = false;
        return;
      }
    }
    t.codeMayStart = blank || endsBlock(line);
    t.afterBlank = blank;
    const open = plain ? null : fenceOpener(line);
    if (open) {
      t.fence = { char: open.char, length: open.length, language: open.info.split(/\s+/)[0] ?? '', opener: line, body: [] };
      return;
    }
    this.emitText(t, line.slice(released), out);
  }

  /**
   * A complete line while an indented block is held: true if it belongs to the block (or may: a blank line). When the
   * block ended before it, the block is judged, the blank lines after it are released, and false lets the line be
   * handled as any other.
   */
  private continuesIndented(t: TextState, b: Indented, line: string, lineNo: number, out: StreamEvent[]): boolean {
    const { quotes, rest } = unquote(line);
    if (isBlank(line) || (quotes === b.quotes && indentColumns(rest) >= b.minIndent)) {
      b.lines.push(line);
      return true;
    }
    const block = this.codeBlockAt(t, b.startLine);
    if (block && block.end > lineNo) {
      b.lines.push(line);
      return true;
    }
    this.endIndented(t, block, out);
    return false;
  }

  /** The held indented block is over: show it as written if short, else withhold it; release the blank lines after it. */
  private endIndented(t: TextState, block: { content: string; end: number } | undefined, out: StreamEvent[]): void {
    const b = t.indented!;
    t.indented = null;
    const count = block ? Math.max(1, Math.min(b.lines.length, block.end - b.startLine)) : b.lines.length;
    const code = block?.content ?? b.lines.join('');
    const after = b.lines.slice(count).join('');
    const lines = countLines(code);
    if (lines <= this.options.maxLines) {
      this.emitText(t, b.lines.join(''), out);
    } else {
      const id = `${t.segments[0].id}~w${++t.withheldCount}`;
      this.vault.set(id, { code: code.replace(/\r?\n$/, ''), language: '' });
      out.push({ kind: 'withheld', id, language: '', lines, limit: this.options.maxLines });
      t.segments.push({ id: `${t.segments[0].id}~${t.segments.length + 1}`, text: '' });
      this.emitText(t, after, out);
    }
    // What follows the block: a blank line before it lets another indented block start.
    t.afterBlank = after !== '';
    t.codeMayStart = after !== '';
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
    // A last line without its newline that continues or may start an indented block: judged as a complete line.
    if (t.line && !t.fence && !t.plain && (t.indented || this.mayStartIndented(t, t.line))) this.completeLine(t, out);
    if (t.indented) this.endIndented(t, this.codeBlockAt(t, t.indented.startLine), out);
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
      t.held = false;
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
      c = { language: 'python', code: '', lines: new LineCounter(), withheld: false, settled: false };
      this.codes.set(id, c);
    }
    return c;
  }

  private codeDelta(id: string, delta: string, out: StreamEvent[]): void {
    const c = this.code(id);
    if (c.settled) return;
    c.code += delta;
    c.lines.push(delta);
    if (c.withheld) {
      this.vault.set(id, { code: c.code, language: c.language });
      return;
    }
    // Known to be too long already: fold it now, while it streams.
    if (c.lines.count > this.options.maxLines) this.withholdCode(id, c, out);
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
