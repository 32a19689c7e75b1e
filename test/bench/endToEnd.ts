/**
 * Section 3: the whole engine over real HTTP. The fake server (delay 0) streams a scenario, the provider's I/O shell
 * reads it (the real openai SDK for Responses, our fetch + SSE client for Assistants), and RunStream reduces it.
 * Runs one after another; times are from RunStream.start to the first text delta handler and to done().
 */
import type { Provider, RunRequest } from '../../src/engine/provider';
import { AssistantsProvider } from '../../src/engine/providers/assistants/assistantsProvider';
import { ResponsesProvider } from '../../src/engine/providers/responses/responsesProvider';
import { RunStream } from '../../src/engine/runStream';
import { type FakeServer, startFakeServer } from '../fake/server';
import { median, percentile } from './measure';
import { num, printTable } from './table';

interface RunTiming {
  readonly firstTextMs: number | undefined;
  readonly doneMs: number;
  readonly status: string;
  readonly events: number;
}

async function once(provider: Provider, request: RunRequest): Promise<RunTiming> {
  let events = 0;
  let firstTextMs: number | undefined;
  const t0 = performance.now();
  const run = RunStream.start(provider, request)
    .on('textDelta', () => (firstTextMs ??= performance.now() - t0))
    .on('event', () => events++);
  const t = await run.done();
  return { firstTextMs, doneMs: performance.now() - t0, status: t.status, events };
}

export interface EndToEndResult {
  readonly label: string;
  readonly runs: number;
  readonly runsPerSecond: number;
  readonly medianDoneMs: number;
  readonly medianFirstTextMs: number;
}

async function scenario(server: FakeServer, label: string, provider: Provider, request: RunRequest, runs: number, warmup: number): Promise<{ result: EndToEndResult; row: string[] }> {
  for (let i = 0; i < warmup; i++) await once(provider, request);
  server.requests.length = 0;
  const timings: RunTiming[] = [];
  const start = performance.now();
  for (let i = 0; i < runs; i++) timings.push(await once(provider, request));
  const wall = performance.now() - start;
  const requests = server.requests.length / runs;
  server.requests.length = 0;

  const first = timings.map((t) => t.firstTextMs).filter((x): x is number => x !== undefined);
  const done = timings.map((t) => t.doneMs);
  const statuses = new Map<string, number>();
  for (const t of timings) statuses.set(t.status, (statuses.get(t.status) ?? 0) + 1);
  const result: EndToEndResult = { label, runs, runsPerSecond: runs / (wall / 1000), medianDoneMs: median(done), medianFirstTextMs: first.length ? median(first) : NaN };
  const row = [
    label,
    [...statuses].map(([s, n]) => `${n} ${s}`).join(', '),
    num(timings[0].events, 0),
    num(requests, 1),
    num(result.runsPerSecond, 1),
    first.length ? num(median(first), 2) : 'none',
    first.length ? num(percentile(first, 95), 2) : 'none',
    num(median(done), 2),
    num(percentile(done, 95), 2),
  ];
  return { result, row };
}

export async function benchEndToEnd(runs = 20): Promise<EndToEndResult[]> {
  console.log('\n== 3. End to end over HTTP: fake server (delayMs 0) -> provider -> RunStream ==');
  const server = await startFakeServer({ delayMs: 0 });
  try {
    const responses = new ResponsesProvider({ apiKey: 'sk-bench', baseUrl: server.url, model: 'gpt-5-nano' });
    const assistants = new AssistantsProvider({ apiKey: 'sk-bench', baseUrl: server.url, model: 'gpt-4o-mini', pollIntervalMs: 20 });
    // One assistant for all Assistants runs (the warm-up creates it), so each run is one thread-and-run stream
    // plus its file download, like a Responses run is one request plus its download.
    const tutorQ = { question: { text: '[scenario:assistants:tutor] why does sqrt grow slowly?' } };
    const warm = await RunStream.start(assistants, tutorQ).done();
    const conversation = { assistantId: warm.assistantId };

    const out = [
      await scenario(server, 'Responses fixture:openai-code-interpreter-tool.1', responses, { question: { text: '[scenario:fixture:openai-code-interpreter-tool.1] roll two dice' } }, runs, 2),
      await scenario(server, 'Assistants assistants:tutor', assistants, { ...tutorQ, conversation }, runs, 2),
      await scenario(server, 'Assistants assistants:fixture (the recording)', assistants, { question: { text: '[scenario:assistants:fixture] solve 3x + 11 = 14' }, conversation }, runs, 2),
    ];
    printTable(
      `${runs} sequential runs each (after 2 warm-up runs); ms from RunStream.start`,
      ['scenario', 'status', 'events/run', 'HTTP req/run', 'runs/s', 'first text p50', 'first text p95', 'done p50', 'done p95'],
      out.map((o) => o.row),
      [
        `p95 is nearest-rank: with ${runs} runs, the ${Math.ceil(0.95 * runs)}th smallest`,
        'HTTP req/run counts the run request plus follow-ups (file downloads) the provider made',
        'the Responses recording writes three code blocks before any text, so its first text delta comes late in the stream',
      ],
    );
    return out.map((o) => o.result);
  } finally {
    await server.close();
  }
}
