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
 * - whole list items added to a list (a new line `- …` of the open list), after any words that end its last item,
 *   are sanitized on their own too, and appended when they serialize back to exactly the addition and are nothing
 *   but items.
 *
 * Anything else (a link, which the sanitizer rewrites; an element closed or opened across the addition; a new block;
 * a table row, which the parser would not read alone) takes the full render.
 */
import { sanitizedFragment } from './sanitize';

/** The closing tags (with the newlines markdown-it puts after them) that end an HTML string. */
const trailingCloses = /(?:<\/([a-z][a-z0-9]*)>\s*)+$/;
const closeTag = /<\/([a-z][a-z0-9]*)>/g;

/** Elements whose content the HTML parser reads as inline text, so an addition parses there as it does alone. */
const inlineContexts = new Set(['P', 'LI', 'TD', 'TH', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'EM', 'STRONG', 'S', 'DEL']);
/** Elements whose text content the parser does not keep in place. */
const tableParts = new Set(['TABLE', 'THEAD', 'TBODY', 'TFOOT', 'TR']);
/** The only elements an inline addition may hold. */
const inlineElements = new Set(['CODE', 'EM', 'STRONG', 'S', 'DEL', 'BR']);

/** A block that is plain text: a paragraph or heading with no markup or entity in it, as markdown-it writes it. */
const plainBlock = /^<(p|h[1-6])>([^<&]*)<\/\1>\n$/;

/**
 * Counts, for tests and benchmarks: the times the open block was extended in place with text, inline markup or list
 * items, rendered afresh, and taken over whole as a finished block (textView.ts); and blocks of plain text built
 * without the sanitizer (blockFragment).
 */
export const extensionStats = { extended: 0, extendedMarkup: 0, extendedItems: 0, rendered: 0, reused: 0, plainBlocks: 0 };

/**
 * The nodes for a whole block's `html`: a paragraph or heading of plain text (no `<` or `&`, so no markup and no
 * entity) is built as that element and its text, never parsed, as the words added to one are (the first frame of
 * most blocks is one); anything else goes through the sanitizer.
 */
export function blockFragment(doc: Document, html: string): DocumentFragment {
  const m = plainBlock.exec(html);
  if (!m) return sanitizedFragment(doc, html);
  extensionStats.plainBlocks++;
  const frag = doc.createDocumentFragment();
  const el = doc.createElement(m[1]!);
  el.append(m[2]!);
  frag.append(el, '\n');
  return frag;
}

/**
 * Make `el` (whose children are the sanitized render of `oldHtml`) show `newHtml` by adding to its last elements;
 * false (and `el` untouched) when `newHtml` is not `oldHtml` with text or self-contained inline markup added before
 * its closing tags, and perhaps more of it, or whole list items, after some of them.
 */
