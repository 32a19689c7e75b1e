/** Build the "Explain Selection" question from the editor: the selected code, its language, file and lines. */
import * as vscode from 'vscode';
import type { Question } from '../shared/protocol';

/** Longest selection sent as context; a longer one is refused with a message rather than cut silently. */
export const maxSelectionChars = 20_000;

export function explainSelection(editor: vscode.TextEditor | undefined): Question | string {
  if (!editor || editor.selection.isEmpty) return vscode.l10n.t('Select some code first, then choose "Explain Selection".');
  const sel = editor.selection;
  const code = editor.document.getText(sel);
  if (!code.trim()) return vscode.l10n.t('The selection is empty. Select some code first.');
  if (code.length > maxSelectionChars) {
    return vscode.l10n.t('The selection is too long to explain at once ({0} characters, at most {1}). Select a smaller part.', code.length, maxSelectionChars);
  }
  // A selection ending at column 0 of a line does not include that line.
  const endLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line : sel.end.line + 1;
  return {
    text: vscode.l10n.t('Explain this code.'),
    context: {
      code,
      language: editor.document.languageId,
      file: vscode.workspace.asRelativePath(editor.document.uri, false),
      startLine: sel.start.line + 1,
      endLine,
    },
  };
}
