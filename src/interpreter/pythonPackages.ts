/**
 * The commands "Code Tutor: Download Python Packages" and "Code Tutor: Install Python Packages from Folder": the
 * Pyodide distribution's numpy, pandas and matplotlib (with their dependencies) into global storage, checked
 * against the bundled lock file, with a progress notification. Chats started afterwards can import them.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { defaultPackageBaseUrl, downloadPackages, installPackagesFromFolder, readLockfile } from '../engine/interpreter/packages/packageStore';
import { bundledPyodideVersion, pyodideFiles, pyodidePackagesDir, readLocalRuntimeSettings } from './localRuntime';

export async function downloadPythonPackages(context: vscode.ExtensionContext): Promise<void> {
  const version = bundledPyodideVersion(context.extensionUri);
  const lock = readLockfile(join(pyodideFiles(context.extensionUri).indexURL, 'pyodide-lock.json'));
  const baseUrl = readLocalRuntimeSettings().packagesUrl || defaultPackageBaseUrl(version);
  try {
    const got = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading Python packages for Code Tutor'), cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let last = 0;
        return downloadPackages({
          lock,
          dest: pyodidePackagesDir(context, version),
          baseUrl,
          signal: abort.signal,
          onProgress: (p) => {
            const pct = (p.done / p.total) * 100;
            progress.report({ increment: pct - last, message: p.file ? `${p.done + 1}/${p.total} ${p.file}` : undefined });
            last = pct;
          },
        });
      },
    );
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} Python packages are installed. New chats can import numpy, pandas and matplotlib.', got.length));
  } catch (e) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not download the Python packages from {0}: {1}', baseUrl, e instanceof Error ? e.message : String(e)));
  }
}

export async function installPythonPackagesFromFolder(context: vscode.ExtensionContext): Promise<void> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: vscode.l10n.t('Install from This Folder') });
  if (!picked?.[0]) return;
  const version = bundledPyodideVersion(context.extensionUri);
  const lock = readLockfile(join(pyodideFiles(context.extensionUri).indexURL, 'pyodide-lock.json'));
  const result = installPackagesFromFolder(picked[0].fsPath, pyodidePackagesDir(context, version), lock);
  const refused = result.rejected.map((r) => `${r.file}: ${r.reason}`).join('\n');
  if (result.rejected.length) {
    void vscode.window.showWarningMessage(vscode.l10n.t('{0} packages installed, {1} refused.', result.installed.length, result.rejected.length), { modal: true, detail: refused });
  } else {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} packages installed, {1} refused.', result.installed.length, 0));
  }
}
