/**
 * Put generated code into the learner's document: at the cursor, replacing the selection if there is one,
 * as one undo step — and only in an editor the learner was really using, never somewhere unexpected.
 */
import * as vscode from 'vscode';

/** Documents we may write into; output panes, diff views and the like are not for the learner's code. */
const writableSchemes = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs', 'vscode-userdata']);

export function isInsertTarget(editor: vscode.TextEditor | undefined): editor is vscode.TextEditor {
  return !!editor && writableSchemes.has(editor.document.uri.scheme) && !editor.document.isClosed;
}

/**
 * Remembers the text editor the learner used last. When a chat panel has focus VS Code reports no active text
 * editor, so Insert goes to the last one — if it is still open and visible.
 */
export class EditorTracker implements vscode.Disposable {
  private last: vscode.TextEditor | undefined;
  private readonly sub: vscode.Disposable;

  constructor() {
    this.last = isInsertTarget(vscode.window.activeTextEditor) ? vscode.window.activeTextEditor : undefined;
    this.sub = vscode.window.onDidChangeActiveTextEditor((e) => {
      if (isInsertTarget(e)) this.last = e;
    });
  }

  target(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (isInsertTarget(active)) return active;
    const last = this.last;
    if (isInsertTarget(last) && vscode.window.visibleTextEditors.includes(last)) return last;
    return undefined;
  }

  dispose(): void {
    this.sub.dispose();
  }
}

/** Returns a message for the learner when nothing was inserted, undefined on success. */
export async function insertCode(editor: vscode.TextEditor | undefined, code: string): Promise<string | undefined> {
  if (!isInsertTarget(editor)) {
    return vscode.l10n.t('No editor is open to insert into. Open a file, place the cursor where the code should go, and press Insert again.');
  }
  const selection = editor.selection;
  const ok = await editor.edit((b) => b.replace(selection, code), { undoStopBefore: true, undoStopAfter: true });
  if (!ok) return vscode.l10n.t('The code could not be inserted into {0}: the document may be read-only.', vscode.workspace.asRelativePath(editor.document.uri));
  await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
  return undefined;
}
