/**
 * One explanation text item, typed in and rendered as sanitized markdown in O(n) overall:
 * finished blocks are rendered once and frozen; only the open tail block is re-rendered, and an open code fence
 * in the tail is highlighted line by line instead of being re-parsed each frame.
 */
import { IncrementalCode } from './codeBlock';
import { BlockSplitter, fenceHtmlClose, fenceHtmlOpen, renderMarkdown, topLevelBlocks, type MarkdownEnv, type MarkdownReferences } from './markdown';
import { blockFragment, extendWithText, extensionStats } from './textExtension';
import { safeCut, Typewriter } from './typewriter';

/** Tail markdown re-rendered per frame at most (characters); a longer tail is re-rendered every few frames. */
export const tailBudgetPerFrame = 8_000;
/**
 * Frozen blocks are grouped in chunks; a chunk off screen is skipped by layout (CSS `content-visibility: auto`), so
 * the browser's layout per frame stays bounded too, not only our own work.
 */
const blocksPerChunk = 24;

/** A finished block: its source range, the nodes it rendered to, and how many reference definitions it could see. */
interface FrozenBlock {
  readonly start: number;
  readonly end: number;
  nodes: Node[];
  refsSeen: number;
}

/** What a text view can report to the chat: a block it finished while streaming (for the screen reader). */
export interface TextViewHooks {
  /** A block of streamed text is final (not called for text restored from a snapshot). */
  readonly blockFinished?: (nodes: readonly Node[]) => void;
  /** Decorate a finished block's nodes before they are attached (code fence toolbars). */
  readonly decorate?: (nodes: readonly Node[]) => void;
}

export class TextView {
  readonly el: HTMLElement;
  private readonly tailEl: HTMLElement;
  private readonly typewriter: Typewriter;
  private text: string;
  /** The authoritative text arrived (or the run ended): once all is shown, the tail is final. */
  private complete = false;
  /** The text an authoritative one replaced (its first `frozenEnd` characters are what the frozen blocks show). */
  private replaced: string | null = null;
  private splitter = new BlockSplitter();
  private frozenEnd = 0;
  /**
   * The text from `base` (a block boundary, where the frozen text ends) to the end of what arrived, kept flat and
   * short: a frame works on it alone. The whole text is a string built from thousands of deltas, which any read
   * (a slice, a search) would copy whole — per frame, that made a long answer's cost grow with its length.
   */
  private base = 0;
  private open = '';
  private shownLen = -1;
  private tailRendered: string | null = null;
  /** The HTML the tail element shows ('' when it shows nothing or a fence's own view). */
  private tailHtml = '';
  private tailSkips = 0;
  private fence: { readonly start: number; readonly view: IncrementalCode } | null = null;
  private fenceMore = false;
  private chunk: HTMLElement | null = null;
  private chunkBlocks = 0;
  private blocks: FrozenBlock[] = [];
  /** Reference definitions seen in finished blocks: later blocks resolve `[label]` links against them. */
  private env: { references: MarkdownReferences } = { references: {} };
  private refCount = 0;
  /** The final text was reconciled with a one-shot render. */
  private finalized = false;
  private readonly fromSnapshot: boolean;

  constructor(
    private readonly doc: Document,
    id: string,
    text: string,
    showAllNow: boolean,
    private readonly hooks: TextViewHooks = {},
  ) {
    this.fromSnapshot = showAllNow;
    this.el = doc.createElement('div');
    this.el.className = 'md-text';
    this.el.dataset.itemId = id;
    this.tailEl = doc.createElement('div');
    this.tailEl.className = 'md-tail';
    this.el.append(this.tailEl);
    this.text = text;
    this.open = text;
    this.typewriter = new Typewriter(showAllNow ? text.length : 0);
  }

