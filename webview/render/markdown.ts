/**
 * Markdown for model text: markdown-it with raw HTML off, only http(s)/mailto links, no remote images, and code
 * fences highlighted. Plus the block splitter that makes streaming O(n): it finds where finished blocks end so
 * each is rendered once, and only the open tail is re-rendered. No DOM here (the sanitizing pass is sanitize.ts).
 */
import MarkdownIt, { type MarkdownIt as MarkdownItInstance, type Token } from 'markdown-it';
import { visibleControls } from '../../src/shared/safeText';
import { escapeHtml, highlightClass, highlightToHtml, resolveLanguage } from './highlight';

const safeLink = /^(https?:\/\/|mailto:)/i;

/** True for the only link targets we let through. */
export function isSafeHref(href: string): boolean {
  // Browsers drop tabs/newlines and leading spaces/control characters inside URLs: judge what the browser would see.
  const clean = href.replace(/[\u0000-\u0020\u007f]/g, '');
  return safeLink.test(clean);
}

/** How a code fence renders around its highlighted code (the streaming view compares its code with this). */
export function fenceHtmlOpen(codeClass: string): string {
  return `<pre class="md-code"><code class="${codeClass}">`;
}
export const fenceHtmlClose = '</code></pre>';

function createMarkdown(): MarkdownItInstance {
  const md = new MarkdownIt({
    html: false,
    linkify: true,
    typographer: false,
    breaks: false,
    highlight: (code, lang) => {
      const name = resolveLanguage(lang);
      return `${fenceHtmlOpen(highlightClass(name))}${highlightToHtml(code, name)}${fenceHtmlClose}`;
    },
  });
  // `sandbox:` links are parsed as links only so that the rule below can unwrap them (never inside code).
  md.validateLink = (href) => isSafeHref(href) || /^sandbox:/i.test(href.trim());
  // A model's `![x](https://…)` would load a remote resource (a tracker at worst); the CSP blocks it anyway.
  md.disable('image');
  /*
   * The interpreter links its files as `[name](sandbox:/mnt/data/name)`: a path inside its container, not a place
   * the learner can open. The file itself is shown (and saved) under its code block, so the link keeps only its
   * label. Done on parsed tokens, so code spans and fences that merely contain such text are left as written.
   */
  md.core.ruler.push('unwrap_sandbox_links', (state) => {
    for (const block of state.tokens) {
      const children = block.type === 'inline' ? block.children : null;
      if (!children) continue;
      const out = [];
      const sandboxOpen: boolean[] = [];
      for (const t of children) {
        if (t.type === 'link_open') {
          const isSandbox = /^sandbox:/i.test(String(t.attrGet('href') ?? ''));
          sandboxOpen.push(isSandbox);
          if (isSandbox) continue;
        } else if (t.type === 'link_close') {
          if (sandboxOpen.pop()) continue;
        }
        out.push(t);
      }
      if (out.length !== children.length) block.children = out;
    }
  });
  // Table alignment arrives as an inline style, which the CSP forbids (and which would hide a real violation among
  // harmless ones): carry it as a class instead.
  for (const rule of ['th_open', 'td_open'] as const) {
    md.renderer.rules[rule] = (tokens, idx, options, _env, self) => {
      const t = tokens[idx];
      const align = /text-align:\s*(left|center|right)/.exec(String(t.attrGet('style') ?? ''))?.[1];
      t.attrs = (t.attrs ?? []).filter(([name]) => name !== 'style');
      if (align) t.attrSet('class', `align-${align}`);
      return self.renderToken(tokens, idx, options);
    };
  }
  return md;
}

const md = createMarkdown();

/** Number of markdown-it renders since load: lets tests check that finished blocks are not parsed again. */
export const markdownStats = { renders: 0, renderedChars: 0 };

/**
 * HTML for one markdown block. Raw HTML in the source comes out escaped. `env` carries reference-link definitions
 * between blocks rendered apart (markdown-it's own env: `references` is filled by one block and read by the next).
 */
export function renderMarkdown(src: string, env?: MarkdownEnv): string {
  markdownStats.renders++;
  markdownStats.renderedChars += src.length;
  // Bidi controls, terminal escapes and other control characters are shown as marks, in prose and in code alike.
  return md.render(visibleControls(src), env ?? {});
}

export { escapeHtml };

interface Fence {
  readonly char: string;
  readonly len: number;
  /** Opened at column 0: it is a block of its own. */
  readonly col0: boolean;
  /** Where the code after the opening line starts. */
  readonly bodyStart: number;
  readonly info: string;
}

