/**
 * A connection dropped after event k, for every k of a realistic stream, and cut in the middle of event k+1's bytes,
 * on every protocol (Responses, Responses in background mode, Assistants, Chat Completions with a `run_python` round): how many runs were recovered, and whether any character shown was lost or shown twice.
 * Background mode recovers by resuming the stream (`starting_after`): its row also counts the runs that resumed.
 * Used by test/unit/reliability.test.ts (which asserts 0 lost, 0 duplicated) and by `npm run bench` (figures under
 * "reliability" in test/bench/results.json).
 */
import { resultsPath, updateResults } from './results';
import { createProvider } from '../../src/engine/createProvider';
import type { Protocol } from '../../src/engine/provider';
import { RunStream } from '../../src/engine/runStream';
import { type RunTranscript, toTranscriptJson } from '../../src/shared/transcript';
import { startFaultProxy } from '../fake/faultProxy';
import { Python3TestInterpreter } from '../fake/python3Interpreter';
import { startFakeServer } from '../fake/server';

export interface ReliabilityFigures {
  readonly runsTried: number;
  readonly runsRecovered: number;
  readonly runsEndedInterrupted: number;
  readonly charactersLost: number;
  readonly charactersDuplicated: number;
  readonly byProtocol: Record<string, { events: number; tried: number; recovered: number; lost: number; duplicated: number; resumed?: number }>;
}

/** What is measured: a protocol, or Responses with background responses (resumed with `starting_after`). */
export type ReliabilityCase = Protocol | 'responses (background)';

const protocolOf = (c: ReliabilityCase): Protocol => (c === 'responses (background)' ? 'responses' : c);

/** Write the figures under "reliability" in test/bench/results.json, keeping whatever else is there. */
export function writeReliability(figures: ReliabilityFigures, file = resultsPath): void {
  updateResults((all) => {
    // "load" comes from the VS Code load bench (vscodeLoad.ts): keep it.
    const load = (all.reliability as { load?: unknown } | undefined)?.load;
    all.reliability = { ...figures, measuredAt: new Date().toISOString(), ...(load === undefined ? {} : { load }) };
  }, file);
}

/** What the learner reads, item by item: text, and code followed by the logs it printed. */
const pieces = (t: RunTranscript): string[] =>
  toTranscriptJson(t).items.map((i) =>
    i.type === 'text' ? i.text : i.type === 'code' ? i.code + i.outputs.map((o) => (o.type === 'logs' ? o.text : '')).join('') : '',
  );

/** Characters shown before the drop that the final transcript no longer has (by item, as a prefix). */
function lostChars(before: readonly string[], after: readonly string[]): number {
  let lost = 0;
  before.forEach((b, i) => {
    const a = after[i] ?? '';
    let k = 0;
    while (k < b.length && k < a.length && a[k] === b[k]) k++;
    lost += b.length - k;
  });
  return lost;
}

/**
 * An interrupted run must show a prefix of the clean answer, item by item: characters past that (an item that goes
 * on differently, or items the clean answer does not have) were shown twice or wrongly.
 */
function extraChars(after: readonly string[], expected: readonly string[]): number {
  let extra = 0;
  after.forEach((a, i) => {
    const e = expected[i] ?? '';
    let k = 0;
    while (k < a.length && k < e.length && a[k] === e[k]) k++;
    extra += a.length - k;
  });
  return extra;
}

/**
 * Protocols measured. A chat run has two streams (the `run_python` call, run by a test-only python3 interpreter, then
 * the answer); the drop is tried at every event of each, so `events` counts both.
 */
