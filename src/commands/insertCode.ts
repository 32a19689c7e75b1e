/**
 * Put generated code into the learner's document: at the cursor, replacing the selection if there is one,
 * as one undo step — and only in an editor the learner was really using, never somewhere unexpected.
 */
import * as vscode from 'vscode';
import { hiddenCharacters } from '../shared/safeText';

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
  if (!(await confirmHiddenCharacters(code))) return undefined;
  const selection = editor.selection;
  const ok = await editor.edit((b) => b.replace(selection, code), { undoStopBefore: true, undoStopAfter: true });
  if (!ok) return vscode.l10n.t('The code could not be inserted into {0}: the document may be read-only.', vscode.workspace.asRelativePath(editor.document.uri));
  await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
  return undefined;
}

/**
 * Code whose text does not read the way it runs ("Trojan Source": bidi controls; terminal escapes and other control
 * characters) is inserted only after a modal warning. The chat shows those characters as marks; inserting never
 * runs anything. True when there is nothing to warn about, or the learner chose to insert anyway.
 */
export async function confirmHiddenCharacters(code: string): Promise<boolean> {
  const h = hiddenCharacters(code);
  if (!h.bidi && !h.control) return true;
  const detail: string[] = [];
  if (h.bidi) detail.push(vscode.l10n.t('It contains Unicode bidirectional control characters, which can make code read differently from the way it runs ("Trojan Source").'));
  if (h.control) detail.push(vscode.l10n.t('It contains terminal escape sequences or other control characters, which can hide or rewrite what you see.'));
  detail.push(vscode.l10n.t('The chat shows them as marks such as ⟨U+202E⟩ or ⟨ESC⟩. Inserting never runs the code.'));
  const insert = vscode.l10n.t('Insert Anyway');
  const choice = await vscode.window.showWarningMessage(vscode.l10n.t('This code contains hidden characters.'), { modal: true, detail: detail.join('\n\n') }, insert);
  return choice === insert;
}
