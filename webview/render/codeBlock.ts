/**
 * Code as it streams: an editor-like block highlighted one chunk of finished lines at a time (each line once),
 * then the whole block once when the code is final. `IncrementalCode` also renders a fence still open in text.
 */
import type { CodeItem, WithheldInfo } from '../../src/shared/transcript';
import type { CodeAction, UiStrings } from '../../src/shared/protocol';
import { createCodeActions, type CodeActionsBar } from './codeActions';
import { highlightClass, highlightToHtml, nextLineChunk, resolveLanguage } from './highlight';
import { isolated } from './isolate';
import { OutputsView } from './outputs';
import { type WithheldContext, WithheldNotice } from './withheldView';
import { sanitizedFragment } from './sanitize';

/** New characters of whole lines highlighted per frame at most; the rest waits, shown plain, for the next frame. */
export const highlightBudgetPerFrame = 16_000;

/**
 * Finished lines wait, shown plain, until this many characters of them are ready (or the code stops growing for a
 * frame): every chunk is parsed and sanitized as a new document, a fixed cost that a line per frame paid each frame.
 */
export const highlightMinChunk = 240;

export const codeStats = { chunkHighlights: 0, chunkChars: 0, fullHighlights: 0, fullChars: 0 };

export class IncrementalCode {
  readonly el: HTMLElement;
  /** The lines not highlighted yet, shown plain: the live block's last chunk. */
  private readonly tailBlock: HTMLElement;
  private readonly tail: Text;
  private committed = 0;
  private source = '';
  private final = false;
  private readonly lang: string | undefined;
  private readonly className: string;
  /** The highlighted HTML of the committed chunks, in order (kept for `settle`). */
  private chunksHtml = '';

  constructor(
    private readonly doc: Document,
    language: string | undefined,
    className: string,
  ) {
    this.lang = resolveLanguage(language);
    this.className = `${className ? `${className} ` : ''}${highlightClass(this.lang)}`;
    this.el = doc.createElement('code');
    this.el.className = `${this.className} code-live`;
    this.tail = doc.createTextNode('');
    this.tailBlock = this.chunkBlock();
    this.tailBlock.append(this.tail);
    this.el.append(this.tailBlock);
  }

  /**
   * Show `code`, which extends what was shown before (a shorter or different text restarts). Highlights at most
   * one budget of new whole lines, once `highlightMinChunk` of them are ready or the code did not grow since the last
   * call; returns true while unhighlighted whole lines remain (call again next frame).
   *
   * While it streams, each highlighted chunk is a block of its own and the plain lines after them another: the
   * browser then lays out only the last block when a frame adds characters. As one run of inline text, the whole
   * code was laid out again at every frame (the largest part of a frame in a long fence).
   */
  update(code: string): boolean {
    if (this.final) return false;
    if (code.length < this.committed || (code.length < this.source.length)) this.restart();
    const paused = code === this.source;
    this.source = code;
    const end = nextLineChunk(code, this.committed, highlightBudgetPerFrame);
    if (end > this.committed && (paused || end - this.committed >= highlightMinChunk)) {
      const chunk = code.slice(this.committed, end);
      codeStats.chunkHighlights++;
      codeStats.chunkChars += chunk.length;
      const block = this.chunkBlock();
      const html = highlightToHtml(chunk, this.lang);
      block.append(sanitizedFragment(this.doc, html));
      this.el.insertBefore(block, this.tailBlock);
      this.chunksHtml += html;
      this.committed = end;
    }
    const rest = code.slice(this.committed);
    if (this.tail.data !== rest) this.tail.data = rest;
    return nextLineChunk(code, this.committed, 1) > this.committed;
  }

  /**
   * The code is final: highlight the whole block once (multi-line strings and comments come out right). When that is
   * what the chunks already show, they stay (settle): the block is not built and laid out again.
   */
  finalize(code: string): void {
    if (this.final && code === this.source) return;
    codeStats.fullHighlights++;
    codeStats.fullChars += code.length;
    const html = highlightToHtml(code, this.lang);
    if (this.settle(code, html)) return;
    this.final = true;
    this.source = code;
    this.committed = code.length;
    this.chunksHtml = '';
    this.el.className = this.className;
    this.el.replaceChildren(sanitizedFragment(this.doc, html));
  }

