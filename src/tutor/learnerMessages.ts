/**
 * The webview's requests about what the learner does with a turn — "Check my understanding", a quiz answer, a
 * prediction, a click on a review remark — carried out by the host, which owns the chat. Each request names items
 * by reference; the host looks them up in the transcript it already has and checks them.
 */
import * as vscode from 'vscode';
import type { ChatSession } from '../chat/chatSession';
import { own } from '../shared/learner';
import type { WebviewToHost } from '../shared/protocol';
import { parseRemark } from '../shared/remark';
import { judgeQuiz, quizInstruction, quizTool } from './quiz/quizTool';
import { remarkToolName } from './review/remarkTool';

export type LearnerMessage = Extract<WebviewToHost, { type: 'checkUnderstanding' | 'quizAnswer' | 'predict' | 'openRemark' }>;

export interface LearnerMessageDeps {
  readonly log: vscode.LogOutputChannel;
  /** Show a banner in the view the message came from. */
  notice(level: 'info' | 'error', text: string): void;
}

export async function handleLearnerMessage(m: LearnerMessage, session: ChatSession, deps: LearnerMessageDeps): Promise<void> {
  const turn = session.turn(m.turnId);
  if (!turn) return deps.notice('error', vscode.l10n.t('That part of the chat no longer exists.'));
  switch (m.type) {
    case 'checkUnderstanding': {
      if (turn.run.status !== 'completed') return;
      const ok = await session.ask({ text: vscode.l10n.t('Check my understanding') }, { tools: [quizTool()], prompt: quizInstruction, learner: { kind: 'quiz' } });
      if (!ok) deps.notice('info', vscode.l10n.t('The tutor is still answering. Wait for it, or press Stop.'));
      return;
    }
    case 'quizAnswer': {
      // Judged here, locally: no model call.
      const judged = judgeQuiz(turn, m.itemId, m.question, m.answer);
      if (!judged.ok) {
        deps.log.warn(`quiz answer refused: ${judged.reason}`);
        return;
      }
      session.updateLearner(turn.id, (l) => ({ ...l, quizzes: { ...l.quizzes, [m.itemId]: judged.record } }));
      return;
    }
    case 'predict': {
      const item = turn.run.items.find((i) => i.id === m.itemId);
      if (item?.type !== 'code' || !turn.learner?.predictBeforeRun || own(turn.learner.predictions, m.itemId)) return;
      session.updateLearner(turn.id, (l) => ({ ...l, predictions: { ...l.predictions, [m.itemId]: { text: m.prediction === null ? null : m.prediction.trim() } } }));
      return;
    }
    case 'openRemark': {
      const item = turn.run.items.find((i) => i.id === m.itemId);
      const target = turn.learner?.review;
      if (item?.type !== 'tool' || item.name !== remarkToolName || !target) return;
      const parsed = parseRemark(item.arguments, target);
      if (!parsed.ok) return;
      try {
        const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.uri, true));
        const line = Math.min(parsed.remark.line, document.lineCount) - 1;
        const at = new vscode.Position(line, document.lineAt(line).firstNonWhitespaceCharacterIndex);
        const editor = await vscode.window.showTextDocument(document, { preview: false, selection: new vscode.Range(at, at) });
        editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      } catch (e) {
        deps.notice('error', vscode.l10n.t('Could not open {0}: {1}', target.file, e instanceof Error ? e.message : String(e)));
      }
      return;
    }
    default: {
      const never: never = m;
      return never;
    }
  }
}
