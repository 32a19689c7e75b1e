/**
 * The ONE place the extension gets a chat's local interpreter (the runtime behind `run_python`). The runtimes live
 * in src/engine/interpreter/ (Pyodide in a worker thread; the learner's own CPython, opt-in, asking before each run).
 * Until they are in this build there is none, and code does not run locally: point `createLocalInterpreter` at them.
 */
import type { LocalInterpreter } from '../engine/interpreter/localInterpreter';

/** Which local runtime, from `codeTutor.localInterpreter` (when that setting exists). */
export type LocalRuntimeKind = 'pyodide' | 'python';

/** A fresh interpreter for one chat (one Python namespace), or undefined when this build has none. */
export function createLocalInterpreter(kind: LocalRuntimeKind = 'pyodide'): LocalInterpreter | undefined {
  void kind;
  return undefined;
}
