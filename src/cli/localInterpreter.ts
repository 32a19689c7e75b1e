/**
 * The ONE place the terminal client gets its local interpreter (`--local-interpreter pyodide|python`).
 * Pyodide runs sandboxed in a worker thread (its files ship next to dist/cli.js). The learner's own Python asks before
 * each run on the terminal; without a terminal to ask on, nothing runs (the model is told the learner declined).
 */
import type { LocalInterpreter } from '../engine/interpreter/localInterpreter';
import { PyodideInterpreter } from '../engine/interpreter/pyodide/pyodideInterpreter';
import { type Consent, CPythonInterpreter } from '../engine/interpreter/python/cpythonInterpreter';
import { cliMessages } from './messages';
import type { TerminalInput } from './terminalInput';

export type LocalInterpreterKind = 'pyodide' | 'python';
export const localInterpreterKinds: readonly LocalInterpreterKind[] = ['pyodide', 'python'];

function locale(): string {
  return process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || 'en';
}

/** Show the code on stderr and ask Run / Skip / Always; no terminal (CI, a pipe) means Skip. */
async function askOnTerminal(code: string, input: TerminalInput): Promise<Consent> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return 'skip';
  process.stderr.write(`\n${code}\n`);
  const answer = ((await input.next(cliMessages().confirmRun)) ?? '').trim().toLowerCase();
  return answer === 'a' ? 'always' : answer === 'r' || answer === 'y' ? 'run' : 'skip';
}

/**
 * A fresh interpreter of that kind (the CLI disposes it when the run ends), or undefined when this build cannot make
 * one (Pyodide's files are not next to cli.js): the CLI then says so and answers without running code.
 */
export async function createCliInterpreter(kind: LocalInterpreterKind, input: TerminalInput): Promise<LocalInterpreter | undefined> {
  if (kind === 'python') return new CPythonInterpreter({ confirm: (code) => askOnTerminal(code, input), locale: locale() });
  try {
    return new PyodideInterpreter({ locale: locale() });
  } catch {
    return undefined;
  }
}