export async function measureReliability(
  cases: readonly ReliabilityCase[] = ['responses', 'responses (background)', 'assistants', 'chat'],
  stride = 1,
  /** Each faulted run as it ended, for tests that check how (a clear error, or the whole answer). */
  onRun?: (protocol: ReliabilityCase, fault: string, transcript: RunTranscript) => void,
): Promise<ReliabilityFigures> {
  const server = await startFakeServer({ delayMs: 0 });
  const proxy = await startFaultProxy(server.origin);
  const python = cases.includes('chat') ? new Python3TestInterpreter() : undefined;
  const byProtocol: ReliabilityFigures['byProtocol'] = {};
  let tried = 0;
  let recovered = 0;
  let interrupted = 0;
  let lost = 0;
  let duplicated = 0;
  try {
    for (const testCase of cases) {
      const protocol = protocolOf(testCase);
      const background = testCase === 'responses (background)';
      let expectedPieces: string[] = []; // the clean answer, once it is known
      const ask = (fault: string): { run: RunStream; seen: () => string[]; extraShown: () => number } => {
        const provider = createProvider({ protocol, apiKey: 'sk-test', baseUrl: proxy.url(fault), model: 'm', connectTimeoutMs: 3000, idleTimeoutMs: 1500, pollIntervalMs: 10, ...(background ? { background: true } : {}) });
        const run = RunStream.start(provider, { question: { text: 'What is a list?' }, ...(protocol === 'chat' && python ? { localInterpreter: python } : {}) });
        let shown: string[] = [];
        let extra = 0;
        // What the learner had on screen just before the run ended (before recovery replaced anything), and the most
        // it ever showed past the clean answer (a repeat that a final text later replaced was still seen).
        run.on('event', (e, snap) => {
          if (e.kind !== 'run.finished' && e.kind !== 'text.done' && e.kind !== 'code.done') shown = pieces(snap);
          if (expectedPieces.length > 0) extra = Math.max(extra, extraChars(pieces(snap), expectedPieces));
        });
        return { run, seen: () => shown, extraShown: () => extra };
      };
      // A clean pass: the answer, and how many SSE messages each of its run requests carried (as the proxy saw them).
      const from = proxy.seen.length;
      const clean = await ask('pass').run.done();
      if (clean.status !== 'completed') throw new Error(`${protocol}: the clean run ended ${clean.status}: ${JSON.stringify(clean.error)}`);
      expectedPieces = pieces(clean);
      const streams = proxy.seen.slice(from).flatMap((r) => (r.messages !== undefined ? [r.messages] : []));
      const events = streams.reduce((a, b) => a + b, 0);
      /**
       * Global event g as (request r, message k): the fault that drops request r after k messages. With one stream,
       * every run request of the fault drops (as before); with several, only request r does (`after=r:times=1`).
       */
      const faultAt = (g: number, mid: boolean): string => {
        let r = 0;
        while (g >= streams[r]) g -= streams[r++];
        return `drop:${g}${mid ? ':mid' : ''}${streams.length > 1 ? `:after=${r}:times=1` : ''}`;
      };
      const stats: ReliabilityFigures['byProtocol'][string] = { events, tried: 0, recovered: 0, lost: 0, duplicated: 0, ...(background ? { resumed: 0 } : {}) };
      for (let k = 0; k < events; k = k + stride < events || k === events - 1 ? k + stride : events - 1) {
        for (const mid of [false, true]) {
          const fault = faultAt(k, mid);
          const seenFrom = proxy.seen.length;
          const { run, seen, extraShown } = ask(fault);
          const t = await run.done();
          onRun?.(testCase, fault, t);
          // Resumed: the stream was picked up again after the last event seen (GET …/responses/{id}?stream=true&starting_after=N).
          if (stats.resumed !== undefined && proxy.seen.slice(seenFrom).some((r) => r.method === 'GET' && /\/responses\/[^/?]+\?.*starting_after=/.test(r.path))) stats.resumed++;
          const after = pieces(t);
          let l = lostChars(seen(), after);
          // Shown twice or wrongly: past what the clean answer has, item by item, at the end or at any moment before.
          const d = Math.max(extraShown(), extraChars(after, expectedPieces));
          if (t.status === 'completed') {
            recovered++;
            stats.recovered++;
            // A recovered run must be the whole answer: what it lacks of the clean one is lost too.
            l += extraChars(expectedPieces, after);
          } else interrupted++;
          tried++;
          stats.tried++;
          lost += l;
          duplicated += d;
          stats.lost += l;
          stats.duplicated += d;
        }
      }
      byProtocol[testCase] = stats;
    }
  } finally {
    python?.dispose();
    await proxy.close();
    await server.close();
  }
  return { runsTried: tried, runsRecovered: recovered, runsEndedInterrupted: interrupted, charactersLost: lost, charactersDuplicated: duplicated, byProtocol };
}

/** This file alone: `node --import tsx test/bench/reliability.ts` measures every k and writes the figures. */
if (require.main === module) {
  void measureReliability().then((r) => {
    writeReliability(r);
    for (const [protocol, s] of Object.entries(r.byProtocol)) {
      console.log(`${protocol}: ${s.events} events, ${s.tried} runs, ${s.recovered} recovered${s.resumed !== undefined ? ` (${s.resumed} resumed)` : ''}, ${s.lost} characters lost, ${s.duplicated} duplicated`);
    }
    console.log(`all: ${r.runsTried} runs, ${r.runsRecovered} recovered, ${r.runsEndedInterrupted} interrupted, ${r.charactersLost} lost, ${r.charactersDuplicated} duplicated`);
  });
}
