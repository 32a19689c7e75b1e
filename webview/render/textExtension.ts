/**
 * The open block of a streaming answer is rendered again every frame, and most frames only add words to its last
 * line. Parsing and sanitizing the block's HTML again for that (DOMPurify parses the whole string into a new
 * document) was the largest part of a frame's script. When the new HTML is the old HTML with plain text added just
 * before its closing tags, the text is added to the last text node instead: the same DOM a fresh render gives.
 *
 * Safe by construction: markdown-it escapes `<` and `&` in text (and `>` and `"` with `&`), so an addition without
 * `<` or `&` is text, and it is put in with `appendData`, never parsed. Anything else (new markup, an entity, an
 * element closed or opened) takes the full render.
 */

/** The closing tags (with the newlines markdown-it puts after them) that end an HTML string. */
const trailingCloses = /(?:<\/([a-z][a-z0-9]*)>\s*)+$/;
const closeTag = /<\/([a-z][a-z0-9]*)>/g;

/**
 * Counts, for tests and benchmarks: the times the text of an open block was extended in place, rendered afresh, and
 * taken over whole as a finished block (textView.ts).
 */
export const extensionStats = { extended: 0, rendered: 0, reused: 0 };

/**
 * Make `el` (whose children are the sanitized render of `oldHtml`) show `newHtml` by adding text to its last text
 * node; false (and `el` untouched) when `newHtml` is not `oldHtml` with plain text added before its closing tags.
 */
export function extendWithText(el: Element, oldHtml: string, newHtml: string): boolean {
  if (newHtml.length <= oldHtml.length) return false;
  const closing = trailingCloses.exec(oldHtml)?.[0];
  if (!closing || !newHtml.endsWith(closing)) return false;
  const head = oldHtml.length - closing.length;
  if (head === 0 || oldHtml.charCodeAt(head - 1) === 0x3e /* > */) return false;
  if (!newHtml.startsWith(oldHtml.slice(0, head))) return false;
  const added = newHtml.slice(head, newHtml.length - closing.length);
  if (added.includes('<') || added.includes('&')) return false;
  // The text node to extend: the last child of the element closed first, found by walking down the last elements.
  const tags = [...closing.matchAll(closeTag)].map((m) => m[1]!.toUpperCase());
  let target: Element | null = el;
  for (let i = tags.length - 1; i >= 0 && target; i--) {
    target = target.lastElementChild;
    if (target?.tagName !== tags[i]) return false;
  }
  const last = target?.lastChild;
  if (!last || last.nodeType !== 3 /* text */) return false;
  (last as Text).appendData(added);
  extensionStats.extended++;
  return true;
}
