// Two bundles for the two worlds (node/cjs for the extension host and the CLI, browser/iife for the webview),
// each type-checked separately by `npm run typecheck`.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {esbuild.BuildOptions} */
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'info', legalComments: 'none' };

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node22', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node22', banner: { js: '#!/usr/bin/env node' } },
  // The Pyodide worker thread (src/engine/interpreter/pyodide): its own bundle, started by the extension and the CLI.
  { ...common, entryPoints: { pyodideWorker: 'src/engine/interpreter/pyodide/pyodideWorker.ts' }, outdir: 'dist', platform: 'node', format: 'cjs', target: 'node22' },
  { ...common, entryPoints: { webview: 'webview/main.ts' }, outdir: 'dist', platform: 'browser', format: 'iife', target: 'chrome120', loader: { '.css': 'css' } },
];

// Pyodide's runtime files ship inside the extension (loaded with an explicit indexURL; never from a CDN).
const pyodideFiles = ['pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json', 'package.json'];
mkdirSync('dist/pyodide', { recursive: true });
for (const f of pyodideFiles) copyFileSync(`node_modules/pyodide/${f}`, `dist/pyodide/${f}`);

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
