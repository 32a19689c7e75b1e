/**
 * Messages between the host side of the Pyodide interpreter (pyodideInterpreter.ts) and its worker thread
 * (pyodideWorker.ts). Both ends are ours and run in the same process, so no guard beyond the type is needed.
 */

/** Given to the worker as `workerData`. */
export interface PyodideWorkerInit {
  /** The folder holding pyodide.asm.mjs, pyodide.asm.wasm, python_stdlib.zip and pyodide-lock.json (ends with a slash). */
  readonly indexURL: string;
  /** The folder of installed wheels (downloaded or from a classroom folder) with its own pyodide-lock.json, if any. */
  readonly packagesDir?: string;
  /** One byte the host sets to 2 (SIGINT) to raise KeyboardInterrupt in the running cell. */
  readonly interruptBuffer: SharedArrayBuffer;
  /**
   * One Int32 the worker sets to a cell's id as soon as the cell's code has ended (before its files and figures are
   * gathered), so the host can tell a cell that ignores the interrupt from a reply it has not had time to read.
   */
  readonly endedBuffer: SharedArrayBuffer;
  /** The WebAssembly memory Python may grow to, in MiB. */
  readonly memoryLimitMb: number;
  /** Per cell: characters of stdout/stderr posted to the host; past this the worker only counts. */
  readonly outputLimitChars: number;
  /** The sentence `import numpy` fails with while a distribution package is not installed. */
  readonly missingPackageMessage: string;
}

export type HostToWorker =
  | { readonly type: 'run'; readonly id: number; readonly code: string }
  | { readonly type: 'reset'; readonly id: number };

export type WorkerToHost =
  | { readonly type: 'ready'; readonly version: string }
  | { readonly type: 'initFailed'; readonly message: string }
  | { readonly type: 'stream'; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | { readonly type: 'image'; readonly mime: string; readonly base64: string }
  | { readonly type: 'file'; readonly name: string; readonly mime: string; readonly base64: string; readonly bytes: number }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly status: 'ok' | 'error' | 'interrupted';
      /** The traceback (trimmed to the user's code) when status is error/interrupted. */
      readonly error?: string;
      /** Characters of output the cell produced in all (more than were posted when over the limit). */
      readonly outputChars: number;
    };
