/**
 * TEST ONLY: stands in for src/cli/localInterpreter.ts in the CLI bundle the chat CLI tests build (an esbuild
 * redirect), so the terminal client runs run_python for real in the test-only python3 interpreter.
 */
import type { LocalInterpreter } from '../../src/engine/interpreter/localInterpreter';
import { Python3TestInterpreter } from './python3Interpreter';

export type LocalInterpreterKind = 'pyodide' | 'python';
export const localInterpreterKinds: readonly LocalInterpreterKind[] = ['pyodide', 'python'];

export async function createCliInterpreter(kind: LocalInterpreterKind, _input?: unknown): Promise<LocalInterpreter | undefined> {
  return kind === 'python' ? new Python3TestInterpreter() : undefined;
}
