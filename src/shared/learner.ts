/**
 * What the learner did with a turn, kept in the chat beside the run (the host owns it and persists it with the
 * turn): predictions before interpreter output was shown, quiz answers and their judgement, and what a review or
 * an explanation was about. Pure data and helpers; no `vscode`, no DOM.
 */
import type { LineRange } from './remark';

/** A prediction for one interpreter call. `text: null` is "Just show me". */
export interface PredictionRecord {
  readonly text: string | null;
  /** Already told to the tutor with a later question. */
  readonly reported?: boolean;
}

export interface QuizAnswerRecord {
  readonly answer: string;
  readonly correct: boolean;
}

/** The answers to one quiz (a `quiz` tool item), by question index. */
export type QuizRecord = Readonly<Record<string, QuizAnswerRecord>>;

/** The code a review was about. */
export interface ReviewTarget extends LineRange {
  /** The document's URI, as a string. */
  readonly uri: string;
  /** Workspace-relative name, for display. */
  readonly file: string;
}

export type TutorRequestKind = 'quiz' | 'review' | 'explainProblem' | 'explainTerminal';

export interface LearnerRecord {
  /** This turn's interpreter outputs are hidden until the learner predicts them. */
  readonly predictBeforeRun?: boolean;
  /** By code item id. */
  readonly predictions?: Readonly<Record<string, PredictionRecord>>;
  /** By quiz tool item id. */
  readonly quizzes?: Readonly<Record<string, QuizRecord>>;
  readonly review?: ReviewTarget;
  readonly kind?: TutorRequestKind;
}

/** Read an own property of a record that came over the wire (never the prototype's). */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Right answers and answered questions of a quiz. */
export function quizScore(record: QuizRecord | undefined): { readonly right: number; readonly answered: number } {
  let right = 0;
  let answered = 0;
  for (const k of Object.keys(record ?? {})) {
    answered++;
    if (record![k].correct) right++;
  }
  return { right, answered };
}
