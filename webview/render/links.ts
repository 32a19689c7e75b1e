/**
 * Links in model text have no `href` (see sanitize.ts): their destination is in `data-href`. A click, or Enter on
 * a focused link, asks the host to open it; the host shows where it really goes and opens it only if the learner
 * confirms. The page itself never navigates, whatever a link says.
 */
import type { WebviewToHost } from '../../src/shared/protocol';
import { maxLinkLength } from '../../src/shared/links';

function linkOf(target: EventTarget | null): Element | null {
  const el = target as Element | null;
  return el && typeof el.closest === 'function' ? el.closest('a.md-link') : null;
}

/** Route link activation under `root` to the host. */
export function routeLinks(root: HTMLElement, post: (m: WebviewToHost) => void): void {
  const open = (e: Event, link: Element): void => {
    e.preventDefault();
    e.stopPropagation();
    const href = link.getAttribute('data-href');
    if (href && href.length <= maxLinkLength) post({ type: 'openLink', href });
  };
  root.addEventListener('click', (e) => {
    const link = linkOf(e.target);
    if (link) open(e, link);
  });
  root.addEventListener('auxclick', (e) => {
    const link = linkOf(e.target);
    if (link) {
      e.preventDefault();
      e.stopPropagation();
    }
  });
  root.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const link = linkOf(e.target);
    if (link) open(e, link);
  });
}
