/**
 * The editor's ways into the tutor beyond a question: "Review My Code" (remarks as diagnostics), "Explain this
 * problem" on any diagnostic (a light-bulb action), and "Explain Last Terminal Error" (shell integration). Each asks
 * in the sidebar chat.
 */
import * as vscode from 'vscode';
import type { AskOptions, ChatSession } from '../chat/chatSession';
import type { Question } from '../shared/protocol';
import { ProblemActions, explainProblemCommand, problemQuestion } from './explainError/problemActions';
import { TerminalErrors } from './explainError/terminalErrors';
import { remarkTool, reviewPrompt } from './review/remarkTool';
import { ReviewDiagnostics } from './review/reviewDiagnostics';

export interface TutorCommandDeps {
  /** The chat these commands ask in (the sidebar's current chat: it changes when another chat is opened). */
  readonly session: () => ChatSession;
  readonly log: vscode.LogOutputChannel;
  /** Show the sidebar chat. */
  reveal(): Promise<void>;
  /** Tell the learner a run is still going. */
  busy(): void;
}

/** Longest code a review sends. */
export const maxReviewChars = 64 * 1024;

export function registerTutorCommands(deps: TutorCommandDeps): vscode.Disposable {
  const diagnostics = new ReviewDiagnostics();
  const terminal = new TerminalErrors(deps.log);
  const ask = async (question: Question, options?: AskOptions): Promise<boolean> => {
    await deps.reveal();
    const ok = await deps.session().ask(question, options);
    if (!ok) deps.busy();
    return ok;
  };

  return vscode.Disposable.from(
    diagnostics,
    terminal,
    vscode.commands.registerCommand('codeTutor.reviewCode', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return void vscode.window.showWarningMessage(vscode.l10n.t('Open a file to review first.'));
      if (deps.session().isRunning) return deps.busy();
      const doc = editor.document;
      const sel = editor.selection;
      const whole = sel.isEmpty;
      const startLine = whole ? 1 : sel.start.line + 1;
      // A selection that ends at the start of a line does not include that line.
      let endLine = whole ? doc.lineCount : sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line : sel.end.line + 1;
      // Blank lines at the end (a file's final newline) are not part of what is reviewed.
      while (endLine > startLine && doc.lineAt(endLine - 1).isEmptyOrWhitespace) endLine--;
      const code = doc.getText(new vscode.Range(startLine - 1, 0, endLine - 1, doc.lineAt(endLine - 1).range.end.character));
      if (!code.trim()) return void vscode.window.showWarningMessage(vscode.l10n.t('There is no code to review.'));
      if (code.length > maxReviewChars) return void vscode.window.showWarningMessage(vscode.l10n.t('That is too much code to review at once: select a part of it.'));
      const file = vscode.workspace.asRelativePath(doc.uri, false);
      const range = { startLine, endLine };
      diagnostics.clear(doc.uri);
      await ask(
        { text: vscode.l10n.t('Review my code'), context: { code, language: doc.languageId, file, ...range } },
        {
          tools: [remarkTool(range, (remark) => diagnostics.add(doc, remark))],
          prompt: reviewPrompt(file, doc.languageId, code, range),
          learner: { kind: 'review', review: { uri: doc.uri.toString(), file, ...range } },
          // Review mode: comment, don't rewrite, with the hint guard over the review's text (issue 6).
          mode: 'review',
        },
      );
    }),
    vscode.languages.registerCodeActionsProvider('*', new ProblemActions(), { providedCodeActionKinds: ProblemActions.kinds }),
    vscode.commands.registerCommand(explainProblemCommand, async (uri?: unknown, diagnostic?: unknown) => {
      if (!(uri instanceof vscode.Uri) || !(diagnostic instanceof vscode.Diagnostic)) return;
      const document = await vscode.workspace.openTextDocument(uri);
      await ask(problemQuestion(document, diagnostic), { learner: { kind: 'explainProblem' } });
    }),
    vscode.commands.registerCommand('codeTutor.explainTerminalError', async () => {
      const failed = terminal.last;
      if (!failed) {
        const why = terminal.available
          ? vscode.l10n.t('No command has failed in the terminal yet. Run it in the integrated terminal, then try again.')
          : vscode.l10n.t(
              'Shell integration is not active in any terminal, so Code Tutor cannot read what a command printed. Use bash, zsh, fish or PowerShell with "terminal.integrated.shellIntegration.enabled" on, then run the command again.',
            );
        return void vscode.window.showInformationMessage(why);
      }
      // A command that ends at once can print before VS Code hands its output on: say so, rather than show nothing.
      const output = failed.output.trim() === '' ? `# ${vscode.l10n.t('(VS Code did not pass on what this command printed.)')}` : failed.output;
      const lines = output.split('\n').length;
      await ask(
        {
          text: vscode.l10n.t('Explain this error from the terminal: "{0}" exited with code {1}.', failed.command, String(failed.exitCode)),
          context: { code: `$ ${failed.command}\n${output}`, language: 'shellscript', file: vscode.l10n.t('Terminal'), startLine: 1, endLine: lines + 1 },
        },
        { learner: { kind: 'explainTerminal' } },
      );
    }),
  );
}
