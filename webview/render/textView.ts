/**
 * One explanation text item, typed in and rendered as sanitized markdown in O(n) overall:
 * finished blocks are rendered once and frozen; only the open tail block is re-rendered, and an open code fence
 * in the tail is highlighted line by line instead of being re-parsed each frame.
 */
import { IncrementalCode } from './codeBlock';
import { BlockSplitter, renderMarkdown } from './markdown';
import { sanitizedFragment } from './sanitize';
import { safeCut, Typewriter } from './typewriter';

/** Tail markdown re-rendered per frame at most (characters); a longer tail is re-rendered every few frames. */
export const tailBudgetPerFrame = 8_000;
/**
 * Frozen blocks are grouped in chunks; a chunk off screen is skipped by layout (CSS `content-visibility: auto`), so
 * the browser's layout per frame stays bounded too, not only our own work.
 */
const blocksPerChunk = 24;

export class TextView {
  readonly el: HTMLElement;
  private readonly tailEl: HTMLElement;
  private readonly typewriter: Typewriter;
  private text: string;
  /** The authoritative text arrived (or the run ended): once all is shown, the tail is final. */
  private complete = false;
  private replaced = false;
  private splitter = new BlockSplitter();
  private frozenEnd = 0;
  private frozenSource = '';
  private shownLen = -1;
  private tailRendered: string | null = null;
  private tailSkips = 0;
  private fence: { readonly start: number; readonly view: IncrementalCode } | null = null;
  private fenceMore = false;
  private chunk: HTMLElement | null = null;
  private chunkBlocks = 0;

  constructor(
    private readonly doc: Document,
    id: string,
    text: string,
    showAllNow: boolean,
  ) {
    this.el = doc.createElement('div');
    this.el.className = 'md-text';
    this.el.dataset.itemId = id;
    this.tailEl = doc.createElement('div');
    this.tailEl.className = 'md-tail';
    this.el.append(this.tailEl);
    this.text = text;
    this.typewriter = new Typewriter(showAllNow ? text.length : 0);
  }

  /** New text arrived at `now` (no DOM work). `authoritative`: it replaces, rather than extends, what came before. */
  change(text: string, now: number, authoritative: boolean): void {
    if (authoritative) {
      this.complete = true;
      if (text !== this.text) this.replaced = true;
    }
    this.text = text;
    this.typewriter.push(text.length, now);
  }

  /** Show everything at the next frame (typewriter off, run finished). */
  finish(): void {
    this.complete = true;
    this.typewriter.finish();
  }

  /** Update the DOM; true while more frames are needed (still typing, or a tail left for later). */
  frame(now: number, typewriterOn: boolean): boolean {
    if (!typewriterOn) this.typewriter.finish();
    if (this.replaced) this.checkReplaced();
    const n = safeCut(this.text, this.typewriter.tick(now));
    const allShown = n >= this.text.length;
    if (n !== this.shownLen || this.tailSkips > 0 || this.fenceMore || (allShown && this.complete && this.fence)) {
      this.shownLen = n;
      this.render(this.text.slice(0, n), allShown && this.complete);
    }
    return !this.typewriter.caughtUp || this.tailSkips > 0 || this.fenceMore;
  }

  /** The authoritative text may differ from what the deltas built: keep frozen blocks only if they still match. */
  private checkReplaced(): void {
    this.replaced = false;
    if (this.text.startsWith(this.frozenSource)) return;
    this.splitter = new BlockSplitter();
    this.frozenEnd = 0;
    this.frozenSource = '';
    this.tailRendered = null;
    this.fence = null;
    this.shownLen = -1;
    this.chunk = null;
    while (this.el.firstChild !== this.tailEl) this.el.removeChild(this.el.firstChild!);
    this.tailEl.replaceChildren();
    // Show the corrected text at once: the learner has read most of it already.
    this.typewriter.push(0, 0);
    this.typewriter.push(this.text.length, 0);
    this.typewriter.finish();
  }

  private freeze(block: string): void {
    if (!this.chunk || this.chunkBlocks >= blocksPerChunk) {
      this.chunk = this.doc.createElement('div');
      this.chunk.className = 'md-chunk';
      this.el.insertBefore(this.chunk, this.tailEl);
      this.chunkBlocks = 0;
    }
    this.chunk.append(sanitizedFragment(this.doc, renderMarkdown(block)));
    this.chunkBlocks++;
  }

  private render(visible: string, final: boolean): void {
    for (const b of this.splitter.advance(visible)) {
      const block = visible.slice(this.frozenEnd, b);
      if (block.trim() !== '') this.freeze(block);
      this.frozenEnd = b;
      this.tailRendered = null;
    }
    this.frozenSource = visible.slice(0, this.frozenEnd);
    const tail = visible.slice(this.frozenEnd);
    const open = final ? null : this.splitter.openFence();
    if (open && open.bodyStart >= this.frozenEnd) {
      // A code fence still being written: highlight finished lines once each instead of re-parsing the block.
      if (!this.fence || this.fence.start !== open.bodyStart) {
        const view = new IncrementalCode(this.doc, open.info, 'md-fence-code');
        const pre = this.doc.createElement('pre');
        pre.className = 'md-code';
        pre.append(view.el);
        this.tailEl.replaceChildren(pre);
        this.fence = { start: open.bodyStart, view };
      }
      this.fenceMore = this.fence.view.update(visible.slice(open.bodyStart));
      this.tailRendered = null;
      this.tailSkips = 0;
      return;
    }
    this.fence = null;
    this.fenceMore = false;
    if (tail === this.tailRendered) {
      this.tailSkips = 0;
      return;
    }
    // Bounded work per frame: a long tail is re-rendered only every ceil(length / budget) frames.
    const every = final ? 1 : Math.ceil(tail.length / tailBudgetPerFrame);
    if (this.tailSkips + 1 < every) {
      this.tailSkips++;
      return;
    }
    this.tailSkips = 0;
    this.tailRendered = tail;
    this.tailEl.replaceChildren(tail.trim() === '' ? '' : sanitizedFragment(this.doc, renderMarkdown(tail)));
  }
}
