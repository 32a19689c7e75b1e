/**
 * An interpreter call's console: its logs as plain text, with a Python traceback set apart (labelled, in the error
 * colour), long output collapsed behind "Show all (N lines)", and output past a few hundred kilobytes not put in the
 * page at all (a note says how much is shown; the transcript on the host keeps all of it). Text only, never HTML.
 */
import type { UiStrings } from '../../src/shared/protocol';
import { createButton, setButtonLabel } from '../ui/toolkit';

/** Lines shown before a block of output is collapsed. */
export const collapseAfterLines = 30;
/** Characters of one call's output put in the page at most. */
export const maxShownChars = 256 * 1024;

const tracebackStart = /^Traceback \(most recent call last\):/m;

interface Block {
  readonly pre: HTMLElement;
  lines: number;
  toggle: HTMLElement | null;
  expanded: boolean;
}

export class LogsView {
  readonly el: HTMLElement;
  private block: Block | null = null;
  private shown = 0;
  private total = 0;
  private note: HTMLElement | null = null;

  constructor(
    private readonly doc: Document,
    private readonly strings: () => UiStrings,
  ) {
    this.el = doc.createElement('div');
    this.el.className = 'output-console';
  }

  /** Append one logs output (consecutive outputs read as one console). */
  append(text: string): void {
    this.total += text.length;
    const room = maxShownChars - this.shown;
    if (room <= 0 || text.length > room) {
      if (room > 0) this.write(text.slice(0, room));
      this.shown = Math.min(maxShownChars, this.shown + Math.max(0, room));
      this.noteTruncated();
      return;
    }
    this.shown += text.length;
    this.write(text);
  }

  private write(text: string): void {
    const m = tracebackStart.exec(text);
    if (!m) {
      this.add(text, false);
      return;
    }
    if (m.index > 0) this.add(text.slice(0, m.index), false);
    this.add(text.slice(m.index), true);
    // What follows a traceback in a later output is ordinary output again.
    this.block = null;
  }

  private add(text: string, traceback: boolean): void {
    if (!this.block || traceback) {
      const pre = this.doc.createElement('pre');
      pre.className = traceback ? 'output-logs output-traceback' : 'output-logs';
      pre.tabIndex = 0;
      if (traceback) {
        const wrap = this.doc.createElement('div');
        wrap.className = 'output-traceback-wrap';
        wrap.setAttribute('role', 'group');
        const label = this.doc.createElement('div');
        label.className = 'output-traceback-label';
        label.textContent = this.strings().traceback;
        label.id = `tb-${Math.random().toString(36).slice(2, 10)}`;
        wrap.setAttribute('aria-labelledby', label.id);
        wrap.append(label, pre);
        this.insert(wrap);
      } else this.insert(pre);
      this.block = { pre, lines: 0, toggle: null, expanded: false };
    }
    const b = this.block;
    b.pre.append(this.doc.createTextNode(text));
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) b.lines++;
    if (b.lines > collapseAfterLines) this.collapse(b);
  }

  private insert(el: HTMLElement): void {
    if (this.note) this.el.insertBefore(el, this.note);
    else this.el.append(el);
  }

  private collapse(b: Block): void {
    const s = this.strings();
    if (!b.toggle) {
      b.pre.classList.add('collapsed');
      b.toggle = createButton(this.doc, { inline: true,
        label: '',
        className: 'output-toggle',
        onClick: () => {
          b.expanded = !b.expanded;
          b.pre.classList.toggle('collapsed', !b.expanded);
          b.toggle!.setAttribute('aria-expanded', String(b.expanded));
          this.label(b);
        },
      });
      b.toggle.setAttribute('aria-expanded', 'false');
      b.pre.after(b.toggle);
    }
    if (!b.expanded) setButtonLabel(b.toggle, s.showAllOutput.replace('{0}', String(b.lines + 1)));
  }

  private label(b: Block): void {
    const s = this.strings();
    setButtonLabel(b.toggle!, b.expanded ? s.showLessOutput : s.showAllOutput.replace('{0}', String(b.lines + 1)));
  }

  private noteTruncated(): void {
    if (!this.note) {
      this.note = this.doc.createElement('div');
      this.note.className = 'output-truncated';
      this.el.append(this.note);
    }
    const fmt = (n: number) => new Intl.NumberFormat(this.doc.documentElement.lang || undefined).format(n);
    this.note.textContent = this.strings().outputTruncated.replace('{0}', fmt(this.shown)).replace('{1}', fmt(this.total));
  }
}
