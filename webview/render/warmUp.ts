/**
 * The first answer's first frames paid for code nothing had run yet: markdown-it's rules, highlight.js's grammar,
 * DOMPurify's set-up in this window, all compiled and run cold while the learner waited for the first words. Once the
 * page is idle (the learner is still typing), a short answer of each kind is rendered once, off the document, and
 * dropped. The markdown counters that tests read are left as they were.
 */
import { highlightToHtml } from './highlight';
import { markdownStats, renderMarkdown } from './markdown';
import { sanitizedFragment } from './sanitize';

const sample = 'A *short* answer with `code`, **bold** and [a link](https://docs.python.org/3/).\n\n- one\n- two\n\n```python\nfor i in range(3):\n    print(i)  # n\n```\n';

export function warmUpRenderers(doc: Document): void {
  const md = { ...markdownStats };
  const box = doc.createElement('div');
  box.append(sanitizedFragment(doc, renderMarkdown(sample)));
  box.append(sanitizedFragment(doc, highlightToHtml('def f(x):\n    return x * 2\n', 'python')));
  Object.assign(markdownStats, md);
}
