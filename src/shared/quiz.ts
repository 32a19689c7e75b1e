/**
 * The "Check my understanding" quiz: what the tutor's `quiz` function tool must send, checked strictly, and how an
 * answer is judged — locally, with no model call. Pure: used by the host (the tool, the judge of record) and by
 * the webview (to render the card). No `vscode`, no DOM.
 */
import { sameOutput } from './prediction';

/** The function tool's name. */
export const quizToolName = 'quiz';

export type QuizKind = 'choice' | 'predict_output';

export interface QuizQuestion {
  readonly prompt: string;
  readonly kind: QuizKind;
  /** 2–6 distinct choices, only for `choice`. */
  readonly choices?: readonly string[];
  /** For `choice`: exactly one of the choices. For `predict_output`: the exact output. */
  readonly answer: string;
  readonly explanation: string;
}

export interface Quiz {
  readonly questions: readonly QuizQuestion[];
}

export type QuizParse = { readonly ok: true; readonly quiz: Quiz } | { readonly ok: false; readonly problem: string };

export const maxQuizQuestions = 3;
export const maxQuizText = 2_000;
export const maxQuizChoices = 6;
/** Longest answer the webview may send. */
export const maxQuizAnswerLength = 2_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.trim().length > 0 && v.length <= max;
}

/** Check the tool's arguments (a JSON string or an object). Every problem is named, in English (it also goes back to the model). */
export function parseQuiz(raw: unknown): QuizParse {
  let args: unknown = raw;
  if (typeof raw === 'string') {
    try {
      args = JSON.parse(raw);
    } catch {
      return { ok: false, problem: 'the arguments are not valid JSON' };
    }
  }
  if (!isObject(args)) return { ok: false, problem: 'the arguments must be an object {questions: [...]}' };
  const extra = Object.keys(args).filter((k) => k !== 'questions');
  if (extra.length) return { ok: false, problem: `unknown field "${extra[0]}"` };
  const list = args.questions;
  if (!Array.isArray(list)) return { ok: false, problem: '"questions" must be an array' };
  if (list.length < 1 || list.length > maxQuizQuestions) return { ok: false, problem: `"questions" must hold 1 to ${maxQuizQuestions} questions, not ${list.length}` };
  const questions: QuizQuestion[] = [];
  for (let i = 0; i < list.length; i++) {
    const q: unknown = list[i];
    const where = `question ${i + 1}`;
    if (!isObject(q)) return { ok: false, problem: `${where} is not an object` };
    const unknown = Object.keys(q).filter((k) => !['prompt', 'kind', 'choices', 'answer', 'explanation'].includes(k));
    if (unknown.length) return { ok: false, problem: `${where} has an unknown field "${unknown[0]}"` };
    if (!text(q.prompt, maxQuizText)) return { ok: false, problem: `${where} needs a "prompt" (a non-empty string)` };
    if (q.kind !== 'choice' && q.kind !== 'predict_output') return { ok: false, problem: `${where}: "kind" must be "choice" or "predict_output"` };
    if (!text(q.answer, maxQuizText)) return { ok: false, problem: `${where} needs an "answer" (a non-empty string)` };
    if (!text(q.explanation, maxQuizText)) return { ok: false, problem: `${where} needs an "explanation" (a non-empty string)` };
    if (q.kind === 'choice') {
      const c = q.choices;
      if (!Array.isArray(c) || c.length < 2 || c.length > maxQuizChoices) return { ok: false, problem: `${where}: "choices" must hold 2 to ${maxQuizChoices} strings` };
      if (!c.every((x) => text(x, maxQuizText))) return { ok: false, problem: `${where}: every choice must be a non-empty string` };
      if (new Set(c).size !== c.length) return { ok: false, problem: `${where}: the choices must differ` };
      if (!c.includes(q.answer)) return { ok: false, problem: `${where}: the "answer" must be exactly one of the choices` };
      questions.push({ prompt: q.prompt, kind: 'choice', choices: [...(c as string[])], answer: q.answer, explanation: q.explanation });
    } else {
      if (q.choices !== undefined) return { ok: false, problem: `${where}: a "predict_output" question has no "choices"` };
      questions.push({ prompt: q.prompt, kind: 'predict_output', answer: q.answer, explanation: q.explanation });
    }
  }
  return { ok: true, quiz: { questions } };
}

/** Is this answer right? `choice`: the very choice; `predict_output`: the same output, whitespace aside. */
export function judgeAnswer(q: QuizQuestion, answer: string): boolean {
  return q.kind === 'choice' ? answer === q.answer : sameOutput(answer, q.answer);
}

/** A well-formed answer for this question (a choice it offers; a bounded text). */
export function isAnswerFor(q: QuizQuestion, answer: string): boolean {
  if (q.kind === 'choice') return (q.choices ?? []).includes(answer);
  return answer.length <= maxQuizAnswerLength;
}
