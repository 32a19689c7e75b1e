/**
 * The webview's style sheets stay flat: every rule is closed before the next one starts. A lost `}` (easy to get in a
 * merge) is still valid CSS, because of CSS nesting, but it silently nests every later rule under the open selector,
 * where none of them applies (the chat list then stopped scrolling and the composer slid out of view).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

/** Line numbers of rules that open inside another style rule (at-rules such as @media may contain rules). */
function nestedRules(css: string): Array<{ line: number; selector: string }> {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  const stack: Array<{ at: boolean }> = [];
  const found: Array<{ line: number; selector: string }> = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') {
      const selector = text.slice(start, i).trim();
      const at = selector.startsWith('@');
      if (!at && stack.some((s) => !s.at)) found.push({ line: text.slice(0, i).split('\n').length, selector });
      stack.push({ at });
      start = i + 1;
    } else if (ch === '}') {
      stack.pop();
      start = i + 1;
    } else if (ch === ';') {
      start = i + 1;
    }
  }
  if (stack.length > 0) found.push({ line: text.split('\n').length, selector: `(${stack.length} block(s) never closed)` });
  return found;
}

for (const file of ['styles.css', 'tutor.css']) {
  test(`webview/${file}: no rule is left open (no accidental nesting)`, () => {
    const css = readFileSync(path.join(__dirname, '..', '..', 'webview', file), 'utf8');
    assert.deepEqual(nestedRules(css), []);
  });
}

test('the check itself finds a lost closing brace', () => {
  assert.deepEqual(nestedRules('.a {\n  color: red;\n.b {\n  color: blue;\n}\n'), [
    { line: 3, selector: '.b' },
    { line: 6, selector: '(1 block(s) never closed)' },
  ]);
  assert.deepEqual(nestedRules('@media (x) {\n  .a { color: red; }\n}\n'), []);
});
