/**
 * The naive way, for comparison (bundled for the browser by the webview benchmark): re-render the whole accumulated
 * markdown with the same markdown-it set-up and the same sanitizing pass, and replace the element's content.
 */
import { renderMarkdown } from '../../webview/render/markdown';
import { sanitizedFragment } from '../../webview/render/sanitize';

declare global {
  interface Window {
    naiveRender(text: string, el: HTMLElement): void;
  }
}

window.naiveRender = (text, el) => {
  el.replaceChildren(sanitizedFragment(document, renderMarkdown(text)));
};
