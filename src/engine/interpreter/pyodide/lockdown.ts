/**
 * Shutting the doors of the Pyodide worker thread, so that code written by a model reaches neither the network nor
 * the learner's files nor other programs. Each worker thread has its own copy of Node's built-in modules and its
 * own globals, so nothing here touches the extension host's main thread.
 *
 * Before Pyodide loads: sockets (net, tls, dgram, http, https), child processes and new workers fail in this
 * thread, and the WebAssembly memory may not grow past the limit (Python then raises MemoryError).
 * After it loads: the globals that lead out (process, require, fetch, WebSocket …) are removed, and the Function
 * constructors are replaced, so that a JavaScript object reached from Python cannot compile new code
 * (`obj.constructor.constructor('return process')()`), nor `import()` a module.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

// The modules' own export objects (what `require` hands to Pyodide and Emscripten), not import namespaces.
const nodeRequire = createRequire(__filename);

function refuse(what: string): () => never {
  return () => {
    throw new Error(`${what} is not available to code run by Code Tutor`);
  };
}

function shut(mod: object, names: readonly string[], what: string): void {
  for (const n of names) {
    try {
      Object.defineProperty(mod, n, { value: refuse(what), writable: false, configurable: false });
    } catch {
      /* already locked */
    }
  }
}

export function lockDownBeforeLoad(memoryLimitMb: number): void {
  const [childProcess, dgram, http, https, net, tls, workerThreads] = [
    'node:child_process', 'node:dgram', 'node:http', 'node:https', 'node:net', 'node:tls', 'node:worker_threads',
  ].map((m) => nodeRequire(m) as Record<string, unknown> & { Socket: { prototype: object }; Server: { prototype: object } });
  shut(childProcess, ['spawn', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'], 'Running programs');
  // Emscripten's system() calls spawnSync from inside WebAssembly, where a throw is fatal: fail like a missing shell.
  Object.defineProperty(childProcess, 'spawnSync', {
    value: () => ({ pid: 0, status: 127, signal: null, output: [], stdout: '', stderr: '', error: new Error('Running programs is not available') }),
    writable: false,
    configurable: false,
  });
  shut(net, ['connect', 'createConnection', 'createServer'], 'The network');
  shut(net.Socket.prototype, ['connect'], 'The network');
  shut(net.Server.prototype, ['listen'], 'The network');
  shut(tls, ['connect', 'createServer'], 'The network');
  shut(dgram, ['createSocket'], 'The network');
  shut(http, ['request', 'get', 'createServer'], 'The network');
  shut(https, ['request', 'get', 'createServer'], 'The network');
  shut(workerThreads, ['Worker'], 'Threads');
  syncBuiltinESMExports();

  const limit = memoryLimitMb * 1024 * 1024;
  const grow = WebAssembly.Memory.prototype.grow;
  WebAssembly.Memory.prototype.grow = function (this: WebAssembly.Memory, delta: number): number {
    if (this.buffer.byteLength + delta * 65536 > limit) throw new RangeError('Code Tutor: memory limit reached');
    return grow.call(this, delta);
  };
}

const GLOBALS_THAT_LEAD_OUT = [
  'process', 'require', 'module', 'exports', 'global', 'fetch', 'Request', 'Response', 'Headers', 'FormData',
  'WebSocket', 'EventSource', 'XMLHttpRequest', 'BroadcastChannel', 'MessageChannel', 'MessagePort', 'Worker',
  'navigator', 'importScripts', 'eval',
];

export function lockDownAfterLoad(): void {
  const refuseCompile = refuse('Compiling JavaScript');
  // Keeps `x instanceof Function` and `.prototype` working; calling or constructing it throws.
  const tame = <T extends object>(F: T): T => new Proxy(F, { apply: refuseCompile, construct: refuseCompile });
  const constructors = [
    Function,
    Object.getPrototypeOf(async function () {}).constructor,
    Object.getPrototypeOf(function* () {}).constructor,
    Object.getPrototypeOf(async function* () {}).constructor,
  ] as (new (...a: string[]) => unknown)[];
  for (const F of constructors) {
    Object.defineProperty(F.prototype, 'constructor', { value: tame(F), writable: false, configurable: false });
  }
  Object.defineProperty(globalThis, 'Function', { value: tame(Function), writable: false, configurable: false });
  const g = globalThis as Record<string, unknown>;
  for (const name of GLOBALS_THAT_LEAD_OUT) {
    try {
      Object.defineProperty(g, name, { value: undefined, writable: false, configurable: false });
    } catch {
      /* not configurable: leave it */
    }
  }
  // Stack-trace hooks hand out the functions and `this` of the frames on the stack.
  Object.defineProperty(Error, 'prepareStackTrace', { value: undefined, writable: false, configurable: false });
}