export function extendWithText(el: Element, oldHtml: string, newHtml: string): boolean {
  if (newHtml.length <= oldHtml.length) return false;
  const closing = trailingCloses.exec(oldHtml)?.[0];
  if (!closing) return false;
  // The closing tags, innermost first, each with where it starts in `oldHtml`, and the elements they close.
  const closes = [...closing.matchAll(closeTag)].map((m) => ({ tag: m[1]!.toUpperCase(), at: oldHtml.length - closing.length + m.index! }));
  const start = closes[0]!.at;
  if (start === 0 || !newHtml.startsWith(oldHtml.slice(0, start))) return false;
  const path = lastElements(el, closes.map((c) => c.tag));
  if (!path) return false;
  const doc = el.ownerDocument;
  const innermost = path[0]!;
  // Words (or inline markup) added to the innermost element.
  if (newHtml.endsWith(closing)) {
    const added = newHtml.slice(start, newHtml.length - closing.length);
    const words = inlineAddition(doc, innermost, added);
    if (words) {
      appendTo(innermost, words.frag);
      if (words.plain) extensionStats.extended++;
      else extensionStats.extendedMarkup++;
      return true;
    }
  }
  // Or: words that end the innermost element(s), then more in an element around them: words after a code span or
  // emphasis that closed, or new items in a list (a frame that ends an item and starts the next).
  for (let depth = 1; depth < closes.length; depth++) {
    const outer = oldHtml.slice(closes[depth]!.at);
    if (!newHtml.endsWith(outer)) continue;
    const inner = oldHtml.slice(start, closes[depth]!.at);
    const middle = newHtml.slice(start, newHtml.length - outer.length);
    const cut = middle.indexOf(inner);
    if (cut < 0) continue;
    const words = cut === 0 ? null : inlineAddition(doc, innermost, middle.slice(0, cut));
    const target = path[depth]!;
    const rest = middle.slice(cut + inner.length);
    const items = listItemsFragment(doc, target, rest);
    const after = items ? undefined : inlineAddition(doc, target, rest);
    if ((!items && !after) || (cut > 0 && !words)) continue;
    if (words) appendTo(innermost, words.frag);
    if (items) {
      target.append(items);
      extensionStats.extendedItems++;
    } else {
      appendTo(target, after!.frag);
      if (after!.plain && !words) extensionStats.extended++;
      else extensionStats.extendedMarkup++;
    }
    return true;
  }
  return false;
}

/** The elements `tags` close (innermost first), found by walking down the last elements of `el`; null if they differ. */
function lastElements(el: Element, tags: readonly string[]): Element[] | null {
  const path: Element[] = [];
  let at: Element | null = el;
  for (let i = tags.length - 1; i >= 0; i--) {
    at = at.lastElementChild;
    if (!at || at.tagName !== tags[i]) return null;
    path.unshift(at);
  }
  return path;
}

/** Words added to `target`: plain text as it is, or self-contained inline markup sanitized; undefined otherwise. */
function inlineAddition(doc: Document, target: Element, added: string): { frag: DocumentFragment; plain: boolean } | undefined {
  // Text in a table's own parts would be moved out of the table by a fresh parse.
  if (added === '' || tableParts.has(target.tagName)) return undefined;
  const plain = !added.includes('<') && !added.includes('&');
  const frag = plain ? textFragment(doc, added) : inlineFragment(doc, target, added);
  return frag && { frag, plain };
}

/** Append `frag` to `target`: where the old text ends and the addition's text begins, a fresh parse has one text node. */
function appendTo(target: Element, frag: DocumentFragment): void {
  const last = target.lastChild;
  const first = frag.firstChild;
  if (first?.nodeType === 3 /* text */ && last?.nodeType === 3) {
    (last as Text).appendData((first as Text).data);
    first.remove();
  }
  target.append(frag);
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
  return serializesTo(doc, frag, added) ? frag : undefined;
}

/**
 * The addition sanitized, if it is whole list items going at the end of a list: the sanitized nodes are items (and
 * the newlines between them) that serialize back to exactly the addition. The parser reads an item the same in the
 * list as alone, so a fresh render of the whole would have built the same nodes there.
 */
function listItemsFragment(doc: Document, target: Element, added: string): DocumentFragment | undefined {
  if ((target.tagName !== 'UL' && target.tagName !== 'OL') || added === '') return undefined;
  const frag = sanitizedFragment(doc, added);
  for (const n of Array.from(frag.childNodes)) {
    const item = n.nodeType === 1 && (n as Element).tagName === 'LI';
    if (!item && !(n.nodeType === 3 && (n as Text).data.trim() === '')) return undefined;
  }
  return serializesTo(doc, frag, added) ? frag : undefined;
}

/** Whether the sanitized `frag` is exactly `html` again: the sanitizer changed nothing, and nothing was left open. */
function serializesTo(doc: Document, frag: DocumentFragment, html: string): boolean {
  const box = doc.createElement('div');
  box.append(frag.cloneNode(true));
  return box.innerHTML === html;
}
