/**
 * The open block of a streaming answer is rendered again every frame, and most frames only add words to its last
 * line. Parsing and sanitizing the block's HTML again for that (DOMPurify parses the whole string into a new
 * document) was the largest part of a frame's script. When the new HTML is the old HTML with something added just
 * before its closing tags, only the addition is put in:
 *
 * - plain text (no `<` or `&`) is added to the last text node with `appendData`, never parsed. Safe by
 *   construction: markdown-it escapes `<` and `&` in text (and `>` and `"` with `&`).
 * - inline markup (`code`, emphasis, an entity) is sanitized on its own, like any HTML the view shows, and appended
 *   only when it is self-contained: the sanitized nodes serialize back to exactly the addition, every element is an
 *   inline one, and it goes into an element whose content is parsed as inline text. Then a fresh render of the
 *   whole would have built the same nodes in the same place.
 *
 * Anything else (a link, which the sanitizer rewrites; an element closed or opened across the addition; a new block)
 * takes the full render.
 */
import { sanitizedFragment } from './sanitize';

/** The closing tags (with the newlines markdown-it puts after them) that end an HTML string. */
const trailingCloses = /(?:<\/([a-z][a-z0-9]*)>\s*)+$/;
const closeTag = /<\/([a-z][a-z0-9]*)>/g;

/** Elements whose content the HTML parser reads as inline text, so an addition parses there as it does alone. */
const inlineContexts = new Set(['P', 'LI', 'TD', 'TH', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'EM', 'STRONG', 'S', 'DEL']);
/** The only elements an inline addition may hold. */
const inlineElements = new Set(['CODE', 'EM', 'STRONG', 'S', 'DEL', 'BR']);

/**
 * Counts, for tests and benchmarks: the times the open block was extended in place with text or with inline markup,
 * rendered afresh, and taken over whole as a finished block (textView.ts).
 */
export const extensionStats = { extended: 0, extendedMarkup: 0, rendered: 0, reused: 0 };

/**
 * Make `el` (whose children are the sanitized render of `oldHtml`) show `newHtml` by adding to its last element;
 * false (and `el` untouched) when `newHtml` is not `oldHtml` with text or self-contained inline markup added before
 * its closing tags.
 */
export function extendWithText(el: Element, oldHtml: string, newHtml: string): boolean {
  if (newHtml.length <= oldHtml.length) return false;
  const closing = trailingCloses.exec(oldHtml)?.[0];
  if (!closing || !newHtml.endsWith(closing)) return false;
  const head = oldHtml.length - closing.length;
  if (head === 0 || !newHtml.startsWith(oldHtml.slice(0, head))) return false;
  const added = newHtml.slice(head, newHtml.length - closing.length);
  // The element to add to: the one closed first, found by walking down the last elements.
  const tags = [...closing.matchAll(closeTag)].map((m) => m[1]!.toUpperCase());
  let target: Element | null = el;
  for (let i = tags.length - 1; i >= 0 && target; i--) {
    target = target.lastElementChild;
    if (target?.tagName !== tags[i]) return false;
  }
  if (!target) return false;
  const doc = el.ownerDocument;
  const plain = !added.includes('<') && !added.includes('&');
  const frag = plain ? textFragment(doc, added) : inlineFragment(doc, target, added);
  if (!frag) return false;
  // A fresh parse has one text node where the old text ends and the addition's text begins.
  const last = target.lastChild;
  const first = frag.firstChild;
  if (first?.nodeType === 3 /* text */ && last?.nodeType === 3) {
    (last as Text).appendData((first as Text).data);
    first.remove();
  }
  target.append(frag);
  if (plain) extensionStats.extended++;
  else extensionStats.extendedMarkup++;
  return true;
}

function textFragment(doc: Document, text: string): DocumentFragment {
  const frag = doc.createDocumentFragment();
  frag.append(text);
  return frag;
}

/** The addition sanitized, if it is self-contained inline markup going where the parser reads inline text. */
function inlineFragment(doc: Document, target: Element, added: string): DocumentFragment | undefined {
  if (!inlineContexts.has(target.tagName)) return undefined;
  const frag = sanitizedFragment(doc, added);
  const walker = doc.createTreeWalker(frag, 1 /* NodeFilter.SHOW_ELEMENT */);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!inlineElements.has((n as Element).tagName)) return undefined;
  const box = doc.createElement('div');
  box.append(frag.cloneNode(true));
  return box.innerHTML === added ? frag : undefined;
}
