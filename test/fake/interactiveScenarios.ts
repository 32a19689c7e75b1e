/**
 * Scenarios for the tutor's interactive tools (issue 6): a `quiz` function call (well-formed, and malformed), and a
 * review that calls `add_remark` for lines of test/workspace/primes.py (one remark outside the file, which the
 * extension must refuse). The follow-up after their function outputs is a short text that fits the tool.
 */
import type { ScenarioInfo } from './scenarios';
import { ResponseBuilder, type ResponsesContext, type ResponsesPlan } from './responsesScenarios';

export const QUIZ_ARGS = {
  questions: [
    {
      prompt: 'What numbers does `range(2, 5)` give?',
      kind: 'choice',
      choices: ['2, 3, 4', '2, 3, 4, 5', '3, 4, 5'],
      answer: '2, 3, 4',
      explanation: 'A range stops just before its end value, so 5 is not included.',
    },
    {
      prompt: 'What does this print?\n\n```python\nprint([n * n for n in range(1, 4)])\n```',
      kind: 'predict_output',
      answer: '[1, 4, 9]',
      explanation: 'The comprehension squares 1, 2 and 3.',
    },
  ],
} as const;

/** The answer must be one of the choices: the extension refuses this quiz. */
export const MALFORMED_QUIZ_ARGS = {
  questions: [{ prompt: 'Which is a prime?', kind: 'choice', choices: ['4', '6'], answer: '7', explanation: '7 has no divisors but 1 and itself.' }],
};

/** Remarks on primes.py (20 lines): two good ones, and one at line 99, outside the file. */
export const REVIEW_REMARKS = [
  { line: 8, severity: 'warning', message: 'This range stops before the square root itself: what happens for n = 9?' },
  { line: 20, severity: 'info', message: 'A good place to print a smaller case first, such as primes_up_to(10).' },
  { line: 99, severity: 'error', message: 'A remark outside the reviewed lines.' },
] as const;

export const TUTOR_SCENARIOS: readonly ScenarioInfo[] = [
  { name: 'quiz', kind: 'responses', description: 'a short text and a `quiz` function call with two questions (choice, predict_output)' },
  { name: 'quiz-malformed', kind: 'responses', description: 'a `quiz` function call whose answer is not one of its choices' },
  { name: 'review', kind: 'responses', description: 'three `add_remark` calls on primes.py: lines 8 and 20, and line 99 (outside)' },
];

export function tutorScenarioPlan(name: string, ctx: ResponsesContext): ResponsesPlan | undefined {
  switch (name) {
    case 'quiz':
      return new ResponseBuilder(ctx.body).start().message('Here are two quick questions to check your understanding.').functionCall('quiz', JSON.stringify(QUIZ_ARGS)).complete();
    case 'quiz-malformed':
      return new ResponseBuilder(ctx.body).start().functionCall('quiz', JSON.stringify(MALFORMED_QUIZ_ARGS)).complete();
    case 'review': {
      const b = new ResponseBuilder(ctx.body).start().message('I read your code; my remarks are attached to the lines they are about.');
      for (const r of REVIEW_REMARKS) b.functionCall('add_remark', JSON.stringify(r));
      return b.complete();
    }
    default:
      return undefined;
  }
}

/** The answer after `quiz` / `add_remark` outputs; undefined for other tools. */
export function tutorFollowUp(ctx: ResponsesContext): ResponsesPlan | undefined {
  const outputs = ctx.toolOutputs.map((o) => o.output);
  if (outputs.some((o) => o.startsWith('The quiz ') || o.includes('the quiz was not shown'))) {
    return new ResponseBuilder(ctx.body).start().message('Take your time with the questions above.').complete();
  }
  if (outputs.some((o) => o.startsWith('Remark added') || o.includes('the remark was not added'))) {
    const added = outputs.filter((o) => o.startsWith('Remark added')).length;
    return new ResponseBuilder(ctx.body)
      .start()
      .message(`I left ${added} remark${added === 1 ? '' : 's'}. The loop bound is the thing to study first: try is_prime(9) and see what it returns.`)
      .complete();
  }
  return undefined;
}
