/**
 * The `run_python` function tool, for every protocol that runs code locally (chat completions, and Responses servers
 * without a hosted interpreter): its definition, and one call run through a LocalInterpreter with its outputs
 * streamed as `code.output` events while the code runs.
 */
import type { CodeOutput, StreamEvent } from '../../../shared/events';
import type { LocalInterpreter, RunCodeResult } from '../../interpreter/localInterpreter';
import { codeOfArguments, codeToolName } from './chatMapper';

export const runPythonDescription =
  "Run Python code in a sandboxed interpreter on the learner's machine and get back what it printed (stdout, stderr, errors). " +
  'State persists between calls, as in a notebook. matplotlib figures (plt.show()) and files written under /mnt/data are shown ' +
  'to the learner. There is no network access.';

export const runPythonParameters: Record<string, unknown> = {
  type: 'object',
  properties: { code: { type: 'string', description: 'The Python code to run' } },
  required: ['code'],
  additionalProperties: false,
};

/** The chat-completions tool definition. */
export const runPythonChatTool = {
  type: 'function' as const,
  function: { name: codeToolName, description: runPythonDescription, parameters: runPythonParameters },
};

/**
 * Run one call: `code.status` running, each output as it is produced, then `code.status` done, failed, or stopped (the
 * learner's Stop aborted `signal` while it ran: not a failure of the code).
 * Returns what goes back to the model. Never throws: an interpreter that fails becomes an error result.
 */
export async function* runPythonCall(
  interpreter: LocalInterpreter,
  itemId: string,
  rawArguments: string,
  signal?: AbortSignal,
): AsyncGenerator<StreamEvent, RunCodeResult, undefined> {
  const code = codeOfArguments(rawArguments, false);
  if (code === undefined) {
    yield { kind: 'code.status', id: itemId, status: 'failed' };
    return { status: 'error', outputs: [], summary: `Error: the arguments of ${codeToolName} must be a JSON object with a "code" string.` };
  }
  yield { kind: 'code.status', id: itemId, status: 'running' };
  const queue: CodeOutput[] = [];
  let taken = 0;
  let settled = false;
  let wake: (() => void) | undefined;
  let result: RunCodeResult | undefined;
  const running = interpreter
    .run(
      code,
      (o) => {
        queue.push(o);
        wake?.();
      },
      signal,
    )
    .then(
      (r) => {
        result = r;
      },
      (e: unknown) => {
        result = { status: 'error', outputs: [], summary: `Error: the interpreter failed: ${e instanceof Error ? e.message : String(e)}` };
      },
    )
    .finally(() => {
      settled = true;
      wake?.();
    });
  for (;;) {
    while (taken < queue.length) yield { kind: 'code.output', id: itemId, output: queue[taken++] };
    if (settled) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (taken < queue.length || settled) resolve();
    });
    wake = undefined;
  }
  await running;
  const r = result ?? { status: 'error' as const, outputs: [], summary: 'Error: the interpreter returned nothing.' };
  yield { kind: 'code.status', id: itemId, status: r.status === 'ok' ? 'done' : r.status === 'cancelled' ? 'stopped' : 'failed' };
  return r;
}