const fenceOpen = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const fenceClose = /^(`+|~+)$/;

/**
 * Finds block boundaries in text that only grows. A boundary is the start of a line that cannot belong to the block
 * before it, so rendering the blocks separately gives the same result as rendering the whole text:
 * - a non-indented, non-blank line after a blank line (outside a fence);
 * - a fence opened at column 0, and the line after such a fence closes.
 * Each call scans only lines it has not seen: O(n) over a whole stream.
 */
export class BlockSplitter {
  private scanPos = 0;
  private lastBoundary = 0;
  private prevBlank = false;
  private fence: Fence | null = null;

  /**
   * Scan the complete lines not seen yet; returns the new boundaries, in order. `text` is the text from `base` on
   * (`base` at most where the first line not yet scanned starts): a stream's finished blocks need not be passed
   * again, so a long answer is never copied or scanned whole per frame. Positions are in the whole text.
   */
  advance(text: string, base = 0): number[] {
    const found: number[] = [];
    if (base > this.scanPos) throw new Error('BlockSplitter: the text must start at or before the first line not scanned');
    for (;;) {
      const nl = text.indexOf('\n', this.scanPos - base);
      if (nl < 0) break;
      const start = this.scanPos;
      const line = text.slice(start - base, nl).replace(/\r$/, '');
      this.scanPos = base + nl + 1;
      this.scanLine(line, start, base + nl + 1, found);
    }
    // The line being written already starts a new block if its first character says so: freeze the block before it
    // now rather than when this (possibly long) line ends.
    const first = text[this.scanPos - base];
    if (!this.fence && this.prevBlank && first !== undefined && first !== ' ' && first !== '\t' && first !== '\r' && first !== '\n') {
      this.boundary(this.scanPos, found);
    }
    return found;
  }

  /** Where the first line not scanned yet starts: `advance` needs the text from here (or before) on. */
  get scanned(): number {
    return this.scanPos;
  }

  /** The open fence when the tail block is a column-0 fence still being written, with its language and body start. */
  openFence(): { readonly info: string; readonly bodyStart: number } | null {
    const f = this.fence;
    return f && f.col0 ? { info: f.info, bodyStart: f.bodyStart } : null;
  }

  private boundary(at: number, found: number[]): void {
    if (at > this.lastBoundary) {
      found.push(at);
      this.lastBoundary = at;
    }
  }

  private scanLine(line: string, start: number, next: number, found: number[]): void {
    const f = this.fence;
    if (f) {
      const t = line.trimEnd();
      const indent = t.length - t.trimStart().length;
      const body = t.trimStart();
      if (indent <= 3 && body.length >= f.len && fenceClose.test(body) && body[0] === f.char) {
        this.fence = null;
        this.prevBlank = false;
        if (f.col0) this.boundary(next, found);
      }
      return;
    }
    const blank = /^[ \t]*$/.test(line);
    const m = fenceOpen.exec(line);
    if (m && !(m[2][0] === '`' && m[3].includes('`'))) {
      const col0 = m[1].length === 0;
      // An indented fence (1-3 spaces) may belong to a list item: it stays with the block it continues.
      if (col0) this.boundary(start, found);
      this.fence = { char: m[2][0], len: m[2].length, col0, bodyStart: next, info: m[3].trim() };
      this.prevBlank = false;
      return;
    }
    if (!blank && this.prevBlank && line[0] !== ' ' && line[0] !== '\t') this.boundary(start, found);
    this.prevBlank = blank;
  }
}

/** markdown-it's environment: the reference-link definitions seen so far, by normalized label. */
export type MarkdownEnv = NonNullable<Parameters<MarkdownItInstance['render']>[1]>;
export type MarkdownReferences = NonNullable<MarkdownEnv['references']>;

/**
 * How a one-shot render of `src` groups it into top-level blocks: the 0-based line numbers where each top-level
 * block starts, and every reference definition. Block parse only (no inline pass, no HTML): the streaming renderer
 * uses it once, when the text is final, to find blocks it split where a whole render would not.
 */
export function topLevelBlocks(src: string): { readonly startLines: ReadonlySet<number>; readonly env: MarkdownEnv } {
  const env: MarkdownEnv = {};
  const tokens: Token[] = [];
  // markdown-it's own normalization (its core `normalize` rule), which keeps `\n` line numbers as they are.
  md.block.parse(visibleControls(src).replace(/\r\n/g, '\n').replace(/\0/g, '\uFFFD'), md, env, tokens);
  const startLines = new Set<number>();
  for (const t of tokens) if (t.level === 0 && t.nesting >= 0 && t.map) startLines.add(t.map[0]);
  return { startLines, env };
}
