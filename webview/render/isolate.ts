/**
 * Model- or server-supplied strings (file names, tool names and arguments, error messages, languages) as text in a
 * `<bdi>`: isolated from the text around them, so a right-to-left override cannot reorder what follows, and with
 * every bidi control and control character shown as a mark (`⟨U+202E⟩`), never acting on the display.
 */
import { visibleControls, visibleLabel } from '../../src/shared/safeText';

/** A `<bdi>` holding `text` with hidden characters made visible. `multiline`: keep line breaks and tabs. */
export function isolated(doc: Document, text: unknown, className?: string, multiline = false): HTMLElement {
  const el = doc.createElement('bdi');
  if (className) el.className = className;
  const s = String(text ?? '');
  el.textContent = multiline ? visibleControls(s) : visibleLabel(s);
  return el;
}
