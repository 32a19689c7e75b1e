/**
 * A chat as one Markdown document: each question, the explanation as written, interpreter code in fences with its
 * logs in a `text` fence and its images inline (data URLs, so the document stands alone). Pure: no I/O.
 */
import { type ChatRecord, chatTitle } from '../storedChat';
import { type NotebookLabels, englishLabels } from './notebook';

function fence(text: string, info: string): string {
  // A fence longer than any run of backticks inside, so code that contains ``` cannot end it early.
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}${info}\n${text.replace(/\n$/, '')}\n${ticks}`;
}

function fill(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));
}

export function chatToMarkdown(chat: ChatRecord, labels: NotebookLabels = englishLabels): string {
  const out: string[] = [`# ${chatTitle(chat)}`];
  for (const turn of chat.turns) {
    const q = turn.question;
    out.push(`## ${labels.you}`, q.text.split('\n').map((l) => `> ${l}`).join('\n'));
    if (q.context) out.push(`\`${q.context.file}\` (${q.context.startLine}–${q.context.endLine})`, fence(q.context.code, q.context.language));
    out.push(`## ${labels.tutor}`);
    for (const item of turn.run.items) {
      if (item.type === 'text') out.push(item.text);
      else if (item.type === 'code') {
        out.push(fence(item.code, item.language));
        const logs = item.outputs.flatMap((o) => (o.type === 'logs' ? [o.text] : [])).join('');
        if (logs) out.push(fence(logs, 'text'));
        for (const o of item.outputs) {
          if (o.type === 'image' && o.base64) out.push(`![${labels.tutor}](data:${o.mime};base64,${o.base64})`);
          else if (o.type === 'file') out.push(`*${fill(labels.file, o.name, o.bytes)}*`);
        }
      }
    }
    if (turn.run.status === 'failed' && turn.run.error) out.push(`*${fill(labels.failed, turn.run.error.message)}*`);
    else if (turn.run.status === 'cancelled') out.push(`*${labels.stopped}*`);
  }
  return `${out.join('\n\n')}\n`;
}
