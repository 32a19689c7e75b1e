/**
 * Section 2: does the cost of one event stay flat as the answer grows? A synthetic long answer (N text deltas of
 * ~20 chars, then a code block of N code deltas) through the reducer at three sizes; then a fixed number of deltas
 * into a transcript that already holds M items, through the reducer alone and through RunStream (whose dispatch
 * also looks items up); then heap growth.
 */
import { RunStream } from '../../src/engine/runStream';
import type { StreamEvent } from '../../src/shared/events';
import { type RunTranscript, emptyTranscript, reduce, reduceAll } from '../../src/shared/transcript';
import { type Gc, median, sink, timeAsyncPasses, timePasses, withGcTime } from './measure';
import { num, printTable } from './table';

const textDelta = 'the loop adds i*i to '; // 21 chars
const codeDelta = 'total += i * i  # ok\n'; // 21 chars

/** run.started, N text deltas, a code block of N code deltas, run.finished. */
function longAnswer(n: number): StreamEvent[] {
  const events: StreamEvent[] = [{ kind: 'run.started', responseId: 'resp_bench' }];
  for (let i = 0; i < n; i++) events.push({ kind: 'text.delta', id: 'msg:0', delta: textDelta });
  events.push({ kind: 'code.started', id: 'ci_0', language: 'python' });
  for (let i = 0; i < n; i++) events.push({ kind: 'code.delta', id: 'ci_0', delta: codeDelta });
  events.push({ kind: 'run.finished', status: 'completed' });
  return events;
}

/** Events that leave M finished items (text and code alternating) in the transcript. */
function priorItems(m: number): StreamEvent[] {
  const events: StreamEvent[] = [{ kind: 'run.started', responseId: 'resp_bench' }];
  for (let i = 0; i < m; i++) {
    if (i % 2) events.push({ kind: 'code.done', id: `ci_${i}`, code: 'print(1)\n' });
    else events.push({ kind: 'text.done', id: `msg_${i}:0`, text: 'An earlier paragraph of the answer.' });
  }
  return events;
}

/** The control: keep the text and code, nothing else. */
function appendOnly(events: readonly StreamEvent[]): number {
  let text = '';
  let code = '';
  for (const e of events) {
    if (e.kind === 'text.delta') text += e.delta;
    else if (e.kind === 'code.delta') code += e.delta;
  }
  sink.value = [text, code];
  return text.length + code.length;
}

function deltasToNewItem(count: number): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (let i = 0; i < count; i++) events.push({ kind: 'text.delta', id: 'msg_last:0', delta: textDelta });
  return events;
}

/** The long answer made as it would arrive: each delta a fresh flat string (as a stream decoder makes it). */
function* freshAnswer(n: number): Generator<StreamEvent> {
  const text = Buffer.from(textDelta);
  const code = Buffer.from(codeDelta);
  yield { kind: 'run.started', responseId: 'resp_bench' };
  for (let i = 0; i < n; i++) yield { kind: 'text.delta', id: 'msg:0', delta: text.toString('utf8') };
  yield { kind: 'code.started', id: 'ci_0', language: 'python' };
  for (let i = 0; i < n; i++) yield { kind: 'code.delta', id: 'ci_0', delta: code.toString('utf8') };
  yield { kind: 'run.finished', status: 'completed' };
}

function charsHeld(t: RunTranscript): number {
  return t.items.reduce((s, it) => s + (it.type === 'text' ? it.text.length : it.type === 'code' ? it.code.length : 0), 0);
}

