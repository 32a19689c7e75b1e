/**
 * A chat as a Jupyter notebook (nbformat 4.5): questions and explanations become markdown cells; interpreter code
 * becomes code cells with their outputs — logs as `stream` outputs, images as `display_data` with `image/png` (or
 * their own mime type), files as a `display_data` line naming them. Pure: no I/O, no `vscode`.
 */
import type { CodeOutput } from '../../shared/events';
import type { CodeItem } from '../../shared/transcript';
import { type ChatRecord, chatTitle } from '../storedChat';

export interface NotebookLabels {
  readonly you: string;
  readonly tutor: string;
  /** `{0}`: the reason. */
  readonly failed: string;
  readonly stopped: string;
  /** `{0}`: the file name, `{1}`: its size in bytes. */
  readonly file: string;
}

export const englishLabels: NotebookLabels = {
  you: 'You',
  tutor: 'Tutor',
  failed: 'The answer failed: {0}',
  stopped: 'The answer was stopped here.',
  file: 'File {0} ({1} bytes)',
};

type MultilineString = string[];

export type NotebookOutput =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: MultilineString }
  | { output_type: 'display_data'; data: Record<string, string | MultilineString>; metadata: Record<string, unknown> };

export type NotebookCell =
  | { cell_type: 'markdown'; id: string; metadata: Record<string, unknown>; source: MultilineString }
  | { cell_type: 'code'; id: string; metadata: Record<string, unknown>; source: MultilineString; execution_count: number | null; outputs: NotebookOutput[] };

export interface Notebook {
  nbformat: 4;
  nbformat_minor: 5;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** Jupyter's multiline string: lines that keep their `\n`, the last without. */
export function lines(text: string): MultilineString {
  if (text === '') return [];
  const parts = text.split(/(?<=\n)/);
  return parts;
}

function fill(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');
}

function outputsOf(outputs: readonly CodeOutput[], labels: NotebookLabels): NotebookOutput[] {
  const out: NotebookOutput[] = [];
  for (const o of outputs) {
    if (o.type === 'logs') {
      // Consecutive logs join into one stream output, as Jupyter prints them.
      const last = out.at(-1);
      if (last?.output_type === 'stream') last.text = lines(last.text.join('') + o.text);
      else out.push({ output_type: 'stream', name: 'stdout', text: lines(o.text) });
    } else if (o.type === 'image') {
      if (!o.base64) continue;
      out.push({ output_type: 'display_data', data: { [o.mime || 'image/png']: o.base64, 'text/plain': ['<Figure>'] }, metadata: {} });
    } else {
      out.push({ output_type: 'display_data', data: { 'text/plain': [fill(labels.file, o.name, o.bytes)] }, metadata: {} });
    }
  }
  return out;
}

/** Build the notebook. `labels` are the headings in the learner's language. */
export function chatToNotebook(chat: ChatRecord, labels: NotebookLabels = englishLabels): Notebook {
  const cells: NotebookCell[] = [];
  let n = 0;
  const id = () => `cell-${(n++).toString().padStart(4, '0')}`;
  let answer: NotebookCell | undefined;
  const markdown = (text: string) => {
    // Text that follows text in one answer stays in one cell, as one explanation.
    if (answer && cells.at(-1) === answer) answer.source = lines(`${answer.source.join('')}\n\n${text}`);
    else {
      answer = { cell_type: 'markdown', id: id(), metadata: {}, source: lines(text) };
      cells.push(answer);
    }
  };
  cells.push({ cell_type: 'markdown', id: id(), metadata: {}, source: lines(`# ${chatTitle(chat)}`) });
  for (const turn of chat.turns) {
    const q = turn.question;
    let question = `**${labels.you}:**\n\n${quote(q.text)}`;
    if (q.context) question += `\n\n\`${q.context.file}\` (${q.context.startLine}–${q.context.endLine})\n\n\`\`\`${q.context.language}\n${q.context.code}\n\`\`\``;
    cells.push({ cell_type: 'markdown', id: id(), metadata: { codeTutor: { role: 'question', turnId: turn.id } }, source: lines(question) });
    let first = true;
    for (const item of turn.run.items) {
      if (item.type === 'text') {
        markdown(first ? `**${labels.tutor}:**\n\n${item.text}` : item.text);
        first = false;
      } else if (item.type === 'code') {
        const c: CodeItem = item;
        cells.push({
          cell_type: 'code',
          id: id(),
          metadata: { codeTutor: { turnId: turn.id, itemId: c.id, language: c.language, ...(c.runtime ? { runtime: c.runtime } : {}) } },
          source: lines(c.code),
          execution_count: null,
          outputs: outputsOf(c.outputs, labels),
        });
        first = false;
      }
    }
    if (turn.run.status === 'failed' && turn.run.error) markdown(`*${fill(labels.failed, turn.run.error.message)}*`);
    else if (turn.run.status === 'cancelled') markdown(`*${labels.stopped}*`);
  }
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: 'python' },
      codeTutor: { chatId: chat.id, exportedFrom: 'Code Tutor' },
    },
    cells,
  };
}

/** The `.ipynb` text (Jupyter's own layout: one-space indent, trailing newline). */
export function notebookJson(nb: Notebook): string {
  return `${JSON.stringify(nb, null, 1)}\n`;
}
