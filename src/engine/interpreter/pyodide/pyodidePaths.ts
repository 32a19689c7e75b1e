/**
 * Where the Pyodide worker script and Pyodide's own files are. In the packaged extension and the CLI (one esbuild
 * bundle in dist/) they sit next to the bundle: dist/pyodideWorker.js and dist/pyodide/. Run from the sources (the
 * unit tests, under tsx) the worker is the .ts file beside this one and the files come from node_modules/pyodide.
 * Never a CDN.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface PyodidePaths {
  readonly workerPath: string;
  readonly indexURL: string;
}

export function defaultPyodidePaths(here: string = __dirname): PyodidePaths {
  const bundled = join(here, 'pyodideWorker.js');
  if (existsSync(bundled) && existsSync(join(here, 'pyodide', 'pyodide.asm.wasm'))) {
    return { workerPath: bundled, indexURL: join(here, 'pyodide') + '/' };
  }
  let dir = here;
  while (!existsSync(join(dir, 'node_modules', 'pyodide', 'pyodide.asm.wasm'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`Pyodide's files were not found next to ${here}`);
    dir = up;
  }
  return { workerPath: join(__dirname, 'pyodideWorker.ts'), indexURL: join(dir, 'node_modules', 'pyodide') + '/' };
}
