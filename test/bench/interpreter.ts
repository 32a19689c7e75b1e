/**
 * Local interpreter figures (no assertions): Pyodide cold start (first worker in this process), warm start (another
 * worker once the files are in the OS cache), per-cell overhead of a trivial cell, memory per runtime (process RSS
 * growth per started worker), and the time from Stop to stopped, both through KeyboardInterrupt and for a cell that
 * swallows it (terminate + restart). The learner's-own-Python runtime is measured too where python3 is present.
 * And the first cell of a chat, from the question to its result, with Pyodide started when the chat was shown
 * (ChatSession.prewarm) against started with the question.
 * Run alone: node --import tsx test/bench/interpreter.ts
 */
import { existsSync } from 'node:fs';
import type { ChatSession as ChatSessionType, RunSetup } from '../../src/chat/chatSession';
import { createProvider } from '../../src/engine/createProvider';
import { PyodideInterpreter } from '../../src/engine/interpreter/pyodide/pyodideInterpreter';
import { CPythonInterpreter } from '../../src/engine/interpreter/python/cpythonInterpreter';
import type { LocalInterpreter } from '../../src/engine/interpreter/localInterpreter';
import { startFakeServer } from '../fake/server';
import { installVscodeApi, memoryLog } from '../fake/vscodeApi';

export interface InterpreterFigures {
  readonly pyodideColdStartMs: number;
  readonly pyodideWarmStartMs: number;
  readonly pyodideTrivialCellMs: { readonly median: number; readonly p90: number };
  readonly pyodideRssPerRuntimeMb: number;
  readonly pyodideStopToStoppedMs: number;
  readonly pyodideStopUnstoppableMs: number;
  readonly cpython?: { readonly firstCellMs: number; readonly trivialCellMs: number; readonly stopToStoppedMs: number };
}

export interface FirstCellFigures {
  /** Question → first cell done, Pyodide started with the question (no prewarm), per round. */
  readonly coldMs: number[];
  /** The same with Pyodide started when the chat was shown, and ready before the question. */
  readonly prewarmedMs: number[];
  /** How long the prewarm took: the time the learner spends reading and typing that it hides. */
  readonly warmUpMs: number[];
}

/**
 * The first cell of a chat through the product's own path: a ChatSession (the `vscode` module replaced by the test
 * fake), the chat-completions provider over HTTP against the fake server, run_python in a real Pyodide worker. Timed
 * from ask() to the first cell's `code.status: done`; medians of 3 rounds. Rounds alternate cold and prewarmed so that a busy machine
 * slows both alike.
 */
export async function benchFirstCell(rounds = 3): Promise<FirstCellFigures> {
  installVscodeApi();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ChatSession } = require('../../src/chat/chatSession') as { ChatSession: typeof ChatSessionType };
  const server = await startFakeServer();
  const made: PyodideInterpreter[] = [];
  const setup: RunSetup = {
    log: memoryLog() as unknown as RunSetup['log'],
    tools: () => [],
    provider: async () => createProvider({ protocol: 'chat', apiKey: 'sk-bench', baseUrl: server.url, model: 'qwen2.5-coder:7b' }),
    interpreter: {
      mode: () => 'local',
      warmOnOpen: () => true,
      create: () => {
        const py = new PyodideInterpreter();
        made.push(py);
        void py.warm().catch(() => undefined); // as createLocalInterpreter does
        return py;
      },
    },
  };
  const firstCell = async (session: ChatSessionType): Promise<number> => {
    const t0 = now();
    const done = new Promise<number>((resolve, reject) => {
      const sub = session.onDidChange((c) => {
        if (c.type !== 'event') return;
        if (c.event.kind === 'code.status' && c.event.status === 'done') {
          sub.dispose();
          resolve(now() - t0);
        } else if (c.event.kind === 'run.finished') {
          sub.dispose();
          reject(new Error(`the run ended ${c.event.status} before a cell was done`));
        }
      });
    });
    if (!(await session.ask({ text: 'squares [scenario:chat:tutor]' }))) throw new Error('the question was not sent');
    return done;
  };
  const figures: { coldMs: number[]; prewarmedMs: number[]; warmUpMs: number[] } = { coldMs: [], prewarmedMs: [], warmUpMs: [] };
  try {
    // Untimed: a question without code, so the first timed round does not pay for loading the HTTP and SDK modules.
    const warmUp = new ChatSession(undefined, { ...setup, interpreter: undefined });
    await new Promise<void>((resolve) => {
      const sub = warmUp.onDidChange((c) => {
        if (c.type === 'event' && c.event.kind === 'run.finished') {
          sub.dispose();
          resolve();
        }
      });
      void warmUp.ask({ text: 'hello [scenario:chat:echo]' });
    });
    warmUp.dispose();
    for (let r = 0; r < rounds; r++) {
      const cold = new ChatSession(undefined, setup);
      figures.coldMs.push(await firstCell(cold));
      cold.dispose();

      const warm = new ChatSession(undefined, setup);
      const t = now();
      warm.prewarm(); // the chat is shown
      await made.at(-1)!.warm(); // the learner reads and types meanwhile
      figures.warmUpMs.push(now() - t);
      figures.prewarmedMs.push(await firstCell(warm));
      warm.dispose();
    }
  } finally {
    for (const py of made) py.dispose();
    await server.close();
  }
  const f = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');
  const cold = median(figures.coldMs);
  const pre = median(figures.prewarmedMs);
  console.log(
    `First cell of a chat (question → cell done, chat protocol over HTTP, Pyodide from the sources via tsx): cold ${cold.toFixed(0)} ms (rounds ${f(figures.coldMs)});` +
      ` prewarmed when the chat was shown ${pre.toFixed(0)} ms (rounds ${f(figures.prewarmedMs)}); cold / prewarmed = ${(cold / pre).toFixed(1)}x;` +
      ` the prewarm took ${median(figures.warmUpMs).toFixed(0)} ms (rounds ${f(figures.warmUpMs)}), spent while the learner types`,
  );
  return figures;
}

