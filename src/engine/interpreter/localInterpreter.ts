/**
 * The contract of a local interpreter behind the `run_python` function tool: Pyodide in a worker thread, or the
 * learner's own CPython (opt-in, with consent). The chat-completions provider (and a Responses server without a hosted
 * interpreter) calls `run` when the model's tool call is complete; outputs stream through `onOutput` while the code runs.
 * No `vscode` here: the extension, the CLI and the tests all use the same runtimes.
 */
import type { CodeOutput, CodeRuntime } from '../../shared/events';

export type RunCodeStatus = 'ok' | 'error' | 'timeout' | 'cancelled' | 'declined';

export interface RunCodeResult {
  readonly status: RunCodeStatus;
  /** Everything the call produced, in order (the same outputs `onOutput` received). */
  readonly outputs: readonly CodeOutput[];
  /** What goes back to the model as the tool result: stdout/stderr (capped), the error, or why it did not run. */
  readonly summary: string;
}

export interface LocalInterpreter {
  readonly runtime: Exclude<CodeRuntime, 'hosted'>;
  /** Run one cell in this chat's namespace (state persists between calls, as in a notebook). */
  run(code: string, onOutput: (output: CodeOutput) => void, signal?: AbortSignal): Promise<RunCodeResult>;
  /** Clear the namespace. */
  reset(): Promise<void>;
  dispose(): void;
}
