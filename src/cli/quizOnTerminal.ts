/**
 * "Check my understanding" in the terminal client (`--quiz`): the questions the tutor sent through its `quiz` tool,
 * asked one by one and judged here, with no model call, exactly as the editor's quiz card does. A quiz that arrived
 * malformed is named, never half-shown. Choices are answered by their number or their text.
 */
import { parseQuiz, quizToolName, judgeAnswer, type Quiz, type QuizQuestion } from '../shared/quiz';
import type { RunTranscript } from '../shared/transcript';
import { format, type cliMessages } from './messages';
import type { TerminalInput } from './terminalInput';

type Messages = ReturnType<typeof cliMessages>;

export interface QuizAnswer {
  /** null: no answer came (the input ended). */
  readonly answer: string | null;
  readonly correct: boolean;
}

export type QuizOutcome =
  | { readonly ok: true; readonly quiz: Quiz; readonly answers: readonly QuizAnswer[]; readonly score: number }
  | { readonly ok: false; readonly problem: string; readonly missing?: true };

/** The quiz of this run, or the problem with it (none sent, or malformed). */
export function quizOf(t: RunTranscript): { readonly ok: true; readonly quiz: Quiz } | { readonly ok: false; readonly problem: string; readonly missing?: true } {
  const calls = t.items.filter((i) => i.type === 'tool' && i.name === quizToolName);
  const last = calls.at(-1);
  if (!last || last.type !== 'tool') return { ok: false, problem: 'the tutor did not send a quiz', missing: true };
  return parseQuiz(last.arguments);
}

/** What the learner typed, as an answer to `q`: a choice's number stands for that choice. */
export function answerFor(q: QuizQuestion, line: string): string {
  const typed = line.trim();
  if (q.kind !== 'choice' || !q.choices) return typed;
  const n = Number(typed);
  return Number.isInteger(n) && n >= 1 && n <= q.choices.length ? q.choices[n - 1] : typed;
}

export async function quizOnTerminal(t: RunTranscript, input: TerminalInput, print: (s: string) => void, msg: Messages): Promise<QuizOutcome> {
  const found = quizOf(t);
  if (!found.ok) {
    print(`\n${found.missing ? msg.quizMissing : `${msg.quizMalformed} ${found.problem}`}\n`);
    return found;
  }
  const { quiz } = found;
  const answers: QuizAnswer[] = [];
  print(`\n── ${msg.quizTitle} ──\n`);
  for (const [index, q] of quiz.questions.entries()) {
    print(`\n${index + 1}. ${q.prompt}\n`);
    if (q.kind === 'choice') for (const [i, c] of (q.choices ?? []).entries()) print(`   ${i + 1}) ${c}\n`);
    const line = await input.next(`${q.kind === 'choice' ? msg.quizChoose : msg.quizYourAnswer} `);
    if (line === null) {
      answers.push({ answer: null, correct: false });
      print(`${msg.quizNoAnswer}\n`);
      continue;
    }
    const answer = answerFor(q, line);
    const correct = judgeAnswer(q, answer);
    answers.push({ answer, correct });
    print(`${correct ? msg.quizRight : `${msg.quizWrong} ${format(msg.quizAnswerWas, q.answer)}`}\n${q.explanation}\n`);
  }
  const score = answers.filter((a) => a.correct).length;
  print(`\n${format(msg.quizScore, String(score), String(quiz.questions.length))}\n`);
  return { ok: true, quiz, answers, score };
}