  /**
   * New text arrived at `now` (no DOM work). `authoritative`: it replaces, rather than extends, what came before.
   * `appended`: the delta that made `text` from the text before, when known (then the whole text is not read).
   */
  change(text: string, now: number, authoritative: boolean, appended?: string): void {
    const before = this.text;
    if (authoritative) {
      this.complete = true;
      if (text !== before) this.replaced ??= before;
    }
    // More text after the final render (a late delta): render and reconcile again when it is all shown.
    if (text !== before) this.finalized = false;
    this.text = text;
    if (!authoritative && appended !== undefined && text.length === before.length + appended.length) this.open += appended;
    else if (this.replaced === null) this.open = text.slice(this.base);
    this.typewriter.push(text.length, now);
  }

  /** Show what has arrived at the next frame (typewriter off, a click to skip); more may still come. */
  showNow(): void {
    this.typewriter.finish();
  }

  /** The text is final: show everything at the next frame (run finished). */
  finish(): void {
    this.complete = true;
    this.typewriter.finish();
  }

  /** Update the DOM; true while more frames are needed (still typing, or a tail left for later). */
  frame(now: number, typewriterOn: boolean): boolean {
    if (!typewriterOn) this.typewriter.finish();
    if (this.replaced !== null) this.checkReplaced(this.replaced);
    const n = this.base + safeCut(this.open, this.typewriter.tick(now) - this.base);
    const allShown = n >= this.text.length;
    const final = allShown && this.complete;
    if (final && !this.finalized) {
      this.shownLen = n;
      this.finalize(this.text);
    } else if (!final && (n !== this.shownLen || this.tailSkips > 0 || this.fenceMore)) {
      this.shownLen = n;
      this.render(n, false);
    }
    return !this.typewriter.caughtUp || this.tailSkips > 0 || this.fenceMore;
  }

  /** The authoritative text may differ from what the deltas built: keep frozen blocks only if they still match. */
  private checkReplaced(old: string): void {
    this.replaced = null;
    if (this.text.startsWith(old.slice(0, this.frozenEnd))) {
      this.open = this.text.slice(this.base);
      return;
    }
    this.splitter = new BlockSplitter();
    this.frozenEnd = 0;
    this.base = 0;
    this.open = this.text;
    this.tailRendered = null;
    this.fence = null;
    this.shownLen = -1;
    this.chunk = null;
    this.blocks = [];
    this.env = { references: {} };
    this.refCount = 0;
    this.finalized = false;
    while (this.el.firstChild !== this.tailEl) this.el.removeChild(this.el.firstChild!);
    this.tailEl.replaceChildren();
    this.tailHtml = '';
    // Show the corrected text at once: the learner has read most of it already.
    this.typewriter.push(0, 0);
    this.typewriter.push(this.text.length, 0);
    this.typewriter.finish();
  }

  /**
   * Render `src` to nodes (never none: an empty text node keeps the block's place in the DOM). When the open block
   * shows that HTML, or shows it once its last words are added in place (the frame that ends a block usually brings
   * them), its nodes are taken over instead of parsing and sanitizing the whole block again.
   */
  private renderNodes(src: string, env: MarkdownEnv, start = -1): Node[] {
    const html = renderMarkdown(src, env);
    let frag: DocumentFragment;
    const shown = this.fence
      ? this.settleFence(src, start, html)
      : html !== '' && (html === this.tailHtml || (this.tailHtml !== '' && extendWithText(this.tailEl, this.tailHtml, html)));
    if (shown) {
      frag = this.doc.createDocumentFragment();
      frag.append(...Array.from(this.tailEl.childNodes));
      // markdown-it ends a block with a newline, a text node of its own after a fence.
      if (this.fence) frag.append(this.doc.createTextNode('\n'));
      this.tailHtml = '';
      this.fence = null;
      extensionStats.reused++;
    } else frag = blockFragment(this.doc, html);
    // Decorations may add siblings (a toolbar before a fence): collect the nodes after them.
    this.hooks.decorate?.(Array.from(frag.childNodes));
    const nodes = Array.from(frag.childNodes);
    if (nodes.length === 0) nodes.push(this.doc.createTextNode(''));
    return nodes;
  }

