/** Save a file the interpreter generated (a CSV, a plot …) where the learner chooses. */
import * as vscode from 'vscode';
import type { CodeOutput } from '../shared/events';
import { safeFileName } from '../shared/safeText';

export async function saveOutput(output: Exclude<CodeOutput, { type: 'logs' }>): Promise<string | undefined> {
  if (output.base64 === undefined) return vscode.l10n.t('This file was not downloaded, so it cannot be saved.');
  // A model-supplied name is offered only in a safe form: `invoice_2024\u202Efdp.exe` starts as `invoice_2024_fdp.exe`.
  const name = output.type === 'file' ? safeFileName(output.name) : safeFileName(`plot.${output.mime.split('/')[1] ?? 'png'}`, 'plot.png');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, saveLabel: vscode.l10n.t('Save') });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, Buffer.from(output.base64, 'base64'));
  return undefined;
}
