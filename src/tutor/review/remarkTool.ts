/**
 * Review: the `add_remark` function tool the tutor comments through, checked against the reviewed lines, and the
 * message that asks for a review (the code with its line numbers, so remarks land on the right lines). No `vscode`.
 */
import type { FunctionTool } from '../../engine/tools/functionTool';
import { type LineRange, type Remark, maxRemarkMessage, parseRemark, remarkSeverities, remarkToolName } from '../../shared/remark';

export { remarkToolName };

export function remarkTool(range: LineRange, onRemark: (remark: Remark) => void): FunctionTool {
  return {
    name: remarkToolName,
    description: `Attach one review remark to lines ${range.startLine}-${range.endLine} of the learner's code. It appears in their editor at that line.`,
    parameters: {
      type: 'object',
      properties: {
        line: { type: 'integer', minimum: range.startLine, maximum: range.endLine, description: 'The (first) line the remark is about, as numbered in the code.' },
        endLine: { type: 'integer', minimum: range.startLine, maximum: range.endLine, description: 'The last line, when the remark covers several.' },
        severity: { type: 'string', enum: [...remarkSeverities] },
        message: { type: 'string', maxLength: maxRemarkMessage, description: 'The remark: what to look at and why. Do not give the corrected code.' },
      },
      required: ['line', 'severity', 'message'],
      additionalProperties: false,
    },
    async run(args) {
      const parsed = parseRemark(args, range);
      if (!parsed.ok) throw new Error(`the remark was not added: ${parsed.problem}`);
      onRemark(parsed.remark);
      return `Remark added at line ${parsed.remark.line}.`;
    },
  };
}

/** The code with each line numbered as the learner's editor numbers it. */
export function numberedCode(code: string, startLine: number): string {
  const lines = code.split('\n');
  const width = String(startLine + lines.length - 1).length;
  return lines.map((l, i) => `${String(startLine + i).padStart(width, ' ')} | ${l}`).join('\n');
}

/** The message sent for "Review My Code". */
export function reviewPrompt(file: string, language: string, code: string, range: LineRange): string {
  return [
    `Review my code in ${file} (${language}), lines ${range.startLine}-${range.endLine}. Each line below starts with its line number and " | ", which are not part of the code.`,
    `Comment, do not rewrite: for each thing worth a remark call the function tool "${remarkToolName}" with the line it is about,`,
    'a severity (error: a bug; warning: likely trouble; info: style or clarity; hint: an idea to try) and a short message that',
    'says what to look at and why, without giving the corrected code. Then sum up in two or three sentences what is good and what to study next.',
    '',
    '```',
    numberedCode(code, range.startLine),
    '```',
  ].join('\n');
}
