/**
 * The VS Code side of the local interpreters: which runtime a chat gets (`codeTutor.localInterpreter`), where
 * Pyodide's installed packages live (global storage, keyed by the bundled Pyodide version), and the consent prompt
 * for the learner's own Python. Each chat calls `createLocalInterpreter` once and keeps the result (one namespace
 * per chat); a Pyodide chat starts its worker as soon as the chat is shown (ChatSession.prewarm), so the cold start
 * is hidden while the learner types.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LocalInterpreter } from '../engine/interpreter/localInterpreter';
import { PyodideInterpreter } from '../engine/interpreter/pyodide/pyodideInterpreter';
import { CPythonInterpreter, type Consent } from '../engine/interpreter/python/cpythonInterpreter';

export type LocalRuntimeSetting = 'pyodide' | 'python';

export interface LocalRuntimeSettings {
  readonly runtime: LocalRuntimeSetting;
  readonly pythonPath: string;
  readonly timeLimitMs: number;
  readonly packagesUrl: string;
}

export function readLocalRuntimeSettings(): LocalRuntimeSettings {
  const c = vscode.workspace.getConfiguration('codeTutor');
  return {
    runtime: c.get<string>('localInterpreter') === 'python' ? 'python' : 'pyodide',
    pythonPath: c.get<string>('pythonPath')?.trim() || 'python3',
    timeLimitMs: Math.max(1, c.get<number>('codeTimeLimit', 60)) * 1000,
    packagesUrl: c.get<string>('pyodidePackagesUrl')?.trim() ?? '',
  };
}

/** The Pyodide files shipped in the extension (dist/pyodide) and its worker (dist/pyodideWorker.js). */
export function pyodideFiles(extensionUri: vscode.Uri): { indexURL: string; workerPath: string } {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist').fsPath;
  return { indexURL: join(dist, 'pyodide') + '/', workerPath: join(dist, 'pyodideWorker.js') };
}

/** Where downloaded or copied wheels go, for the bundled Pyodide version. */
export function pyodidePackagesDir(context: vscode.ExtensionContext, version: string): string {
  return join(context.globalStorageUri.fsPath, 'pyodide-packages', version);
}

export function bundledPyodideVersion(extensionUri: vscode.Uri): string {
  // dist/pyodide/package.json is copied from the npm package by esbuild.mjs.
  return (JSON.parse(readFileSync(join(pyodideFiles(extensionUri).indexURL, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Shows the code and asks: Run / Always for this chat / Skip (closing the dialog is Skip). */
export async function askToRun(code: string): Promise<Consent> {
  const run = vscode.l10n.t('Run');
  const always = vscode.l10n.t('Always for this chat');
  const skip = vscode.l10n.t('Skip');
  const shown = code.length > 4000 ? code.slice(0, 4000) + '\n…' : code;
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Run this code with your own Python?'),
    { modal: true, detail: shown },
    run,
    always,
    skip,
  );
  return answer === run ? 'run' : answer === always ? 'always' : 'skip';
}

export function createLocalInterpreter(context: vscode.ExtensionContext): LocalInterpreter {
  const s = readLocalRuntimeSettings();
  const locale = vscode.env.language;
  if (s.runtime === 'python') {
    return new CPythonInterpreter({ pythonPath: s.pythonPath, timeLimitMs: s.timeLimitMs, locale, confirm: askToRun });
  }
  const files = pyodideFiles(context.extensionUri);
  const py = new PyodideInterpreter({
    ...files,
    packagesDir: pyodidePackagesDir(context, bundledPyodideVersion(context.extensionUri)),
    timeLimitMs: s.timeLimitMs,
    locale,
  });
  void py.warm().catch(() => undefined); // failures are reported by the first run
  return py;
}