const now = (): number => performance.now();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];

async function trivial(py: LocalInterpreter, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = now();
    await py.run('pass', () => undefined);
    times.push(now() - t);
  }
  return times;
}

/** Stop after the cell has started printing; the time from abort() to the result. */
async function stopToStopped(py: LocalInterpreter, code: string): Promise<number> {
  const stop = new AbortController();
  let stoppedAt = 0;
  const done = py.run(code, (o) => {
    if (o.type === 'logs' && o.text.includes('started') && !stop.signal.aborted) {
      setTimeout(() => {
        stoppedAt = now();
        stop.abort();
      }, 200);
    }
  }, stop.signal);
  await done;
  return now() - stoppedAt;
}

export async function benchInterpreter(): Promise<InterpreterFigures> {
  console.log('\n== Local interpreters ==');
  const rss0 = process.memoryUsage().rss;
  let t = now();
  let cpu = process.cpuUsage();
  const first = new PyodideInterpreter({ interruptGraceMs: 2_000 });
  await first.warm();
  const cold = now() - t;
  const coldCpu = process.cpuUsage(cpu);
  const rss1 = process.memoryUsage().rss;
  t = now();
  cpu = process.cpuUsage();
  const second = new PyodideInterpreter();
  await second.warm();
  const warm = now() - t;
  const warmCpu = process.cpuUsage(cpu);
  const cpuMs = (u: NodeJS.CpuUsage): string => ((u.user + u.system) / 1000).toFixed(0);
  const rss2 = process.memoryUsage().rss;
  await trivial(first, 5);
  const cells = await trivial(first, 40);
  const stop = await stopToStopped(first, 'print("started")\nwhile True: pass');
  const unstoppable = await stopToStopped(first, 'print("started")\nwhile True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass');
  first.dispose();
  second.dispose();
  const figures: InterpreterFigures = {
    pyodideColdStartMs: cold,
    pyodideWarmStartMs: warm,
    pyodideTrivialCellMs: { median: median(cells), p90: p90(cells) },
    pyodideRssPerRuntimeMb: ((rss1 - rss0 + (rss2 - rss1)) / 2) / 1e6,
    pyodideStopToStoppedMs: stop,
    pyodideStopUnstoppableMs: unstoppable,
  };
  console.log(
    `Pyodide cold start (first worker to ready): ${cold.toFixed(0)} ms wall, ${cpuMs(coldCpu)} ms CPU; warm start (second worker): ${warm.toFixed(0)} ms wall, ${cpuMs(warmCpu)} ms CPU` +
      ` (CPU time is the steadier figure on a shared machine; the worker runs from the sources through tsx here, the bundle in VS Code)`,
  );
  console.log(`Pyodide trivial cell ("pass"), round trip: median ${figures.pyodideTrivialCellMs.median.toFixed(2)} ms, p90 ${figures.pyodideTrivialCellMs.p90.toFixed(2)} ms`);
  console.log(`Pyodide memory per runtime (process RSS growth per worker): ${figures.pyodideRssPerRuntimeMb.toFixed(0)} MB (first ${((rss1 - rss0) / 1e6).toFixed(0)}, second ${((rss2 - rss1) / 1e6).toFixed(0)})`);
  console.log(`Pyodide Stop to stopped: ${stop.toFixed(0)} ms via KeyboardInterrupt; ${unstoppable.toFixed(0)} ms for a cell that swallows it (2 s grace, then terminate; restart continues in the background)`);

  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : undefined;
  if (python) {
    const cp = new CPythonInterpreter({ pythonPath: python, confirm: async () => 'always', interruptGraceMs: 2_000 });
    t = now();
    await cp.run('pass', () => undefined);
    const firstCell = now() - t;
    const cpCells = await trivial(cp, 40);
    const cpStop = await stopToStopped(cp, 'import time\nprint("started", flush=True)\ntime.sleep(60)');
    cp.dispose();
    const c = { firstCellMs: firstCell, trivialCellMs: median(cpCells), stopToStoppedMs: cpStop };
    console.log(`Own Python (${python}): first cell incl. start ${firstCell.toFixed(0)} ms; trivial cell median ${c.trivialCellMs.toFixed(2)} ms; Stop to stopped ${cpStop.toFixed(0)} ms`);
    return { ...figures, cpython: c };
  }
  return figures;
}

if (require.main === module) void benchInterpreter().then(() => benchFirstCell());
