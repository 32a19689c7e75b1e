/**
 * The last line of defence between model text and the page: HTML from markdown-it / highlight.js is parsed in an
 * inert <template> (no script runs, no image loads) and kept only if every element and attribute is on the list.
 * markdown-it already escapes raw HTML (html: false); this pass makes a mistake there harmless.
 */
import { isSafeHref } from './markdown';

const allowedTags = new Set([
  'P', 'BR', 'HR', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'UL', 'OL', 'LI', 'BLOCKQUOTE', 'PRE', 'CODE', 'SPAN',
  'EM', 'STRONG', 'S', 'DEL', 'A', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD',
]);
/** Elements whose content is dropped with them, never shown as text. */
const droppedWithContent = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'NOSCRIPT']);
const safeClass = /^[A-Za-z0-9_ -]*$/;

function cleanElement(el: Element): void {
  const tag = el.tagName;
  const attrs = Array.from(el.attributes);
  let align: string | undefined;
  for (const a of attrs) {
    const name = a.name.toLowerCase();
    const keep =
      (name === 'class' && (tag === 'SPAN' || tag === 'CODE' || tag === 'PRE') && safeClass.test(a.value)) ||
      (name === 'start' && tag === 'OL' && /^\d{1,9}$/.test(a.value)) ||
      (name === 'href' && tag === 'A' && isSafeHref(a.value)) ||
      (name === 'target' && tag === 'A' && a.value === '_blank') ||
      (name === 'rel' && tag === 'A');
    if (name === 'style' && (tag === 'TH' || tag === 'TD')) {
      align = /text-align:\s*(left|center|right)/.exec(a.value)?.[1];
    }
    if (!keep) el.removeAttribute(a.name);
  }
  // Table alignment arrives as an inline style, which the CSP forbids: carry it as a class.
  if (align) el.setAttribute('class', `align-${align}`);
  if (tag === 'A') {
    if (el.hasAttribute('href')) {
      el.setAttribute('target', '_blank');
      el.setAttribute('rel', 'noopener noreferrer');
    } else {
      el.removeAttribute('target');
      el.removeAttribute('rel');
    }
  }
}

function cleanTree(parent: Node): void {
  let child = parent.firstChild;
  while (child) {
    const next = child.nextSibling;
    if (child.nodeType === 1) {
      const el = child as Element;
      const tag = el.tagName.toUpperCase();
      if (droppedWithContent.has(tag)) {
        parent.removeChild(el);
      } else if (!allowedTags.has(tag)) {
        // Unknown element: keep its text, lose the element.
        cleanTree(el);
        while (el.firstChild) parent.insertBefore(el.firstChild, el);
        parent.removeChild(el);
      } else {
        cleanElement(el);
        cleanTree(el);
      }
    } else if (child.nodeType !== 3) {
      parent.removeChild(child); // comments, processing instructions
    }
    child = next;
  }
}

/** Parse `html` inertly and return only what is allowed, ready to insert. */
export function sanitizedFragment(doc: Document, html: string): DocumentFragment {
  const template = doc.createElement('template');
  template.innerHTML = html;
  const frag = template.content;
  cleanTree(frag);
  return frag;
}
