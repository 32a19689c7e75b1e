/**
 * "Check my understanding": the `quiz` function tool the tutor answers through, and the instruction that asks for
 * it. The tool only checks the quiz (strictly) and tells the model it is shown; the learner's answers are judged
 * in the chat, locally, with no model call (judgeQuiz).
 */
import type { FunctionTool } from '../../engine/tools/functionTool';
import { own, type QuizRecord } from '../../shared/learner';
import { isAnswerFor, judgeAnswer, maxQuizQuestions, parseQuiz, quizToolName } from '../../shared/quiz';
import type { Turn } from '../../shared/protocol';

export { quizToolName };

export const quizInstruction = [
  'Check my understanding of what you just explained.',
  `Call the function tool "${quizToolName}" exactly once with 1 to ${maxQuizQuestions} short questions about it.`,
  'Use kind "choice" with 2 to 4 choices whose "answer" is exactly one of the choices, or kind "predict_output" whose',
  '"answer" is the exact output of a tiny snippet shown in the prompt. Give each question a one-sentence "explanation".',
  'Do not write the questions or their answers in your text; after the call, say one short encouraging sentence.',
].join(' ');

export function quizTool(): FunctionTool {
  return {
    name: quizToolName,
    description: `Show the learner a short quiz (1-${maxQuizQuestions} questions) as an interactive card. Their answers are checked in the editor; you do not see them.`,
    parameters: {
      type: 'object',
      properties: {
        questions: {
          type: 'array',
          minItems: 1,
          maxItems: maxQuizQuestions,
          items: {
            type: 'object',
            properties: {
              prompt: { type: 'string', description: 'The question. For predict_output, include the code.' },
              kind: { type: 'string', enum: ['choice', 'predict_output'] },
              choices: { type: 'array', items: { type: 'string' }, description: 'Only for kind "choice": 2 to 4 distinct choices.' },
              answer: { type: 'string', description: 'For "choice": exactly one of the choices. For "predict_output": the exact output.' },
              explanation: { type: 'string', description: 'Why that is the answer, in one or two sentences.' },
            },
            required: ['prompt', 'kind', 'answer', 'explanation'],
            additionalProperties: false,
          },
        },
      },
      required: ['questions'],
      additionalProperties: false,
    },
    async run(args) {
      const parsed = parseQuiz(args);
      if (!parsed.ok) throw new Error(`the quiz was not shown: ${parsed.problem}. Call ${quizToolName} again with valid arguments.`);
      return `The quiz (${parsed.quiz.questions.length} question${parsed.quiz.questions.length === 1 ? '' : 's'}) is shown to the learner, who answers it in the editor. Do not repeat the questions or reveal the answers.`;
    },
  };
}

export type QuizJudgement = { readonly ok: true; readonly record: QuizRecord } | { readonly ok: false; readonly reason: 'noQuiz' | 'badAnswer' | 'answered' };

/**
 * Judge one answer to question `index` of the quiz in tool item `itemId` of `turn`, locally. The quiz is read
 * from the transcript the host already has, never from the webview; a question is answered once.
 */
export function judgeQuiz(turn: Turn, itemId: string, index: number, answer: string): QuizJudgement {
  const item = turn.run.items.find((i) => i.id === itemId);
  if (item?.type !== 'tool' || item.name !== quizToolName || item.isError) return { ok: false, reason: 'noQuiz' };
  const parsed = parseQuiz(item.arguments);
  if (!parsed.ok) return { ok: false, reason: 'noQuiz' };
  const q = parsed.quiz.questions[index];
  if (!q || !isAnswerFor(q, answer)) return { ok: false, reason: 'badAnswer' };
  const old = own(turn.learner?.quizzes, itemId) ?? {};
  if (own(old, String(index))) return { ok: false, reason: 'answered' };
  return { ok: true, record: { ...old, [String(index)]: { answer, correct: judgeAnswer(q, answer) } } };
}
