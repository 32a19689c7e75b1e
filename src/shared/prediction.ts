/**
 * Predict, then run: what an interpreter call printed, and whether the learner's prediction matches it.
 * Matching ignores whitespace entirely (spaces, tabs, line breaks), so "[1, 4]" matches "[1,4]\n". Pure.
 */
import type { CodeOutput } from './events';

export const maxPredictionLength = 2_000;

/** The text an interpreter call printed: its logs, in order. */
export function printedText(outputs: readonly CodeOutput[]): string {
  let s = '';
  for (const o of outputs) if (o && o.type === 'logs' && typeof o.text === 'string') s += o.text;
  return s;
}

function squeeze(s: string): string {
  return s.replace(/\s+/gu, '');
}

/** Whitespace-insensitive equality. */
export function sameOutput(a: string, b: string): boolean {
  return squeeze(a) === squeeze(b);
}
