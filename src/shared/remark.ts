/**
 * A review remark from the tutor's `add_remark` function tool, checked strictly against the code that was
 * reviewed (its lines, 1-based and inclusive). Pure: the host turns remarks into diagnostics, the webview lists them.
 */
/** The function tool's name. */
export const remarkToolName = 'add_remark';

export type RemarkSeverity = 'error' | 'warning' | 'info' | 'hint';
export const remarkSeverities: readonly RemarkSeverity[] = ['error', 'warning', 'info', 'hint'];

export interface Remark {
  readonly line: number;
  readonly endLine?: number;
  readonly severity: RemarkSeverity;
  readonly message: string;
}

/** The lines a review covers: a selection, or the whole file. */
export interface LineRange {
  readonly startLine: number;
  readonly endLine: number;
}

export const maxRemarkMessage = 2_000;

export type RemarkParse = { readonly ok: true; readonly remark: Remark } | { readonly ok: false; readonly problem: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isLine(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

/** Check `add_remark` arguments (a JSON string or an object) against the reviewed lines. Problems are named in English. */
export function parseRemark(raw: unknown, range: LineRange): RemarkParse {
  let args: unknown = raw;
  if (typeof raw === 'string') {
    try {
      args = JSON.parse(raw);
    } catch {
      return { ok: false, problem: 'the arguments are not valid JSON' };
    }
  }
  if (!isObject(args)) return { ok: false, problem: 'the arguments must be an object' };
  const unknown = Object.keys(args).filter((k) => !['line', 'endLine', 'severity', 'message'].includes(k));
  if (unknown.length) return { ok: false, problem: `unknown field "${unknown[0]}"` };
  const { line, endLine, severity, message } = args;
  const span = `${range.startLine}-${range.endLine}`;
  if (!isLine(line)) return { ok: false, problem: '"line" must be a whole number from 1' };
  if (line < range.startLine || line > range.endLine) return { ok: false, problem: `line ${line} is outside the reviewed lines ${span}` };
  if (endLine !== undefined) {
    if (!isLine(endLine)) return { ok: false, problem: '"endLine" must be a whole number from 1' };
    if (endLine < line) return { ok: false, problem: `"endLine" ${endLine} is before "line" ${line}` };
    if (endLine > range.endLine) return { ok: false, problem: `endLine ${endLine} is outside the reviewed lines ${span}` };
  }
  if (typeof severity !== 'string' || !(remarkSeverities as readonly string[]).includes(severity)) {
    return { ok: false, problem: '"severity" must be one of error, warning, info, hint' };
  }
  if (typeof message !== 'string' || message.trim() === '' || message.length > maxRemarkMessage) {
    return { ok: false, problem: `"message" must be a non-empty string of at most ${maxRemarkMessage} characters` };
  }
  return { ok: true, remark: { line, ...(endLine !== undefined && endLine !== line ? { endLine } : {}), severity: severity as RemarkSeverity, message: message.trim() } };
}
