/**
 * The learner's own Python, for real (Debian's python3 with python3-numpy and python3-matplotlib, installed by the
 * `pretest:unit` step): consent before each cell (Run / Skip / Always), a real matplotlib plot as an image,
 * notebook state, streamed output, the time limit (SIGINT, then the whole process group killed), a temporary folder.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, describe, test } from 'node:test';
import type { CodeOutput } from '../../src/shared/events';
import { CPythonInterpreter, type Consent } from '../../src/engine/interpreter/python/cpythonInterpreter';

const pythonPath = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const logsOf = (outputs: readonly CodeOutput[]): string => outputs.map((o) => (o.type === 'logs' ? o.text : '')).join('');

/** Running, and not a zombie waiting for a reaper (containers often have no init to reap orphans). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('CPython interpreter (the learner\'s own Python)', { timeout: 120_000 }, () => {
  const asked: string[] = [];
  let answer: Consent = 'run';
  const py = new CPythonInterpreter({ pythonPath, timeLimitMs: 3_000, interruptGraceMs: 1_500, confirm: async (code) => (asked.push(code), answer) });
  after(() => py.dispose());

  test('asks before running; Skip does not run the code and tells the model the learner declined', async () => {
    const mark = `${tmpdir()}/code-tutor-skip-${process.pid}`;
    rmSync(mark, { force: true });
    answer = 'skip';
    const code = `open(${JSON.stringify(mark)}, 'w').write('ran')`;
    const r = await py.run(code, () => undefined);
    assert.deepEqual(asked, [code]);
    assert.equal(r.status, 'declined');
    assert.match(r.summary, /declined/);
    assert.match(logsOf(r.outputs), /Skip/);
    assert.equal(existsSync(mark), false);
  });

  test('Run runs once and asks again next time; state persists; the value of the last expression is shown', async () => {
    answer = 'run';
    asked.length = 0;
    const a = await py.run('x = 20\nprint("set")', () => undefined);
    assert.equal(a.status, 'ok', a.summary);
    const b = await py.run('x * 2 + 2', () => undefined);
    assert.equal(b.summary.trim(), '42');
    assert.equal(asked.length, 2);
  });

  test('Always stops asking for this interpreter (this chat)', async () => {
    asked.length = 0;
    answer = 'always';
    await py.run('print(1)', () => undefined);
    answer = 'skip'; // would decline if asked
    const r = await py.run('print(2)', () => undefined);
    assert.equal(asked.length, 1);
    assert.equal(r.status, 'ok');
    assert.equal(logsOf(r.outputs), '2\n');
  });

  test('a real matplotlib plot comes back as a PNG image; files in the temporary folder come back', async () => {
    // Its own interpreter with a roomy limit: matplotlib's first import builds a font cache.
    const plotter = new CPythonInterpreter({ pythonPath, timeLimitMs: 90_000, confirm: async () => 'always' });
    after(() => plotter.dispose());
    const r = await plotter.run(
      [
        'import numpy as np, matplotlib.pyplot as plt, os, tempfile',
        'x = np.linspace(0, 6.28, 50)',
        'plt.plot(x, np.sin(x))',
        'plt.show()',
        'print("after show", len(plt.get_fignums()))',
        'open("data.csv", "w").write("a,b\\n")',
        'print(os.getcwd().startswith(tempfile.gettempdir()))',
      ].join('\n'),
      () => undefined,
    );
    assert.equal(r.status, 'ok', r.summary);
    const images = r.outputs.filter((o) => o.type === 'image');
    assert.equal(images.length, 1);
    const png = Buffer.from(images[0].type === 'image' ? images[0].base64 : '', 'base64');
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.ok(png.length > 2000, 'a real plot, not an empty image');
    // plt.show() itself sent the image (before what was printed after it) and closed the figure.
    const imageAt = r.outputs.findIndex((o) => o.type === 'image');
    const afterAt = r.outputs.findIndex((o) => o.type === 'logs' && o.text.includes('after show 0'));
    assert.ok(afterAt > imageAt && imageAt >= 0, JSON.stringify(r.outputs.map((o) => (o.type === 'logs' ? o.text : o.type))));
    assert.match(logsOf(r.outputs), /True/);
    assert.ok(r.outputs.some((o) => o.type === 'file' && o.name === 'data.csv'));
  });

  test('streams output while the cell runs', async () => {
    const seen: string[] = [];
    const r = await py.run('import time\nprint("first")\ntime.sleep(1.2)\nprint("second")', (o) => {
      if (o.type === 'logs') seen.push(o.text);
    });
    assert.equal(r.status, 'ok');
    assert.ok(seen.length >= 2, JSON.stringify(seen));
    assert.doesNotMatch(seen[0], /second/);
  });

  test('a cell over the time limit is interrupted and the namespace survives', async () => {
    const r = await py.run('import time\ntime.sleep(60)', () => undefined);
    assert.equal(r.status, 'timeout');
    assert.match(r.summary, /longer than 3 s/);
    const next = await py.run('print(x)', () => undefined);
    assert.equal(logsOf(next.outputs), '20\n');
  });

  test('a cell that ignores SIGINT is killed with everything it started, and Python starts afresh', async () => {
    const r = await py.run(
      'import signal, subprocess, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nchild = subprocess.Popen(["sleep", "300"])\nprint(child.pid, flush=True)\nwhile True: time.sleep(0.1)',
      () => undefined,
    );
    assert.equal(r.status, 'timeout');
    assert.match(r.summary, /restarted/);
    const childPid = Number(/^(\d+)/m.exec(logsOf(r.outputs))?.[1]);
    assert.ok(childPid > 0);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(alive(childPid), false, 'the child process was killed with its group');
    const next = await py.run('print("x" in globals())', () => undefined);
    assert.equal(logsOf(next.outputs), 'False\n');
  });

  test('Stop (the AbortSignal) stops a running cell', async () => {
    const stop = new AbortController();
    const r = await py.run('import time\nprint("go", flush=True)\ntime.sleep(60)', (o) => {
      if (o.type === 'logs' && o.text.includes('go')) stop.abort();
    }, stop.signal);
    assert.equal(r.status, 'cancelled');
  });
});
