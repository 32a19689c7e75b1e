/** Review remarks as VS Code diagnostics from the source "Code Tutor": squiggles, hover and the Problems panel. */
import * as vscode from 'vscode';
import type { Remark, RemarkSeverity } from '../../shared/remark';

export const remarkSource = 'Code Tutor';

const severities: Readonly<Record<RemarkSeverity, vscode.DiagnosticSeverity>> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export class ReviewDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('codeTutor.review');

  /** A new review of this document starts: its old remarks go. */
  clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  add(document: vscode.TextDocument, remark: Remark): void {
    const last = Math.min(remark.endLine ?? remark.line, document.lineCount) - 1;
    const first = Math.min(remark.line, document.lineCount) - 1;
    const start = document.lineAt(first).firstNonWhitespaceCharacterIndex;
    const range = new vscode.Range(first, start, last, document.lineAt(last).range.end.character);
    const d = new vscode.Diagnostic(range, remark.message, severities[remark.severity]);
    d.source = remarkSource;
    this.collection.set(document.uri, [...(this.collection.get(document.uri) ?? []), d]);
  }

  dispose(): void {
    this.collection.dispose();
  }
}