  /**
   * The open fence's block (from `start`, whose source is `src`) is finished and renders to `html`: when that is the
   * fence alone and its code is what the fence's view shows plus the rest highlighted, the view becomes that render
   * in place (IncrementalCode.settle) and its nodes can be taken over.
   */
  private settleFence(src: string, start: number, html: string): boolean {
    const fence = this.fence;
    if (!fence || start < 0 || fence.start < start || fence.start > start + src.length) return false;
    const open = fenceHtmlOpen(fence.view.finalClassName);
    const close = `${fenceHtmlClose}\n`;
    if (!html.startsWith(open) || !html.endsWith(close)) return false;
    // The code: the fence's body up to its closing line (a mistake here only makes the comparison fail).
    const body = src.slice(fence.start - start);
    const closing = /(^|\n)[ \t]*(?:`{3,}|~{3,})[ \t]*\s*$/.exec(body);
    const code = closing ? body.slice(0, closing.index + closing[1]!.length) : body;
    return fence.view.settle(code, html.slice(open.length, html.length - close.length));
  }

  private freeze(start: number, end: number, src: string, announce: boolean): void {
    if (!this.chunk || this.chunkBlocks >= blocksPerChunk) {
      this.chunk = this.doc.createElement('div');
      this.chunk.className = 'md-chunk';
      this.el.insertBefore(this.chunk, this.tailEl);
      this.chunkBlocks = 0;
    }
    const nodes = this.renderNodes(src, this.env, start);
    this.refCount = Object.keys(this.env.references).length;
    this.chunk.append(...nodes);
    this.chunkBlocks++;
    this.blocks.push({ start, end, nodes, refsSeen: this.refCount });
    if (announce && !this.fromSnapshot) this.hooks.blockFinished?.(nodes);
  }

  /**
   * The text is final: freeze the tail, then make the DOM equal to a one-shot render of the whole text. The stream
   * was split at blank lines; a one-shot render may join some of those blocks (a list or a table whose items are
   * separated by blank lines), and a reference link may be defined after it is used. One block-level parse of the
   * whole text (no inline pass) finds the blocks to join; only those, and blocks that use a reference defined after
   * them, are rendered again. Every other node stays as it is.
   */
  private finalize(text: string): void {
    this.finalized = true;
    this.render(text.length, true);
    if (this.blocks.length === 0) return;
    const { startLines, env } = topLevelBlocks(text);
    const refsFinal = Object.keys(env.references ?? {}).length;
    // Group blocks: a block whose first content line does not start a top-level block of the one-shot render
    // belongs with the block before it.
    const groups: FrozenBlock[][] = [];
    let line = 0;
    let pos = 0;
    for (const b of this.blocks) {
      let content = b.start;
      while (content < b.end) {
        const nl = text.indexOf('\n', content);
        const lineEnd = nl < 0 || nl >= b.end ? b.end : nl;
        if (text.slice(content, lineEnd).trim() !== '') break;
        content = lineEnd + 1;
      }
      for (let i = text.indexOf('\n', pos); i >= 0 && i < content; i = text.indexOf('\n', i + 1)) line++;
      pos = content;
      if (groups.length > 0 && !startLines.has(line)) groups[groups.length - 1].push(b);
      else groups.push([b]);
    }
    const blocks: FrozenBlock[] = [];
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g];
      const first = group[0];
      const end = g + 1 < groups.length ? groups[g + 1][0].start : text.length;
      const src = text.slice(first.start, end);
      const stale = group.length > 1 || (refsFinal > first.refsSeen && src.includes('['));
      if (!stale) {
        blocks.push(first);
        continue;
      }
      const nodes = this.renderNodes(src, { references: env.references ?? {} });
      const anchor = first.nodes[0];
      const parent = anchor.parentNode!;
      for (const n of nodes) parent.insertBefore(n, anchor);
      for (const b of group) for (const n of b.nodes) n.parentNode?.removeChild(n);
      blocks.push({ start: first.start, end, nodes, refsSeen: refsFinal });
    }
    this.blocks = blocks;
  }

  /** Show the text up to `n`: freeze the blocks it finished, and draw the open one. */
  private render(n: number, final: boolean): void {
    const visible = this.open.slice(0, n - this.base);
    this.renderVisible(visible, final);
    // What is frozen is not needed again: keep only the text after it (and the line the splitter is still on).
    const keep = Math.min(this.frozenEnd, this.splitter.scanned);
    if (keep > this.base) {
      this.open = this.open.slice(keep - this.base);
      this.base = keep;
    }
  }

  /** `visible`: the text shown, from `base` on. Positions (block starts and ends) are in the whole text. */
  private renderVisible(visible: string, final: boolean): void {
    const base = this.base;
    for (const b of this.splitter.advance(visible, base)) {
      const block = visible.slice(this.frozenEnd - base, b - base);
      if (block.trim() !== '') this.freeze(this.frozenEnd, b, block, true);
      this.frozenEnd = b;
      this.tailRendered = null;
    }
    if (final) {
      // The final text: what is left is the last block, finished too.
      const block = visible.slice(this.frozenEnd - base);
      this.fenceMore = false;
      this.tailSkips = 0;
      this.tailRendered = null;
      if (block.trim() !== '') this.freeze(this.frozenEnd, base + visible.length, block, true);
      this.fence = null;
      this.tailEl.replaceChildren();
      this.tailHtml = '';
      this.frozenEnd = base + visible.length;
      return;
    }
    const tail = visible.slice(this.frozenEnd - base);
    const open = this.splitter.openFence();
    if (open && open.bodyStart >= this.frozenEnd) {
      // A code fence still being written: highlight finished lines once each instead of re-parsing the block.
      if (!this.fence || this.fence.start !== open.bodyStart) {
        const view = new IncrementalCode(this.doc, open.info, '');
        const pre = this.doc.createElement('pre');
        pre.className = 'md-code';
        pre.append(view.el);
        this.tailEl.replaceChildren(pre);
        this.tailHtml = '';
        this.fence = { start: open.bodyStart, view };
      }
      this.fenceMore = this.fence.view.update(visible.slice(open.bodyStart - base));
      this.tailRendered = null;
      this.tailSkips = 0;
      return;
    }
    if (this.fence) {
      // The fence closed and its block was rendered afresh: the open view must not stay on screen beside it.
      this.tailEl.replaceChildren();
      this.tailHtml = '';
      this.fence = null;
    }
    this.fenceMore = false;
    if (tail === this.tailRendered) {
      this.tailSkips = 0;
      return;
    }
    // Bounded work per frame: a long tail is re-rendered only every ceil(length / budget) frames.
    const every = Math.ceil(tail.length / tailBudgetPerFrame);
    if (this.tailSkips + 1 < every) {
      this.tailSkips++;
      return;
    }
    this.tailSkips = 0;
    this.tailRendered = tail;
    // The open block sees the references defined so far, but must not keep a half-written one.
    const env: MarkdownEnv = { references: Object.create(this.env.references) as MarkdownReferences };
    this.showTail(tail.trim() === '' ? '' : renderMarkdown(tail, env));
  }

  /** Show `html` in the tail: by adding the new words to the text it shows when that is all that changed. */
  private showTail(html: string): void {
    if (html === this.tailHtml) return;
    if (!extendWithText(this.tailEl, this.tailHtml, html)) {
      this.tailEl.replaceChildren(html === '' ? '' : blockFragment(this.doc, html));
      extensionStats.rendered++;
    }
    this.tailHtml = html;
  }
}