  /**
   * The code is final and a one-shot render would fill this element with `html`. When that is exactly the chunks
   * shown plus the rest of `code` highlighted (a multi-line string or comment across chunks makes it differ), become
   * that render in place: the chunks give their nodes to the code element and only the rest is sanitized, instead of
   * the whole block again. True when done; otherwise nothing changed.
   */
  settle(code: string, html: string): boolean {
    if (this.final || code.slice(0, this.committed) !== this.source.slice(0, this.committed)) return false;
    const rest = code.slice(this.committed);
    const restHtml = rest === '' ? '' : highlightToHtml(rest, this.lang);
    if (this.chunksHtml + restHtml !== html) return false;
    const frag = this.doc.createDocumentFragment();
    for (const block of Array.from(this.el.children)) if (block !== this.tailBlock) frag.append(...Array.from(block.childNodes));
    if (restHtml !== '') frag.append(sanitizedFragment(this.doc, restHtml));
    this.el.className = this.className;
    this.el.replaceChildren(frag);
    // A fresh parse has one text node where a chunk's last line ends and the next chunk's text begins.
    this.el.normalize();
    this.chunksHtml = '';
    this.final = true;
    this.source = code;
    this.committed = code.length;
    return true;
  }

  /** The class a one-shot render gives the code element. */
  get finalClassName(): string {
    return this.className;
  }

  get text(): string {
    return this.source;
  }

  private restart(): void {
    this.committed = 0;
    this.chunksHtml = '';
    this.el.replaceChildren(this.tailBlock);
    this.tail.data = '';
  }

  private chunkBlock(): HTMLElement {
    const block = this.doc.createElement('span');
    block.className = 'code-chunk';
    return block;
  }
}

export interface CodeViewContext {
  readonly doc: Document;
  readonly strings: () => UiStrings;
  readonly turnId: string;
  readonly codeAction: (itemId: string, action: CodeAction) => void;
  readonly save: (itemId: string, outputIndex: number) => void;
  /** Hint/review mode: what a folded (withheld) block needs for its notice. */
  readonly withheld?: WithheldContext;
}

/** One interpreter call: header (language, status badge, Insert, Copy), the code, then its outputs. */
export class CodeView {
  readonly el: HTMLElement;
  private readonly status: HTMLElement;
  private readonly code: IncrementalCode;
  private readonly actions: CodeActionsBar;
  private readonly outputs: OutputsView;
  private readonly pre: HTMLElement;
  private fold: WithheldNotice | null = null;
  private item: CodeItem;
  private codeFinal = false;
  private dirty = true;

  constructor(
    private readonly ctx: CodeViewContext,
    item: CodeItem,
  ) {
    const { doc } = ctx;
    this.item = item;
    this.el = doc.createElement('div');
    this.el.className = 'code-block';
    this.el.dataset.itemId = item.id;

    const header = doc.createElement('div');
    header.className = 'code-header';
    const lang = doc.createElement('span');
    lang.className = 'code-lang';
    lang.append(isolated(doc, item.language));
    this.status = doc.createElement('span');
    this.status.className = 'code-status';
    this.actions = createCodeActions(doc, ctx.strings, (action) => ctx.codeAction(item.id, action));
    this.actions.setDisabled(true);
    header.append(lang, this.status, this.actions.el);

    const pre = doc.createElement('pre');
    pre.className = 'code-pre';
    this.pre = pre;
    // A scrolling region must be reachable by keyboard.
    pre.tabIndex = 0;
    this.code = new IncrementalCode(doc, item.language, 'code-source');
    pre.append(this.code.el);

    this.outputs = new OutputsView(doc, ctx.strings, (index) => ctx.save(item.id, index));
    this.el.append(header, pre, this.outputs.el);
  }

  /** Record a change (no DOM work). `codeDone`: the code is authoritative now. */
  change(item: CodeItem, codeDone: boolean): void {
    this.item = item;
    if (codeDone) this.codeFinal = true;
    this.dirty = true;
  }

  /** Bring the DOM up to date; true while more frames are needed. */
  frame(): boolean {
    if (!this.dirty) return false;
    const item = this.item;
    const final = this.codeFinal || item.status !== 'writing';
    let more = false;
    if (final) this.code.finalize(item.code);
    else more = this.code.update(item.code);
    if (this.status.dataset.status !== item.status) {
      this.status.dataset.status = item.status;
      this.status.textContent = this.ctx.strings()[item.status === 'stopped' ? 'codeStopped' : item.status];
      this.el.dataset.status = item.status;
    }
    this.actions.setDisabled(!final || item.code === '' || item.withheld !== undefined);
    if (item.withheld) this.showWithheld(item.withheld);
    this.outputs.update(item.outputs);
    this.dirty = more;
    return more;
  }

  /** Hint/review mode folded this code: a notice instead of the code (shown once revealed), never Insert or Copy. */
  private showWithheld(w: WithheldInfo): void {
    if (!this.fold && this.ctx.withheld) {
      this.fold = new WithheldNotice(this.ctx.withheld, 'code');
      this.el.insertBefore(this.fold.el, this.pre);
    }
    this.fold?.update(w, this.item.language);
    this.el.dataset.withheld = w.revealed ? 'revealed' : 'true';
    this.pre.hidden = !w.revealed;
    this.actions.el.hidden = true;
  }
}
