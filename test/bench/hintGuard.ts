/**
 * The hint-mode guard on its worst case: one list item with thousands of indented paragraphs (test/fake/
 * hintGuardWorstCase.ts), streamed in 3-character deltas as a model would. Prints the time per size and the ratio
 * of time to size between the largest and the smallest: about 1x per size unit when the cost per delta is bounded,
 * 16x (size ratio) for a quadratic guard. Then long lines (prose, interpreter code), which must not be rescanned per
 * delta either. Figures only, no assertion.
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
  // Long lines: one line of prose, one line of interpreter code, and code that is blank lines after its first.
  const longRows: string[][] = [];
  const feeds: [string, (n: number) => StreamEvent[]][] = [
    ['one line of prose', (n) => deltas('word '.repeat(n / 5), (d) => ({ kind: 'text.delta', id: 'msg', delta: d }))],
    ['one line of code', (n) => [{ kind: 'code.started', id: 'c', language: 'python' }, ...deltas('x'.repeat(n), (d) => ({ kind: 'code.delta', id: 'c', delta: d }))]],
    ['code, then blank lines', (n) => [{ kind: 'code.started', id: 'c', language: 'python' }, ...deltas(`x = 1\n${'\n'.repeat(n)}`, (d) => ({ kind: 'code.delta', id: 'c', delta: d }))]],
  ];
  for (const [label, feed] of feeds) {
    const times = sizesKb.map((kb) => {
      const events = feed(kb * 1000);
      const guard = new HintGuard({ maxLines: 4 });
      const started = performance.now();
      for (const e of events) guard.push(e);
      return performance.now() - started;
    });
    longRows.push([label, ...times.map((t) => num(t, 0)), num(times[times.length - 1] / times[0], 1)]);
  }
  printTable('Hint guard, long lines (3-char deltas), ms', ['input', ...sizesKb.map((kb) => `${kb} KB`), `${last}/${first}`], longRows);
  return { sizes: sizesKb, ms };
}

function deltas(text: string, make: (d: string) => StreamEvent): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (let i = 0; i < text.length; i += 3) out.push(make(text.slice(i, i + 3)));
  return out;
}

if (require.main === module) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  benchHintGuard(sizes.length ? sizes : undefined);
}
