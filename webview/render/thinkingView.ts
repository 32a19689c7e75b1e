/**
 * The model's reasoning as a collapsible "Thought process" block (closed by default: it is never the answer), and a
 * run notice as one line. Text only (textContent), never HTML: both come from the model or carry its words.
 */
import type { UiStrings } from '../../src/shared/protocol';
import type { NoticeItem, ThinkingItem } from '../../src/shared/transcript';

/** Longest reasoning shown; the rest is summarised by its length (reasoning can be far longer than the answer). */
const maxShown = 200_000;

export class ThinkingView {
  readonly el: HTMLDetailsElement;
  private readonly body: HTMLElement;
  private text = '';
  private shown = 0;

  constructor(doc: Document, strings: () => UiStrings, item: ThinkingItem) {
    this.el = doc.createElement('details');
    this.el.className = 'thinking-block';
    this.el.dataset.itemId = item.id;
    const summary = doc.createElement('summary');
    summary.textContent = strings().reasoning;
    this.body = doc.createElement('div');
    this.body.className = 'thinking-text';
    this.el.append(summary, this.body);
    this.text = String(item.text);
  }

  change(item: ThinkingItem): void {
    this.text = String(item.text);
  }

  /** Appends only what is new (reasoning only ever grows); work per frame is the size of the change. */
  frame(): boolean {
    const upTo = Math.min(this.text.length, maxShown);
    if (upTo < this.shown) {
      this.body.textContent = '';
      this.shown = 0;
    }
    if (upTo > this.shown) {
      this.body.append(this.text.slice(this.shown, upTo));
      this.shown = upTo;
    }
    return false;
  }
}

export class NoticeView {
  readonly el: HTMLElement;

  constructor(doc: Document, strings: () => UiStrings, item: NoticeItem) {
    this.el = doc.createElement('div');
    this.el.className = 'run-notice';
    this.el.setAttribute('role', 'note');
    this.el.dataset.itemId = item.id;
    this.el.dataset.notice = String(item.notice);
    const s = strings();
    this.el.textContent = item.notice === 'noCodeTool' ? s.noticeNoCodeTool : String(item.notice);
  }

  frame(): boolean {
    return false;
  }
}
