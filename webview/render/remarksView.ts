/**
 * A review remark (the tutor's `add_remark` tool call) as an entry of the chat's remark list: severity, line and
 * message; clicking it (or Enter) asks the host to move the cursor to those lines. A remark the host refused
 * shows why instead. Text only, never HTML.
 */
import type { ReviewTarget } from '../../src/shared/learner';
import type { UiStrings } from '../../src/shared/protocol';
import { parseRemark, type RemarkSeverity } from '../../src/shared/remark';
import type { ToolItem } from '../../src/shared/transcript';

export interface RemarkViewContext {
  readonly doc: Document;
  readonly strings: () => UiStrings;
  readonly open: (itemId: string) => void;
}

const severityKey: Readonly<Record<RemarkSeverity, keyof UiStrings>> = {
  error: 'severityError',
  warning: 'severityWarning',
  info: 'severityInfo',
  hint: 'severityHint',
};

const anyLines = { startLine: 1, endLine: Number.MAX_SAFE_INTEGER };

export class RemarkView {
  readonly el: HTMLElement;
  private item: ToolItem;
  private target: ReviewTarget | undefined;
  private dirty = true;

  constructor(
    private readonly ctx: RemarkViewContext,
    item: ToolItem,
    target: ReviewTarget | undefined,
  ) {
    this.item = item;
    this.target = target;
    this.el = ctx.doc.createElement('div');
    this.el.className = 'remark-item';
    this.el.dataset.itemId = item.id;
  }

  change(item: ToolItem): void {
    this.item = item;
    this.dirty = true;
  }

  setTarget(target: ReviewTarget | undefined): void {
    this.target = target;
    this.dirty = true;
  }

  frame(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    const { doc } = this.ctx;
    const s = this.ctx.strings();
    const it = this.item;
    const parsed = parseRemark(String(it.arguments ?? ''), this.target ?? anyLines);
    if (it.isError === true || !parsed.ok) {
      if (it.result === undefined && parsed.ok) return false;
      const note = doc.createElement('div');
      note.className = 'remark-invalid';
      note.textContent = `${s.remarkInvalid} ${String(it.isError ? (it.result ?? '') : parsed.ok ? '' : parsed.problem)}`;
      this.el.dataset.state = 'invalid';
      this.el.replaceChildren(note);
      return false;
    }
    const r = parsed.remark;
    this.el.dataset.state = 'ok';
    this.el.dataset.severity = r.severity;
    this.el.dataset.line = String(r.line);
    const link = doc.createElement('div');
    link.className = 'remark-link';
    link.setAttribute('role', 'button');
    link.tabIndex = 0;
    const sev = doc.createElement('span');
    sev.className = 'remark-severity';
    sev.textContent = s[severityKey[r.severity]];
    const where = doc.createElement('span');
    where.className = 'remark-where';
    const lines = r.endLine ? `${r.line}-${r.endLine}` : String(r.line);
    where.textContent = `${this.target ? `${this.target.file}:` : ''}${s.remarkLine.replace('{0}', lines)}`;
    const msg = doc.createElement('span');
    msg.className = 'remark-message';
    msg.textContent = r.message;
    link.append(sev, where, msg);
    const open = () => this.ctx.open(it.id);
    link.addEventListener('click', open);
    link.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open();
      }
    });
    this.el.replaceChildren(link);
    return false;
  }
}
