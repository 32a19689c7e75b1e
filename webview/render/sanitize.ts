/**
 * The last line of defence between model text and the page: HTML from markdown-it / highlight.js goes through
 * DOMPurify (the sanitizer VS Code's own chat uses), configured to a strict allowlist, and comes back as an inert
 * fragment ready to insert. markdown-it already escapes raw HTML (html: false); this pass makes a mistake there
 * harmless. Links lose their `href`: they keep their real destination in `data-href` and in a title, and a click
 * asks the host, which confirms before opening (webview/render/links.ts). So nothing in model text can navigate.
 */
import createDOMPurify, { type Config, type DOMPurify } from 'dompurify';
import { judgeLink } from '../../src/shared/links';
import { visibleLabel } from '../../src/shared/safeText';

const allowedTags = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'span',
  'em', 'strong', 's', 'del', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
];

const config: Config & { RETURN_DOM_FRAGMENT: true } = {
  ALLOWED_TAGS: allowedTags,
  ALLOWED_ATTR: ['class', 'start', 'href'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  ALLOW_SELF_CLOSE_IN_ATTR: false,
  KEEP_CONTENT: true,
  RETURN_DOM_FRAGMENT: true,
};

const classTags = new Set(['SPAN', 'CODE', 'PRE']);
const safeClass = /^[A-Za-z0-9_ -]*$/;
const alignClass = /^align-(left|center|right)$/;

function configure(purify: DOMPurify): DOMPurify {
  purify.addHook('uponSanitizeAttribute', (node, data) => {
    const el = node as Element;
    const tag = el.tagName;
    if (data.attrName === 'class') {
      const ok = classTags.has(tag) ? safeClass.test(data.attrValue) : (tag === 'TH' || tag === 'TD') && alignClass.test(data.attrValue);
      if (!ok) data.keepAttr = false;
    } else if (data.attrName === 'start') {
      if (tag !== 'OL' || !/^\d{1,9}$/.test(data.attrValue)) data.keepAttr = false;
    } else if (data.attrName === 'href' && tag !== 'A') {
      data.keepAttr = false;
    }
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    if (el.tagName !== 'A') return;
    const href = el.getAttribute('href');
    el.removeAttribute('href');
    el.setAttribute('class', 'md-link');
    if (href === null) return;
    // The destination is what the browser would really open, shown as such (hover, and the host's confirmation).
    const j = judgeLink(href);
    if (!j.url) return;
    el.setAttribute('data-href', j.url);
    el.setAttribute('title', j.ok ? `${j.displayHost} — ${visibleLabel(j.url)}` : visibleLabel(j.url));
    el.setAttribute('role', 'link');
    el.setAttribute('tabindex', '0');
    if (!j.ok) el.setAttribute('class', 'md-link md-link-refused');
  });
  return purify;
}

const purifiers = new WeakMap<object, DOMPurify>();

function purifierFor(doc: Document): DOMPurify {
  const win = doc.defaultView;
  if (!win) throw new Error('sanitize: the document has no window');
  let p = purifiers.get(win);
  if (!p) {
    p = configure(createDOMPurify(win as unknown as Parameters<typeof createDOMPurify>[0]));
    if (!p.isSupported) throw new Error('sanitize: DOMPurify is not supported in this window');
    // Once, not per call: a config passed to sanitize() is parsed (its allowlists built) at every call.
    p.setConfig(config);
    purifiers.set(win, p);
  }
  return p;
}

/** Parse `html` inertly and return only what is allowed, as a fragment of `doc` ready to insert. */
export function sanitizedFragment(doc: Document, html: string): DocumentFragment {
  const frag = purifierFor(doc).sanitize(html, config);
  return frag.ownerDocument === doc ? frag : (doc.importNode(frag, true) as DocumentFragment);
}