async function heapOf(n: number, via: 'reduce' | 'RunStream', gc: Gc | undefined): Promise<{ events: number; chars: number; peak: number; retained: number }> {
  sink.value = undefined; // let the previous measurement's run go
  gc?.collect();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  let events = 0;
  const sample = () => {
    if (++events % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  let t = emptyTranscript;
  let run: RunStream | undefined;
  if (via === 'reduce') {
    for (const e of freshAnswer(n)) {
      t = reduce(t, e);
      sample();
    }
  } else {
    run = new RunStream(async function* () {
      yield* freshAnswer(n);
    }, { question: { text: 'bench' } }).on('event', sample);
    t = await run.done();
  }
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  gc?.collect();
  const retained = process.memoryUsage().heapUsed - before;
  // Both stay reachable until here, so the figure above is what they hold.
  sink.value = [t, run];
  return { events, chars: charsHeld(t), peak: peak - before, retained };
}

export interface ScalingResult {
  /** Median ns per event, by N. */
  readonly perEventByN: ReadonlyMap<number, number>;
  /** Median ns per delta by M items: reducer alone, and through RunStream. */
  readonly perDeltaByItems: ReadonlyMap<number, { reduce: number; runStream: number }>;
  /** Best pass and GC share, ns per event, by N. */
  readonly bestByN: ReadonlyMap<number, number>;
  readonly gcByN: ReadonlyMap<number, number>;
  /** Mean ns per event with the GC time taken out, by N. */
  readonly withoutGcByN: ReadonlyMap<number, number>;
  /** The control: ns per delta to only append the deltas to two strings. */
  readonly controlByN: ReadonlyMap<number, number>;
  /** Retained heap bytes per event at the largest N, reducer alone and a finished RunStream (undefined without gc). */
  readonly retainedPerEvent?: number;
  readonly runStreamRetainedPerEvent?: number;
  readonly sizes: readonly number[];
  readonly itemCounts: readonly number[];
}

async function runStreamPerDelta(prefix: readonly StreamEvent[], deltas: readonly StreamEvent[]): Promise<number> {
  let started = 0;
  async function* source(): AsyncGenerator<StreamEvent> {
    for (const e of prefix) yield e;
    started = performance.now();
    for (const e of deltas) yield e;
    yield { kind: 'run.finished', status: 'completed' };
  }
  // A consumer like the host's: it reads the snapshot of every delta.
  let chars = 0;
  const run = new RunStream(() => source(), { question: { text: 'bench' } }).on('textDelta', (_d, snap) => (chars = snap.text.length));
  await run.done();
  const ms = performance.now() - started;
  sink.value = chars;
  return ms;
}

export async function benchScaling(gc: Gc | undefined): Promise<ScalingResult> {
  console.log('\n== 2. Scaling: cost per event as the answer grows ==');
  const sizes = [1_000, 10_000, 100_000];
  const perEventByN = new Map<number, number>();
  const controlByN = new Map<number, number>();
  const bestByN = new Map<number, number>();
  const gcByN = new Map<number, number>();
  const withoutGcByN = new Map<number, number>();
  const rows = [];
  for (const n of sizes) {
    const events = longAnswer(n);
    const warmup = 2;
    const { value: times, gcMs, wallMs } = await withGcTime(() =>
      timePasses(() => reduceAll(events), { warmup, minPasses: n >= 100_000 ? 7 : 10, minMs: n >= 100_000 ? 600 : 300 }),
    );
    const ms = median(times);
    const nsPerEvent = (ms * 1e6) / events.length;
    perEventByN.set(n, nsPerEvent);
    // Warm-up passes run inside the window too: GC and the mean without it are over every pass made.
    const allEvents = events.length * (times.length + warmup);
    const gcNsPerEvent = (gcMs * 1e6) / allEvents;
    const withoutGc = ((wallMs - gcMs) * 1e6) / allEvents;
    const control = (median(timePasses(() => appendOnly(events), { minPasses: 5, minMs: 100 })) * 1e6) / events.length;
    controlByN.set(n, control);
    bestByN.set(n, (Math.min(...times) * 1e6) / events.length);
    gcByN.set(n, gcNsPerEvent);
    withoutGcByN.set(n, withoutGc);
    rows.push([
      `${num(n, 0)} + ${num(n, 0)}`,
      num(events.length, 0),
      num(ms, 3),
      num(nsPerEvent, 0),
      num(bestByN.get(n) ?? NaN, 0),
      num(gcNsPerEvent, 0),
      num(withoutGc, 0),
      num(events.length / (ms / 1000), 0),
      num(control, 0),
      String(times.length),
    ]);
  }
  const first = perEventByN.get(sizes[0]) ?? NaN;
  printTable('Long answer through reduce(): N text deltas + N code deltas (~21 chars each), one text item + one code item', ['text + code deltas', 'events', 'ms/pass (median)', 'ns/event', 'best pass ns/event', 'GC ns/event (mean)', 'excl. GC ns/event (mean)', 'events/s', 'control ns/event', 'passes'], rows, [
    `per-event cost ${num(sizes[1], 0)}/${num(sizes[0], 0)}: ${num((perEventByN.get(sizes[1]) ?? NaN) / first, 2)}x, ${num(sizes[2], 0)}/${num(sizes[0], 0)}: ${num((perEventByN.get(sizes[2]) ?? NaN) / first, 2)}x (1.0 = constant per event);` +
      ` best pass ${num(sizes[2], 0)}/${num(sizes[0], 0)}: ${num((bestByN.get(sizes[2]) ?? NaN) / (bestByN.get(sizes[0]) ?? NaN), 2)}x`,
    `excl. GC ${num(sizes[2], 0)}/${num(sizes[0], 0)}: ${num((withoutGcByN.get(sizes[2]) ?? NaN) / (withoutGcByN.get(sizes[0]) ?? NaN), 2)}x`,
    'GC = time in garbage collection (node perf_hooks "gc" entries) over every pass incl. warm-up, per event; excl. GC = the rest of that time;',
    'control = only appending each delta to one of two strings (the text a run must keep anyway), no transcript;',
    'most of the growth is GC: every delta leaves a live rope node that young-generation collections copy; what remains without GC',
    'is not explained here (cache misses on a 200k-event input are one candidate, not measured).',
  ]);

  const itemCounts = [10, 100, 1_000, 10_000];
  const deltaCount = 5_000;
  const deltas = deltasToNewItem(deltaCount);
  const perDeltaByItems = new Map<number, { reduce: number; runStream: number }>();
  const itemRows = [];
  for (const m of itemCounts) {
    const prefix = priorItems(m);
    const start: RunTranscript = reduceAll(prefix);
    const reduceMs = median(timePasses(() => reduceAll(deltas, start), { minPasses: 5, minMs: 250 }));
    const streamMs = median(await timeAsyncPasses(() => runStreamPerDelta(prefix, deltas), { minPasses: 3, minMs: 250, warmup: 1 }));
    const r = { reduce: (reduceMs * 1e6) / deltaCount, runStream: (streamMs * 1e6) / deltaCount };
    perDeltaByItems.set(m, r);
    itemRows.push([num(m, 0), num(start.items.length + 1, 0), num(r.reduce, 0), num(r.runStream, 0)]);
  }
  const base = perDeltaByItems.get(itemCounts[0]);
  printTable(`${num(deltaCount, 0)} text deltas into the newest item of a transcript that already holds M items`, ['M earlier items', 'items after', 'reduce ns/delta', 'RunStream ns/delta'], itemRows, [
    ...itemCounts.slice(1).map((m) => {
      const r = perDeltaByItems.get(m);
      return `M=${num(m, 0)} vs M=${itemCounts[0]}: reduce ${num((r?.reduce ?? NaN) / (base?.reduce ?? NaN), 2)}x, RunStream ${num((r?.runStream ?? NaN) / (base?.runStream ?? NaN), 2)}x`;
    }),
    'reduce keeps items in a persistent list with an id index (src/shared/persistentList.ts): a delta costs the same for any M;',
    'RunStream adds an async-generator hop and an itemById lookup per event in dispatch (O(1)), with a textDelta handler attached.',
  ]);

  // Heap: what a run holds. Deltas are made fresh (flat strings, as decoding a stream makes them) while the run
  // goes, so the baseline does not include them; the peak is sampled every 1,000 events.
  let retainedPerEvent: number | undefined;
  let runStreamRetainedPerEvent: number | undefined;
  const heapRows = [];
  for (const n of sizes) {
    for (const via of ['reduce', 'RunStream'] as const) {
      const h = await heapOf(n, via, gc);
      if (n === sizes[sizes.length - 1] && gc) {
        if (via === 'reduce') retainedPerEvent = h.retained / h.events;
        else runStreamRetainedPerEvent = h.retained / h.events;
      }
      heapRows.push([`${num(n, 0)} + ${num(n, 0)}`, via, num(h.chars, 0), num(h.peak / 1e6, 2), gc ? num(h.retained / 1e6, 2) : 'n/a', gc ? num(h.retained / h.events, 0) : 'n/a']);
    }
  }
  printTable('Heap while a long answer streams in (process.memoryUsage().heapUsed)', ['text + code deltas', 'via', 'chars held', 'peak growth MB', 'retained MB', 'retained B/event'], heapRows, [
    gc ? `full collection before and after (${gc.how}); peak sampled every 1,000 events` : 'no gc available: peak and retained include garbage not yet collected (run node with --expose-gc)',
    'retained (reduce) = the final transcript: texts grown by `+` are rope strings, one node per delta plus the delta itself, until flattened;',
    'retained (RunStream) = a finished RunStream still referenced: its transcript plus its log of every event (kept for late iterators).',
  ]);
  return { perEventByN, bestByN, gcByN, withoutGcByN, controlByN, perDeltaByItems, retainedPerEvent, runStreamRetainedPerEvent, sizes, itemCounts };
}
