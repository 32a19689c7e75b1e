/**
 * The code blocks of a chat, found by reference: an interpreter call's code, or the n-th fenced code block of an
 * explanation. The fences are found with markdown-it, parsed the way the webview parses the text (raw HTML off), so
 * "fence 2 of item m1" means the same block on both sides. Used by the host for Copy / Insert / Replace / Open:
 * the webview names a block, the host reads the code from the transcript it owns (STYLE habit 4).
 */
import MarkdownIt from 'markdown-it';
import type { Turn } from './protocol';

export interface CodeBlock {
  readonly code: string;
  /** The language as written (`python`, `py`, `ts` …), or '' when none was given. */
  readonly language: string;
}

// Block structure is all we need; these options are the webview's (webview/render/markdown.ts) where they matter.
const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });

/** Every fenced code block of `text`, in document order (nested ones in lists and quotes included). */
export function markdownFences(text: string): CodeBlock[] {
  const tokens = md.parse(text, {});
  const out: CodeBlock[] = [];
  for (const t of tokens) {
    if (t.type === 'fence') out.push({ code: t.content, language: t.info.trim().split(/\s+/, 1)[0] ?? '' });
  }
  return out;
}

/** The code a webview's reference names, or undefined if there is no such block. */
export function findCodeBlock(turns: readonly Turn[], turnId: string, itemId: string, fence?: number): CodeBlock | undefined {
  const turn = turns.find((t) => t.id === turnId);
  const item = turn?.run.items.find((i) => i.id === itemId);
  if (!item) return undefined;
  if (fence === undefined) return item.type === 'code' ? { code: item.code, language: item.language } : undefined;
  if (item.type !== 'text') return undefined;
  return markdownFences(item.text)[fence];
}

const languageIds: Readonly<Record<string, string>> = {
  py: 'python',
  python3: 'python',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascriptreact',
  ts: 'typescript',
  tsx: 'typescriptreact',
  sh: 'shellscript',
  bash: 'shellscript',
  zsh: 'shellscript',
  shell: 'shellscript',
  console: 'shellscript',
  'c++': 'cpp',
  cc: 'cpp',
  hpp: 'cpp',
  h: 'c',
  'c#': 'csharp',
  cs: 'csharp',
  md: 'markdown',
  yml: 'yaml',
  rs: 'rust',
  rb: 'ruby',
  kt: 'kotlin',
  golang: 'go',
  ps1: 'powershell',
  text: 'plaintext',
  txt: 'plaintext',
  plain: 'plaintext',
};

/** VS Code's language id for a fence's language name, if it is one `known` contains; else `plaintext`. */
export function languageIdFor(language: string, known: ReadonlySet<string>): string {
  const name = language.trim().toLowerCase();
  const id = languageIds[name] ?? name;
  return known.has(id) ? id : 'plaintext';
}
