/**
 * What an interpreter call produced, beneath its code: logs as plain text, images inline (raster types only),
 * files as name + size with a Save button. Outputs only ever append, so each is rendered once.
 */
import type { CodeOutput } from '../../src/shared/events';
import type { UiStrings } from '../../src/shared/protocol';
import { visibleControls } from '../../src/shared/safeText';
import { createButton } from '../ui/toolkit';
import { LogsView } from './logsView';
import { isolated } from './isolate';

/** SVG can carry script: never shown inline. */
export const inlineImageTypes: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const base64Chars = /^[A-Za-z0-9+/]*={0,2}$/;

export function formatBytes(bytes: number, lang: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let v = Math.max(0, bytes);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  try {
    return new Intl.NumberFormat(lang || undefined, { style: 'unit', unit: units[u], unitDisplay: 'short', maximumFractionDigits: 1 }).format(v);
  } catch {
    return `${v.toFixed(1)}`;
  }
}

export class OutputsView {
  readonly el: HTMLElement;
  private rendered = 0;
  private lastLogs: LogsView | null = null;
  /** Images already shown for this call: `plt.show()` and `savefig` of the same figure show once. */
  private readonly seenImages = new Set<string>();
  private images = 0;

  constructor(
    private readonly doc: Document,
    private readonly strings: () => UiStrings,
    private readonly save: (outputIndex: number) => void,
  ) {
    this.el = doc.createElement('div');
    this.el.className = 'code-outputs';
    this.el.hidden = true;
  }

  update(outputs: readonly CodeOutput[]): void {
    if (outputs.length < this.rendered) {
      this.el.replaceChildren();
      this.rendered = 0;
      this.lastLogs = null;
      this.seenImages.clear();
      this.images = 0;
    }
    for (; this.rendered < outputs.length; this.rendered++) this.add(outputs[this.rendered], this.rendered);
    this.el.hidden = this.rendered === 0;
  }

  private add(o: CodeOutput, index: number): void {
    const doc = this.doc;
    if (!o || typeof o !== 'object') return;
    if (this.el.childElementCount === 0) {
      const label = doc.createElement('div');
      label.className = 'output-label';
      label.textContent = this.strings().output;
      this.el.append(label);
    }
    if (o.type === 'logs') {
      // ANSI escapes, bidi controls, NUL … are shown as marks, never sent to the page raw.
      const text = visibleControls(String(o.text ?? ''));
      // Consecutive logs read as one console (tracebacks set apart, long output collapsed, huge output cut).
      if (!this.lastLogs) {
        this.lastLogs = new LogsView(doc, this.strings);
        this.el.append(this.lastLogs.el);
      }
      this.lastLogs.append(text);
      return;
    }
    this.lastLogs = null;
    if (o.type === 'image' && inlineImageTypes.has(String(o.mime).toLowerCase()) && typeof o.base64 === 'string' && base64Chars.test(o.base64)) {
      const key = imageKey(o.base64);
      if (this.seenImages.has(key)) return;
      this.seenImages.add(key);
      const fig = doc.createElement('div');
      fig.className = 'output-image-wrap';
      const img = doc.createElement('img');
      img.className = 'output-image';
      img.alt = this.strings().plotAlt.replace('{0}', String(++this.images));
      img.src = `data:${o.mime.toLowerCase()};base64,${o.base64}`;
      fig.append(img, this.saveButton(index));
      this.el.append(fig);
      return;
    }
    // Files, and images we will not show inline (SVG, unknown types): name, size, Save.
    const row = doc.createElement('div');
    row.className = 'output-file';
    const name = doc.createElement('span');
    name.className = 'output-file-name';
    const bytes = o.type === 'file' ? o.bytes : Math.floor((String(o.base64 ?? '').length * 3) / 4);
    // The name is isolated and its bidi controls shown: `invoice_2024\u202Efdp.exe` cannot pass for a PDF.
    if (o.type === 'file') name.append(isolated(doc, o.name));
    else name.append(`${this.strings().image} (`, isolated(doc, o.mime), ')');
    const size = doc.createElement('span');
    size.className = 'output-file-size';
    size.textContent = formatBytes(Number(bytes) || 0, doc.documentElement.lang);
    row.append(name, size, this.saveButton(index));
    this.el.append(row);
  }

  private saveButton(index: number): HTMLElement {
    return createButton(this.doc, { inline: true, label: this.strings().save, className: 'output-save', onClick: () => this.save(index) });
  }
}

/** Identity of an image's bytes: length and a 32-bit FNV-1a hash of the base64 (one pass, once per image). */
function imageKey(base64: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < base64.length; i++) h = Math.imul(h ^ base64.charCodeAt(i), 0x01000193);
  return `${base64.length}:${(h >>> 0).toString(36)}`;
}
