/**
 * Timing and statistics for the benchmarks: repeat a pass until enough time was spent, keep every pass's time.
 * Figures only: nothing here asserts a duration (the machine is shared and noisy; compare ratios from one run).
 */
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface PassOptions {
  /** Untimed passes first, so the JIT has seen the code. */
  readonly warmup?: number;
  readonly minPasses?: number;
  /** Keep going until this much time was spent timing (and minPasses were done). */
  readonly minMs?: number;
  readonly maxPasses?: number;
}

/** Results land here so the JIT cannot drop a pass whose result nobody reads. */
export const sink: { value: unknown } = { value: undefined };

/** Per-pass times in ms. */
export function timePasses(pass: () => unknown, opts: PassOptions = {}): number[] {
  const { warmup = 2, minPasses = 5, minMs = 250, maxPasses = 2000 } = opts;
  for (let i = 0; i < warmup; i++) sink.value = pass();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minPasses || (performance.now() - start < minMs && times.length < maxPasses)) {
    const t0 = performance.now();
    sink.value = pass();
    times.push(performance.now() - t0);
  }
  return times;
}

/** The same for a pass that returns its own measured time (ms), e.g. an async run that times only part of itself. */
export async function timeAsyncPasses(pass: () => Promise<number>, opts: PassOptions = {}): Promise<number[]> {
  const { warmup = 2, minPasses = 5, minMs = 250, maxPasses = 2000 } = opts;
  for (let i = 0; i < warmup; i++) await pass();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minPasses || (performance.now() - start < minMs && times.length < maxPasses)) {
    times.push(await pass());
  }
  return times;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100): with 20 samples, p95 is the 19th smallest. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1];
}

export interface Gc {
  readonly collect: () => void;
  /** How it was obtained, for the header. */
  readonly how: string;
}

/**
 * A way to force a full collection for heap figures: `global.gc` when node runs with --expose-gc; otherwise the
 * flag is set at run time and `gc` taken from a fresh context (a V8 feature node does not document); else none.
 */
export function findGc(): Gc | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { collect: () => g(), how: 'global.gc (--expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    const fromContext = runInNewContext('gc') as unknown;
    if (typeof fromContext === 'function') {
      return { collect: () => (fromContext as () => void)(), how: 'gc via v8.setFlagsFromString + vm (run without --expose-gc)' };
    }
  } catch {
    // not available: heap figures then include garbage not yet collected
  }
  return undefined;
}

/**
 * Run `fn` and report how many ms of it were garbage collection (node's `gc` performance entries whose start falls
 * inside it). The entries arrive asynchronously (later than the next setImmediate), so this waits 50 ms before counting.
 */
export async function withGcTime<T>(fn: () => T): Promise<{ value: T; gcMs: number; wallMs: number }> {
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const start = performance.now();
  const value = fn();
  const end = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  const gcMs = entries.filter((e) => e.startTime >= start && e.startTime <= end).reduce((s, e) => s + e.duration, 0);
  return { value, gcMs, wallMs: end - start };
}
