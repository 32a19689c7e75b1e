/**
 * "Explain this problem with Code Tutor": a light-bulb action on every diagnostic, in every language. The question
 * sent carries the diagnostic's message and source, the code around it and the file's language.
 */
import * as vscode from 'vscode';
import type { Question } from '../../shared/protocol';

export const explainProblemCommand = 'codeTutor.explainProblem';
/** Lines of code shown on each side of the problem. */
export const contextLines = 3;

export class ProblemActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return context.diagnostics
      .filter((d) => d.source !== 'Code Tutor')
      .slice(0, 3)
      .map((d) => {
        const action = new vscode.CodeAction(vscode.l10n.t('Explain this problem with Code Tutor'), vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.command = { command: explainProblemCommand, title: action.title, arguments: [document.uri, d] };
        return action;
      });
  }
}

/** The question for one diagnostic, or why there is none. */
export function problemQuestion(document: vscode.TextDocument, d: vscode.Diagnostic): Question {
  const first = Math.max(0, d.range.start.line - contextLines);
  const last = Math.min(document.lineCount - 1, d.range.end.line + contextLines);
  const code = document.getText(new vscode.Range(first, 0, last, document.lineAt(last).range.end.character));
  const source = d.source ? `${d.source}${d.code !== undefined ? ` ${typeof d.code === 'object' ? String(d.code.value) : String(d.code)}` : ''}` : '';
  const where = `${d.range.start.line + 1}`;
  return {
    text: vscode.l10n.t('Explain this problem at line {0}: {1}', where, `${d.message}${source ? ` (${source})` : ''}`),
    context: {
      code,
      language: document.languageId,
      file: vscode.workspace.asRelativePath(document.uri, false),
      startLine: first + 1,
      endLine: last + 1,
    },
  };
}
