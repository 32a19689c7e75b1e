/**
 * Predict, then run, in the terminal client (`--predict`, or the course's `predictBeforeRun`): when a piece of code
 * is written, the learner is asked what it will print before its output is shown. The run keeps streaming while
 * they type; its output waits behind the question and then appears, followed by the prediction marked as a match
 * or not (whitespace-insensitive, as in the editor). An empty line, or no input at all, is "Just show me".
 */
import type { RunStream } from '../engine/runStream';
import { maxPredictionLength, printedText, sameOutput } from '../shared/prediction';
import { type CodeItem, itemById } from '../shared/transcript';
import type { PredictionRecord } from '../shared/learner';
import { format, type cliMessages } from './messages';
import type { TerminalInput } from './terminalInput';
import type { TerminalScreen } from './terminalScreen';

type Messages = ReturnType<typeof cliMessages>;

/** Ask for a prediction at every piece of code of this run; returns the predictions made, by code item id. */
export function predictOnTerminal(run: RunStream, screen: TerminalScreen, input: TerminalInput, msg: Messages): Map<string, PredictionRecord> {
  const predictions = new Map<string, PredictionRecord>();
  let open: string | undefined; // the code item whose output is still coming in
  const settle = (code: CodeItem | undefined) => {
    open = undefined;
    if (!code) return;
    screen.step(async (print) => {
      const p = predictions.get(code.id);
      if (!p || p.text === null) return;
      const printed = printedText(code.outputs);
      print(`${format(msg.predictVerdict, p.text, printed.trim(), sameOutput(p.text, printed) ? msg.predictMatch : msg.predictNoMatch)}\n`);
    });
  };
  run.on('codeDone', (code) => {
    open = code.id;
    screen.newline();
    screen.step(async (print) => {
      const line = await input.next(`${msg.predictPrompt} `);
      const text = line === null || !line.trim() ? null : line.trim().slice(0, maxPredictionLength);
      predictions.set(code.id, { text });
      if (text === null) print(`${msg.predictSkipped}\n`);
    });
  });
  run.on('event', (e, snapshot) => {
    if (open === undefined) return;
    const sameItem = 'id' in e && e.id === open;
    // The output is in when the code's status says it finished, when anything else starts, or when the run ends.
    const finished = sameItem && e.kind === 'code.status' && (e.status === 'done' || e.status === 'failed');
    if (finished || (!sameItem && e.kind !== 'run.retrying')) {
      const item = itemById(snapshot, open);
      settle(item?.type === 'code' ? item : undefined);
    }
  });
  return predictions;
}
