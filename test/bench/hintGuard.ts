/**
 * The hint-mode guard on its worst case: one list item with thousands of indented paragraphs (test/fake/
 * hintGuardWorstCase.ts), streamed in 3-character deltas as a model would. Prints the time per size and the ratio
 * of time to size between the largest and the smallest: about 1x per size unit when the cost per delta is bounded,
 * 16x (size ratio) for a quadratic guard. Figures only, no assertion.
 */
import type { StreamEvent } from '../../src/shared/events';
import { HintGuard } from '../../src/tutor/hintGuard';
import { hintGuardWorstCase } from '../fake/hintGuardWorstCase';
import { printTable, num } from './table';

export interface HintGuardFigures {
  readonly sizes: readonly number[];
  readonly ms: ReadonlyMap<number, number>;
}

function guardOnce(text: string): { ms: number; withheld: number } {
  const guard = new HintGuard({ maxLines: 4 });
  const started = performance.now();
  let withheld = 0;
  const count = (out: StreamEvent[]) => {
    for (const e of out) if (e.kind === 'withheld') withheld++;
  };
  count(guard.push({ kind: 'run.started', responseId: 'resp_bench' }));
  for (let i = 0; i < text.length; i += 3) count(guard.push({ kind: 'text.delta', id: 'msg', delta: text.slice(i, i + 3) }));
  count(guard.push({ kind: 'text.done', id: 'msg', text }));
  count(guard.push({ kind: 'run.finished', status: 'completed' }));
  return { ms: performance.now() - started, withheld };
}

export function benchHintGuard(sizesKb: readonly number[] = [25, 100, 400]): HintGuardFigures {
  const ms = new Map<number, number>();
  const rows: string[][] = [];
  for (const kb of sizesKb) {
    const text = hintGuardWorstCase(kb * 1000);
    guardOnce(text.slice(0, 5000)); // warm up
    const runs = kb <= 100 ? 3 : 1;
    const times: number[] = [];
    let withheld = 0;
    for (let r = 0; r < runs; r++) {
      const once = guardOnce(text);
      times.push(once.ms);
      withheld = once.withheld;
    }
    const best = Math.min(...times);
    ms.set(kb, best);
    rows.push([`${kb} KB`, num(text.length / 1000, 0), num(best, 0), num((best * 1e6) / text.length, 0), String(withheld)]);
  }
  const first = sizesKb[0];
  const last = sizesKb[sizesKb.length - 1];
  const ratio = (ms.get(last) ?? NaN) / (ms.get(first) ?? NaN);
  printTable('Hint guard, worst case (one list item, thousands of indented paragraphs, 3-char deltas)', ['input', 'KB', 'ms (best)', 'ns/char', 'withheld'], rows, [
    `${last}/${first} KB: time ${num(ratio, 1)}x for ${num(last / first, 0)}x the text (${num(last / first, 0)}x = linear, ${num((last / first) ** 2, 0)}x = quadratic)`,
  ]);
  return { sizes: sizesKb, ms };
}

if (require.main === module) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  benchHintGuard(sizes.length ? sizes : undefined);
}
