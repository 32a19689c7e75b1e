/** A function tool the model ran: one compact line `name(args)`, then its result. Text only, never HTML. */
import type { ToolItem } from '../../src/shared/transcript';
import type { UiStrings } from '../../src/shared/protocol';
import { visibleLabel } from '../../src/shared/safeText';
import { isolated } from './isolate';

const maxArgs = 160;
const maxResult = 2_000;

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export class ToolView {
  readonly el: HTMLElement;
  private readonly call: HTMLElement;
  private readonly result: HTMLElement;
  private item: ToolItem;
  private dirty = true;

  constructor(
    doc: Document,
    private readonly strings: () => UiStrings,
    item: ToolItem,
  ) {
    this.item = item;
    this.el = doc.createElement('div');
    this.el.className = 'tool-item';
    this.el.dataset.itemId = item.id;
    const label = doc.createElement('span');
    label.className = 'tool-label';
    label.textContent = strings().toolCall;
    this.call = doc.createElement('code');
    this.call.className = 'tool-call';
    this.result = doc.createElement('div');
    this.result.className = 'tool-result';
    this.result.hidden = true;
    const line = doc.createElement('div');
    line.className = 'tool-line';
    line.append(label, this.call);
    this.el.append(line, this.result);
  }

  change(item: ToolItem): void {
    this.item = item;
    this.dirty = true;
  }

  frame(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    const it = this.item;
    const args = String(it.arguments ?? '').replace(/\s+/g, ' ').trim();
    // Name and arguments each isolated: an override in the name cannot reverse the arguments shown after it.
    const doc = this.el.ownerDocument;
    this.call.replaceChildren(isolated(doc, it.name, 'tool-name'), '(', isolated(doc, clip(args, maxArgs), 'tool-args'), ')');
    this.call.title = args.length > maxArgs ? visibleLabel(clip(args, 4_000)) : '';
    if (typeof it.result === 'string') {
      this.result.hidden = false;
      this.result.replaceChildren(`${this.strings().toolResult} `, isolated(this.el.ownerDocument, clip(it.result, maxResult), 'tool-result-text', true));
      this.result.classList.toggle('tool-error', it.isError === true);
    }
    return false;
  }
}
