/**
 * "Code Tutor: Show What the Tutor Was Told": the effective instructions (standing instructions + mode + course
 * rules) in a read-only virtual document — a content provider's documents cannot be edited or saved.
 */
import * as vscode from 'vscode';

export const instructionsScheme = 'code-tutor-told';

export class InstructionsDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this._onDidChange.event;
  private count = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.query) ?? '';
  }

  /** Open `text` read-only, beside nothing else: a fresh document each time, so it is never stale. */
  async show(text: string): Promise<void> {
    const key = String(++this.count);
    this.texts.set(key, text);
    if (this.texts.size > 20) this.texts.delete(this.texts.keys().next().value!);
    const uri = vscode.Uri.from({ scheme: instructionsScheme, path: `/${vscode.l10n.t('What the Tutor Was Told')}.md`, query: key });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose(): void {
    this._onDidChange.dispose();
    this.texts.clear();
  }
}
