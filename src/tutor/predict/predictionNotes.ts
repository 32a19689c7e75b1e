/**
 * Predictions go to the tutor with the learner's NEXT question, so it can address a misconception: a short note
 * appended to the message sent ("Earlier the learner predicted … and the output was …"). Pure; no `vscode`.
 */
import { own } from '../../shared/learner';
import { printedText, sameOutput } from '../../shared/prediction';
import type { Turn } from '../../shared/protocol';

const maxQuoted = 400;

function quote(s: string): string {
  const one = s.trim();
  return JSON.stringify(one.length > maxQuoted ? `${one.slice(0, maxQuoted)}…` : one);
}

/**
 * The note for every prediction not yet told to the tutor, and the turns with those predictions marked as told.
 * "Just show me" is not a prediction and is not reported. Turns without news are returned as they were.
 */
export function predictionNotes(turns: readonly Turn[]): { readonly text: string; readonly turns: Turn[] } {
  const lines: string[] = [];
  const next = turns.map((turn) => {
    const predictions = turn.learner?.predictions;
    if (!predictions) return turn;
    let changed = false;
    const marked: Record<string, { text: string | null; reported?: boolean }> = { ...predictions };
    for (const itemId of Object.keys(predictions)) {
      const p = own(predictions, itemId);
      if (!p || p.reported) continue;
      changed = true;
      marked[itemId] = { ...p, reported: true };
      if (p.text === null) continue;
      const item = turn.run.items.find((i) => i.id === itemId);
      if (item?.type !== 'code') continue;
      const printed = printedText(item.outputs);
      const verdict = sameOutput(p.text, printed) ? 'which matches' : 'which does not match';
      lines.push(`- For the code that begins ${quote(item.code.split('\n')[0] ?? '')}, the learner predicted ${quote(p.text)}; the output was ${quote(printed)}, ${verdict}.`);
    }
    return changed ? { ...turn, learner: { ...turn.learner, predictions: marked } } : turn;
  });
  const text = lines.length
    ? `\n\n(Earlier the learner predicted what code would print before seeing it:\n${lines.join('\n')}\nIf a prediction was wrong, address the misconception behind it.)`
    : '';
  return { text, turns: next };
}
