/**
 * What the learner can do with a code block from the chat: copy it, insert it at the cursor, replace the selection
 * with it (each one undo step, and the editor gets the focus), or open it in a new untitled editor in its language.
 * The code always comes from the host's own transcript (see src/shared/codeBlocks.ts), never from the webview.
 */
import * as vscode from 'vscode';
import { type CodeBlock, languageIdFor } from '../shared/codeBlocks';
import type { CodeAction } from '../shared/protocol';
import { confirmHiddenCharacters, isInsertTarget } from './insertCode';

/** Carry out `action`; returns a message for the learner when it could not be done, undefined on success. */
export async function runCodeAction(action: CodeAction, block: CodeBlock, editor: vscode.TextEditor | undefined): Promise<string | undefined> {
  switch (action) {
    case 'copy':
      await vscode.env.clipboard.writeText(block.code);
      return undefined;
    case 'insert':
    case 'replace':
      // Code that hides what it does (terminal escapes, bidi controls) goes into a document only after a warning.
      if (!(await confirmHiddenCharacters(block.code))) return undefined;
      return editInto(editor, block.code, action === 'replace');
    case 'newEditor': {
      if (!(await confirmHiddenCharacters(block.code))) return undefined;
      const known = new Set(await vscode.languages.getLanguages());
      const doc = await vscode.workspace.openTextDocument({ content: block.code, language: languageIdFor(block.language, known) });
      await vscode.window.showTextDocument(doc, { viewColumn: editor?.viewColumn ?? vscode.ViewColumn.One, preview: false, preserveFocus: false });
      return undefined;
    }
    default: {
      const never: never = action;
      return never;
    }
  }
}

async function editInto(editor: vscode.TextEditor | undefined, code: string, replace: boolean): Promise<string | undefined> {
  if (!isInsertTarget(editor)) {
    return vscode.l10n.t('No editor is open to insert into. Open a file, place the cursor where the code should go, and press Insert again.');
  }
  const selection = editor.selection;
  // One edit with undo stops on both sides: a single Undo takes it all back.
  const ok = await editor.edit((b) => (replace ? b.replace(selection, code) : b.insert(selection.active, code)), { undoStopBefore: true, undoStopAfter: true });
  if (!ok) return vscode.l10n.t('The code could not be inserted into {0}: the document may be read-only.', vscode.workspace.asRelativePath(editor.document.uri));
  await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
  return undefined;
}
