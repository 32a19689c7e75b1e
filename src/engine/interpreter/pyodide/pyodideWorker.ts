/**
 * The worker thread that runs Pyodide (bundled by esbuild as dist/pyodideWorker.js). One worker is one Python
 * namespace; the host (pyodideInterpreter.ts) sends cells and gets their output as it is produced.
 *
 * Sandbox: before Pyodide loads, Node's process, network and child-process doors of this thread are shut
 * (lockdown.ts); after it loads, Python sees a `js` module with timers only and a `pyodide_js` with only what asyncio
 * needs, so model code reaches neither the learner's files nor the network. Files live in Pyodide's in-memory
 * filesystem; /mnt/data is where the code's outputs go.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPyodide, type PyodideAPI } from 'pyodide';
import { PYTHON_PRELUDE } from '../pythonPrelude';
import { lockDownBeforeLoad, lockDownAfterLoad } from './lockdown';
import type { HostToWorker, PyodideWorkerInit, WorkerToHost } from './workerProtocol';

const init = workerData as PyodideWorkerInit;
const nodeProcess = process; // kept here: the global goes away once Python is loaded
const port = parentPort!;
const post = (m: WorkerToHost): void => port.postMessage(m);

const IMAGE_MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };
const FILE_LIMIT_BYTES = 25 * 1024 * 1024;

interface LockPackage {
  readonly name: string;
  readonly file_name: string;
  readonly imports?: readonly string[];
  readonly depends?: readonly string[];
}

let outputChars = 0;
function emitStream(stream: 'stdout' | 'stderr', text: string): void {
  const room = init.outputLimitChars - outputChars;
  outputChars += text.length;
  if (room <= 0) return;
  post({ type: 'stream', stream, text: text.length > room ? text.slice(0, room) : text });
}

function streamWriter(stream: 'stdout' | 'stderr'): { write(buf: Uint8Array): number } {
  const decoder = new TextDecoder();
  return {
    write(buf: Uint8Array): number {
      const text = decoder.decode(buf, { stream: true });
      if (text) emitStream(stream, text);
      return buf.length;
    },
  };
}

function readLock(dir: string | undefined): { packages: Record<string, LockPackage> } | undefined {
  if (!dir) return undefined;
  const file = join(dir, 'pyodide-lock.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, LockPackage> }) : undefined;
}

async function start(): Promise<void> {
  lockDownBeforeLoad(init.memoryLimitMb);
  const bundledLock = JSON.parse(readFileSync(join(init.indexURL, 'pyodide-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
  const localLock = readLock(init.packagesDir);
  const installed = new Set<string>();
  if (init.packagesDir && localLock) {
    for (const [key, p] of Object.entries(localLock.packages)) if (existsSync(join(init.packagesDir, p.file_name))) installed.add(key);
  }
  // Timers are all Python's asyncio needs from `js`; nothing else of this thread's globals is handed over.
  const jsGlobals = Object.freeze({ setTimeout, clearTimeout, setInterval, clearInterval });
  const py: PyodideAPI = await loadPyodide({
    indexURL: init.indexURL,
    jsglobals: jsGlobals,
    env: { HOME: '/home/pyodide', MPLBACKEND: 'Agg' },
    ...(init.packagesDir && localLock
      ? { lockFileContents: JSON.stringify(localLock), packageBaseUrl: init.packagesDir, packageCacheDir: init.packagesDir }
      : {}),
    stdout: (s: string) => emitStream('stdout', s + '\n'),
    stderr: (s: string) => emitStream('stderr', s + '\n'),
  });
  const api = py as PyodideAPI & { _api: { scheduleCallback: unknown; config: unknown } };
  const scheduleCallback = api._api.scheduleCallback;
  py.setStdout(streamWriter('stdout'));
  py.setStderr(streamWriter('stderr'));
  py.setInterruptBuffer(new Uint8Array(init.interruptBuffer));
  const ended = new Int32Array(init.endedBuffer);
  py.FS.mkdirTree('/mnt/data');

  // Python's view of JavaScript: timers, and the one scheduler asyncio uses. No fetch, process, require, FS.
  py.unregisterJsModule('pyodide_js');
  py.registerJsModule('pyodide_js', { _api: { scheduleCallback, config: {} }, loadedPackages: {}, version: py.version });
  py.registerJsModule('_codetutor_host', {
    emit_image(mime: string, data: Uint8Array | { toJs(): Uint8Array; destroy(): void }) {
      let bytes: Uint8Array;
      if (data instanceof Uint8Array) bytes = data;
      else {
        bytes = data.toJs();
        data.destroy();
      }
      post({ type: 'image', mime: String(mime), base64: Buffer.from(bytes).toString('base64') });
    },
  });

  const importToPackage = new Map<string, string>();
  const missing: Record<string, string> = {};
  for (const [key, p] of Object.entries(localLock?.packages ?? bundledLock.packages)) {
    for (const imp of p.imports ?? []) {
      importToPackage.set(imp, key);
      if (!installed.has(key)) missing[imp] = init.missingPackageMessage;
    }
  }
  const setup = py.globals.get('dict')();
  setup.set('_codetutor_missing_init', py.toPy(missing));
  py.runPython(
    `import sys
for _m in [m for m in sys.modules if m == 'js' or m.startswith('js.') or m == 'pyodide_js' or m.startswith('pyodide_js.')]:
    del sys.modules[_m]
from _codetutor_host import emit_image as _host_emit
def _codetutor_emit_image(mime, data):
    from pyodide.ffi import to_js
    _host_emit(mime, to_js(data))
import builtins
builtins._codetutor_emit_image = _codetutor_emit_image
del sys.modules['_codetutor_host']`,
    { globals: setup },
  );
  py.unregisterJsModule('_codetutor_host');

  let ns = newNamespace(py, missing);
  lockDownAfterLoad();

  const loaded = new Set<string>();
  async function loadImports(code: string): Promise<void> {
    if (!init.packagesDir || installed.size === 0) return;
    const finder = py.pyimport('pyodide.code');
    let imports: string[] = [];
    try {
      imports = finder.find_imports(code).toJs() as string[];
    } catch {
      return; // a syntax error is reported when the cell runs
    } finally {
      finder.destroy();
    }
    const want = new Set<string>();
    const add = (key: string): void => {
      if (want.has(key) || loaded.has(key) || !installed.has(key)) return;
      want.add(key);
      for (const d of localLock?.packages[key]?.depends ?? []) add(d);
    };
    for (const imp of imports) {
      const key = importToPackage.get(imp.split('.')[0]);
      if (key) add(key);
    }
    if (want.size === 0) return;
    await py.loadPackage([...want], { messageCallback: () => undefined, errorCallback: (m: string) => emitStream('stderr', m + '\n'), checkIntegrity: true });
    for (const k of want) loaded.add(k);
  }

  let escaped: ((error: string) => void) | undefined;
  // An exception that escapes through asyncio's loop (KeyboardInterrupt in an awaited cell) ends that cell.
  nodeProcess.on('uncaughtException', (e: unknown) => escaped?.(e instanceof Error ? e.message : String(e)));

  async function evaluate(code: string): Promise<void> {
    await loadImports(code);
    // Top-level await needs the async runner; an interrupt there escapes through the event loop, so plain cells
    // (almost all) run synchronously, where KeyboardInterrupt comes back as an ordinary error.
    const value: unknown = /\bawait\b/.test(code)
      ? await Promise.race([
          py.runPythonAsync(code, { globals: ns, filename: '<cell>' }),
          new Promise<never>((_, reject) => (escaped = (m) => reject(new Error(m)))),
        ])
      : py.runPython(code, { globals: ns, filename: '<cell>' });
    if (value === undefined || value === null) return;
    const repr = py.globals.get('repr') as (v: unknown) => string;
    emitStream('stdout', String(repr(value)) + '\n');
    if (typeof value === 'object' && 'destroy' in value) (value as { destroy(): void }).destroy();
  }

  async function run(id: number, code: string): Promise<void> {
    outputChars = 0; // the interrupt byte is cleared by the host before it posts the cell
    const before = snapshotFiles(py);
    let status: 'ok' | 'error' | 'interrupted' = 'ok';
    let error: string | undefined;
    try {
      await evaluate(code);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      status = /KeyboardInterrupt/.test(text) ? 'interrupted' : 'error';
      error = trimTraceback(text);
    } finally {
      escaped = undefined;
      Atomics.store(ended, 0, id);
    }
    try {
      py.runPython('_codetutor_after_cell()', { globals: ns });
    } catch (e) {
      emitStream('stderr', trimTraceback(e instanceof Error ? e.message : String(e)) + '\n');
    }
    for (const f of changedFiles(py, before)) post(f);
    post({ type: 'done', id, status, error, outputChars });
    // A fatal error leaves Pyodide unusable: end this worker, the host starts a fresh one for the next cell.
    if (error && /fatally failed|Pyodide has suffered a fatal error/.test(error)) nodeProcess.exit(1);
  }

  port.on('message', (m: HostToWorker) => {
    if (m.type === 'run') {
      queue = queue.then(() => run(m.id, m.code));
    } else if (m.type === 'reset') {
      queue = queue.then(() => {
        ns.destroy();
        ns = newNamespace(py, missing);
        py.runPython(`import shutil, os\nshutil.rmtree('/mnt/data', ignore_errors=True)\nos.makedirs('/mnt/data', exist_ok=True)`, { globals: setup });
        post({ type: 'done', id: m.id, status: 'ok', outputChars: 0 });
      });
    }
  });
  post({ type: 'ready', version: py.version });
}

let queue: Promise<void> = Promise.resolve();

type PyDict = ReturnType<PyodideAPI['toPy']> & { get(k: string): unknown; set(k: string, v: unknown): void; destroy(): void };

function newNamespace(py: PyodideAPI, missing: Record<string, string>): PyDict {
  const ns = py.globals.get('dict')() as PyDict;
  ns.set('__name__', '__main__');
  py.runPython(PYTHON_PRELUDE, { globals: ns });
  const m = py.toPy(missing);
  (ns.get('_codetutor_missing') as { update(x: unknown): void }).update(m);
  m.destroy();
  py.runPython(`import os\nos.chdir('/mnt/data')`, { globals: ns });
  return ns;
}

interface FileStamp { readonly mtime: number; readonly size: number }

function walk(py: PyodideAPI, dir: string, out: Map<string, FileStamp>): void {
  let names: string[];
  try {
    names = py.FS.readdir(dir) as string[];
  } catch {
    return;
  }
  for (const n of names) {
    if (n === '.' || n === '..') continue;
    const p = `${dir}/${n}`;
    const st = py.FS.stat(p) as { mode: number; mtime: Date | number; size: number };
    if (py.FS.isDir(st.mode)) walk(py, p, out);
    else out.set(p, { mtime: Number(st.mtime instanceof Date ? st.mtime.getTime() : st.mtime), size: st.size });
  }
}

function snapshotFiles(py: PyodideAPI): Map<string, FileStamp> {
  const out = new Map<string, FileStamp>();
  walk(py, '/mnt/data', out);
  return out;
}

function changedFiles(py: PyodideAPI, before: Map<string, FileStamp>): WorkerToHost[] {
  const out: WorkerToHost[] = [];
  for (const [path, st] of snapshotFiles(py)) {
    const old = before.get(path);
    if (old && old.mtime === st.mtime && old.size === st.size) continue;
    const name = path.slice('/mnt/data/'.length);
    const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
    const mime = IMAGE_MIME[ext];
    if (st.size > FILE_LIMIT_BYTES) {
      out.push({ type: 'file', name, mime: mime ?? 'application/octet-stream', base64: '', bytes: st.size });
      continue;
    }
    const bytes = py.FS.readFile(path) as Uint8Array;
    const base64 = Buffer.from(bytes).toString('base64');
    out.push(mime ? { type: 'image', mime, base64 } : { type: 'file', name, mime: mimeOf(ext), base64, bytes: bytes.length });
  }
  return out;
}

function mimeOf(ext: string): string {
  const known: Record<string, string> = { txt: 'text/plain', csv: 'text/csv', json: 'application/json', html: 'text/html', svg: 'image/svg+xml', md: 'text/markdown', py: 'text/x-python', pdf: 'application/pdf', zip: 'application/zip' };
  return known[ext] ?? 'application/octet-stream';
}

/** Pyodide's traceback starts in its own machinery; keep the user's part (from the first `<cell>` frame). */
function trimTraceback(text: string): string {
  const lines = text.trimEnd().split('\n');
  const first = lines.findIndex((l) => l.includes('File "<cell>"'));
  if (first < 0) return lines.filter((l) => !/\/lib\/python[0-9.]*\.zip\/_pyodide\//.test(l)).join('\n');
  return ['Traceback (most recent call last):', ...lines.slice(first)].join('\n');
}

start().catch((e: unknown) => post({ type: 'initFailed', message: e instanceof Error ? e.message : String(e) }));
