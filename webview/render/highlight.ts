// highlight.js types its core entry nowhere; the declaration must reach the Node-side type check of the tests too.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./highlightCore.d.ts" />
/**
 * Syntax highlighting as HTML strings (highlight.js escapes the source; the output is spans with `hljs-*` classes),
 * plus the line chunking that lets a streaming block be highlighted one finished line at a time. No DOM.
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { visibleControls } from '../../src/shared/safeText';

/** The marks `visibleControls` writes: `⟨U+202E⟩`, `⟨ESC⟩`, `⟨NUL⟩` … */
const controlMarkPattern = /⟨(?:U\+[0-9A-F]{4,6}|NUL|ESC|BEL|BS|DEL|CSI)⟩/g;

const languages = { bash, c, cpp, css, go, java, javascript, json, markdown, python, rust, shell, sql, typescript, xml, yaml };
for (const [name, lang] of Object.entries(languages)) hljs.registerLanguage(name, lang);

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => htmlEscapes[ch]);
}

/** A registered language name (or alias: `py`, `js`, `sh` …) in a safe spelling, else undefined. */
export function resolveLanguage(lang: string | undefined): string | undefined {
  if (!lang) return undefined;
  const name = lang.trim().split(/\s+/, 1)[0].toLowerCase();
  if (!/^[a-z0-9_+#-]{1,30}$/.test(name)) return undefined;
  return hljs.getLanguage(name) ? name : undefined;
}

/**
 * Highlighted HTML for `code`, or the escaped code when the language is unknown. Always safe to put in innerHTML.
 * Bidi controls, ANSI escapes, NUL and other control characters are shown as marks (`⟨ESC⟩`), never raw.
 */
/** The class of a code element highlighted as `lang` (a name resolveLanguage gave, or none). */
export function highlightClass(lang: string | undefined): string {
  return lang ? `hljs language-${lang}` : 'hljs';
}

export function highlightToHtml(code: string, lang: string | undefined): string {
  return markControls(highlightRaw(visibleControls(code), lang));
}

function highlightRaw(code: string, lang: string | undefined): string {
  const name = resolveLanguage(lang);
  if (!name) return escapeHtml(code);
  try {
    return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
  } catch {
    return escapeHtml(code);
  }
}

/** Wrap each visible control mark in a span so it stands out from the code (the marks hold no markup characters). */
function markControls(html: string): string {
  return html.includes('⟨') ? html.replace(controlMarkPattern, '<span class="ctl-mark">$&</span>') : html;
}

/**
 * The end of the next chunk of whole lines to highlight, starting at `from`: at most ~`budget` characters, but at
 * least one whole line. Returns `from` when no line after `from` is complete yet.
 */
export function nextLineChunk(code: string, from: number, budget: number): number {
  const limit = Math.min(code.length, from + budget);
  let end = code.lastIndexOf('\n', limit - 1);
  if (end < from) {
    end = code.indexOf('\n', from);
    if (end < 0) return from;
  }
  return end + 1;
}
