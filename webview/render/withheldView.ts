/**
 * Hint and review mode: the placeholder of a withheld code block (src/tutor/hintGuard.ts). It says what was held
 * back and why, and offers "Show the code anyway" — shown only while the course allows it (the root's
 * `reveal-allowed` class; the host checks again) and enabled once the answer is finished. The webview never has
 * the code until the host records the reveal in the chat; Insert is never offered for it.
 */
import type { UiStrings } from '../../src/shared/protocol';
import type { WithheldInfo, WithheldItem } from '../../src/shared/transcript';
import { createButton, setButtonDisabled } from '../ui/toolkit';
import { highlightClass, highlightToHtml, resolveLanguage } from './highlight';
import { sanitizedFragment } from './sanitize';

/** `{0}`, `{1}` … in a localized template. */
export function fillIn(template: string, ...args: Array<string | number>): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : m));
}

export interface WithheldContext {
  readonly doc: Document;
  readonly strings: () => UiStrings;
  /** The label of the mode that withholds ("Hint mode"). */
  readonly modeLabel: () => string;
  readonly running: () => boolean;
  readonly reveal: () => void;
}

/** The notice itself: title, reason, the reveal action, and the "you chose to see it" note once revealed. */
export class WithheldNotice {
  readonly el: HTMLElement;
  private readonly title: HTMLElement;
  private readonly why: HTMLElement;
  private readonly button: HTMLElement;
  private readonly note: HTMLElement;

  constructor(
    private readonly ctx: WithheldContext,
    private readonly kind: 'text' | 'code',
  ) {
    const { doc } = ctx;
    const s = ctx.strings();
    this.el = doc.createElement('div');
    this.el.className = `withheld-notice withheld-${kind}`;
    this.el.setAttribute('role', 'note');
    this.title = doc.createElement('div');
    this.title.className = 'withheld-title';
    this.why = doc.createElement('div');
    this.why.className = 'withheld-why';
    this.button = createButton(doc, { inline: true, label: s.showCodeAnyway, className: 'withheld-reveal', onClick: () => ctx.reveal() });
    this.note = doc.createElement('div');
    this.note.className = 'withheld-revealed-note';
    this.note.textContent = s.revealed;
    this.el.append(this.title, this.why, this.button, this.note);
  }

  update(info: WithheldInfo, language: string): void {
    const s = this.ctx.strings();
    const lines = Number(info.lines);
    const title = language ? fillIn(s.withheldTitle, lines, String(language)) : fillIn(s.withheldTitlePlain, lines);
    this.title.textContent = this.kind === 'text' ? title : fillIn(s.withheldCode, lines);
    this.why.textContent = fillIn(s.withheldWhy, this.ctx.modeLabel(), Number(info.limit));
    const revealed = info.revealed === true;
    this.el.dataset.revealed = String(revealed);
    this.button.hidden = revealed;
    this.note.hidden = !revealed;
    setButtonDisabled(this.button, this.ctx.running());
  }
}

/** A withheld block of the explanation's text: the notice, then the code once revealed. */
export class WithheldView {
  readonly el: HTMLElement;
  private readonly notice: WithheldNotice;
  private item: WithheldItem;
  private shownCode: string | undefined;

  constructor(
    private readonly ctx: WithheldContext,
    item: WithheldItem,
  ) {
    this.item = item;
    this.el = ctx.doc.createElement('div');
    this.el.className = 'withheld';
    this.el.dataset.itemId = item.id;
    this.notice = new WithheldNotice(ctx, 'text');
    this.el.append(this.notice.el);
  }

  change(item: WithheldItem): void {
    this.item = item;
  }

  frame(): boolean {
    const item = this.item;
    this.notice.update(item, item.language);
    if (item.revealed && typeof item.code === 'string' && this.shownCode !== item.code) {
      this.shownCode = item.code;
      const { doc } = this.ctx;
      const pre = doc.createElement('pre');
      pre.className = 'md-code withheld-code';
      const code = doc.createElement('code');
      const lang = resolveLanguage(String(item.language));
      code.className = highlightClass(lang);
      code.append(sanitizedFragment(doc, highlightToHtml(item.code, lang)));
      pre.append(code);
      this.el.querySelector('pre.withheld-code')?.remove();
      this.el.append(pre);
    }
    return false;
  }
}
