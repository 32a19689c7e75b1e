/**
 * A connection dropped after event k, for every k of a realistic stream, and cut in the middle of event k+1's bytes,
 * on both protocols: how many runs were recovered, and whether any character shown was lost or shown twice.
 * Used by test/unit/reliability.test.ts (which asserts 0 lost, 0 duplicated) and by `npm run bench` (figures under
 * "reliability" in test/bench/results.json).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createProvider } from '../../src/engine/createProvider';
import type { Protocol } from '../../src/engine/provider';
import { RunStream } from '../../src/engine/runStream';
import { type RunTranscript, toTranscriptJson } from '../../src/shared/transcript';
import { startFaultProxy } from '../fake/faultProxy';
import { startFakeServer } from '../fake/server';

export interface ReliabilityFigures {
  readonly runsTried: number;
  readonly runsRecovered: number;
  readonly runsEndedInterrupted: number;
  readonly charactersLost: number;
  readonly charactersDuplicated: number;
  readonly byProtocol: Record<string, { events: number; tried: number; recovered: number; lost: number; duplicated: number }>;
}

/** Write the figures under "reliability" in test/bench/results.json, keeping whatever else is there. */
export function writeReliability(figures: ReliabilityFigures, file = join(__dirname, 'results.json')): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // no results yet
  }
  all.reliability = { ...figures, measuredAt: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

const pieces = (t: RunTranscript): string[] => toTranscriptJson(t).items.map((i) => (i.type === 'text' ? i.text : i.type === 'code' ? i.code : ''));

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

export async function measureReliability(protocols: readonly Protocol[] = ['responses', 'assistants'], stride = 1): Promise<ReliabilityFigures> {
  const server = await startFakeServer({ delayMs: 0 });
  const proxy = await startFaultProxy(server.origin);
  const byProtocol: ReliabilityFigures['byProtocol'] = {};
  let tried = 0;
  let recovered = 0;
  let interrupted = 0;
  let lost = 0;
  let duplicated = 0;
  try {
    for (const protocol of protocols) {
      const ask = (fault: string): { run: RunStream; seen: () => string[] } => {
        const provider = createProvider({ protocol, apiKey: 'sk-test', baseUrl: proxy.url(fault), model: 'm', connectTimeoutMs: 3000, idleTimeoutMs: 1500, pollIntervalMs: 10 });
        const run = RunStream.start(provider, { question: { text: 'What is a list?' } });
        let shown: string[] = [];
        // What the learner had on screen just before the run ended (before recovery replaced anything).
        run.on('event', (e, snap) => {
          if (e.kind !== 'run.finished' && e.kind !== 'text.done' && e.kind !== 'code.done') shown = pieces(snap);
        });
        return { run, seen: () => shown };
      };
      const clean = await ask('pass').run.done();
      const expected = pieces(clean).join('');
      // Count the stream's messages as the proxy would (a clean pass).
      const head = await fetch(`${proxy.url('pass')}/${protocol === 'responses' ? 'responses' : 'threads/runs'}`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json', 'openai-beta': 'assistants=v2' },
        body: JSON.stringify(
          protocol === 'responses'
            ? { model: 'm', input: 'What is a list?', stream: true }
            : { assistant_id: (await (await fetch(`${proxy.url('pass')}/assistants`, { method: 'POST', headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json', 'openai-beta': 'assistants=v2' }, body: JSON.stringify({ model: 'm' }) })).json() as { id: string }).id, thread: { messages: [{ role: 'user', content: 'What is a list?' }] }, stream: true },
        ),
      });
      const events = (await head.text()).split('\n\n').filter((m) => m.trim() !== '').length;
      const stats = { events, tried: 0, recovered: 0, lost: 0, duplicated: 0 };
      for (let k = 0; k < events; k = k + stride < events || k === events - 1 ? k + stride : events - 1) {
        for (const mid of [false, true]) {
          const { run, seen } = ask(`drop:${k}${mid ? ':mid' : ''}`);
          const t = await run.done();
          const after = pieces(t);
          const l = lostChars(seen(), after);
          const total = after.join('');
          let d = 0;
          if (t.status === 'completed') {
            recovered++;
            stats.recovered++;
            d = Math.max(0, total.length - expected.length);
            if (total !== expected && d === 0) stats.lost += Math.max(0, expected.length - total.length);
          } else interrupted++;
          tried++;
          stats.tried++;
          lost += l;
          duplicated += d;
          stats.lost += l;
          stats.duplicated += d;
        }
      }
      byProtocol[protocol] = stats;
    }
  } finally {
    await proxy.close();
    await server.close();
  }
  return { runsTried: tried, runsRecovered: recovered, runsEndedInterrupted: interrupted, charactersLost: lost, charactersDuplicated: duplicated, byProtocol };
}
