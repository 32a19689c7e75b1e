/**
 * TEST ONLY: a small real LocalInterpreter on the machine's `python3`, so the engine's local tool loop is tested
 * with real code running, before (and independently of) the product's Pyodide and CPython runtimes. Never used by
 * the product: running the learner's own Python needs their consent, which this does not ask for.
 *
 * One python3 process per interpreter keeps one namespace (state persists between cells, as in a notebook). It
 * runs in a temporary directory; `/mnt/data` in the code is mapped to a folder in it, and new files there come back
 * as image or file outputs. stdout/stderr stream line by line as `logs` while the cell runs. Abort kills the process.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LocalInterpreter, RunCodeResult } from '../../src/engine/interpreter/localInterpreter';
import type { CodeOutput } from '../../src/shared/events';

const driver = String.raw`
import sys, json, traceback
ns = {'__name__': '__main__'}
class Out:
    def __init__(self, name): self.name, self.buf = name, ''
    def write(self, s):
        self.buf += s
        if '\n' in self.buf:
            cut = self.buf.rindex('\n') + 1
            self.emit(self.buf[:cut]); self.buf = self.buf[cut:]
        return len(s)
    def emit(self, s):
        if s: sys.__stdout__.write(json.dumps({'t': 'log', 's': s}) + '\n'); sys.__stdout__.flush()
    def flush(self):
        self.emit(self.buf); self.buf = ''
for line in sys.stdin:
    req = json.loads(line)
    out, err = Out('stdout'), Out('stderr')
    sys.stdout, sys.stderr = out, err
    ok = True
    try:
        exec(compile(req['code'], '<cell>', 'exec'), ns)
    except BaseException:
        ok = False
        traceback.print_exc()
    finally:
        out.flush(); err.flush()
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    sys.__stdout__.write(json.dumps({'t': 'end', 'ok': ok}) + '\n'); sys.__stdout__.flush()
`;

const maxSummary = 4_000;

export class Python3TestInterpreter implements LocalInterpreter {
  readonly runtime = 'python' as const;
  readonly dir = mkdtempSync(join(tmpdir(), 'code-tutor-py-'));
  private readonly data = join(this.dir, 'mnt-data');
  private proc: ChildProcessWithoutNullStreams | undefined;
  private lines: AsyncIterator<string> | undefined;
  /** Every cell that was run, in order (what tests check). */
  readonly cells: string[] = [];

  constructor() {
    mkdirSync(this.data, { recursive: true });
  }

  private start(): void {
    if (this.proc) return;
    const proc = spawn('python3', ['-u', '-c', driver], { cwd: this.dir, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.dir } });
    proc.on('exit', () => {
      if (this.proc === proc) {
        this.proc = undefined;
        this.lines = undefined;
      }
    });
    this.proc = proc;
    this.lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }

  private files(): Map<string, number> {
    return new Map(readdirSync(this.data).map((f) => [f, statSync(join(this.data, f)).mtimeMs]));
  }

  async run(code: string, onOutput: (output: CodeOutput) => void, signal?: AbortSignal): Promise<RunCodeResult> {
    this.cells.push(code);
    if (signal?.aborted) return { status: 'cancelled', outputs: [], summary: 'The learner stopped the run.' };
    this.start();
    const proc = this.proc!;
    const lines = this.lines!;
    const before = this.files();
    const outputs: CodeOutput[] = [];
    const emit = (o: CodeOutput) => {
      outputs.push(o);
      onOutput(o);
    };
    const onAbort = () => proc.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    proc.stdin.write(`${JSON.stringify({ code: code.split('/mnt/data').join(this.data) })}\n`);
    let ok = false;
    let ended = false;
    try {
      for (;;) {
        const next = await lines.next();
        if (next.done) break;
        const msg = JSON.parse(next.value) as { t: string; s?: string; ok?: boolean };
        if (msg.t === 'log' && msg.s) emit({ type: 'logs', text: msg.s.split(this.data).join('/mnt/data') });
        if (msg.t === 'end') {
          ok = msg.ok === true;
          ended = true;
          break;
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (!ended) {
      this.proc = undefined;
      return { status: signal?.aborted ? 'cancelled' : 'error', outputs, summary: signal?.aborted ? 'The learner stopped the run.' : 'The interpreter stopped.' };
    }
    for (const [name, mtime] of this.files()) {
      if (before.get(name) === mtime) continue;
      const bytes = readFileSync(join(this.data, name));
      if (name.endsWith('.png')) emit({ type: 'image', mime: 'image/png', base64: bytes.toString('base64') });
      else emit({ type: 'file', name, mime: 'application/octet-stream', bytes: bytes.length, base64: bytes.toString('base64') });
    }
    const printed = outputs.map((o) => (o.type === 'logs' ? o.text : o.type === 'image' ? '[image]\n' : `[file ${o.name}]\n`)).join('');
    const summary = printed.length > maxSummary ? `${printed.slice(0, maxSummary)}\n[… output truncated]` : printed || '(no output)';
    return { status: ok ? 'ok' : 'error', outputs, summary };
  }

  async reset(): Promise<void> {
    this.proc?.kill('SIGKILL');
    this.proc = undefined;
  }

  dispose(): void {
    this.proc?.kill('SIGKILL');
    this.proc = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
