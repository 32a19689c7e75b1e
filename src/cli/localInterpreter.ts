/**
 * The ONE place the terminal client gets its local interpreter (`--local-interpreter pyodide|python`).
 * The runtimes themselves live in src/engine/interpreter/ (Pyodide in a worker thread; the learner's own CPython,
 * which asks before each run). Until they are in this build, this answers why there is none, and the CLI runs
 * without the interpreter. Point it at the runtimes here, nowhere else.
 */
import type { LocalInterpreter } from '../engine/interpreter/localInterpreter';

export type LocalInterpreterKind = 'pyodide' | 'python';
export const localInterpreterKinds: readonly LocalInterpreterKind[] = ['pyodide', 'python'];

/** A fresh interpreter of that kind, or undefined when this build has none (the CLI then says so and runs without). */
export async function createCliInterpreter(kind: LocalInterpreterKind): Promise<LocalInterpreter | undefined> {
  void kind;
  return undefined;
}
