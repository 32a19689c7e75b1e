/**
 * Local interpreter figures (no assertions): Pyodide cold start (first worker in this process), warm start (another
 * worker once the files are in the OS cache), per-cell overhead of a trivial cell, memory per runtime (process RSS
 * growth per started worker), and the time from Stop to stopped, both through KeyboardInterrupt and for a cell that
 * swallows it (terminate + restart). The learner's-own-Python runtime is measured too where python3 is present.
 * Run alone: node --import tsx test/bench/interpreter.ts
 */
import { existsSync } from 'node:fs';
import { PyodideInterpreter } from '../../src/engine/interpreter/pyodide/pyodideInterpreter';
import { CPythonInterpreter } from '../../src/engine/interpreter/python/cpythonInterpreter';
import type { LocalInterpreter } from '../../src/engine/interpreter/localInterpreter';

export interface InterpreterFigures {
  readonly pyodideColdStartMs: number;
  readonly pyodideWarmStartMs: number;
  readonly pyodideTrivialCellMs: { readonly median: number; readonly p90: number };
  readonly pyodideRssPerRuntimeMb: number;
  readonly pyodideStopToStoppedMs: number;
  readonly pyodideStopUnstoppableMs: number;
  readonly cpython?: { readonly firstCellMs: number; readonly trivialCellMs: number; readonly stopToStoppedMs: number };
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

if (require.main === module) void benchInterpreter();
