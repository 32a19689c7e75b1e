/**
 * Tutor scenarios (issue 6): a model that ignores hint mode and answers with a complete 15-line solution — in the
 * explanation's text as a fenced block, then again as interpreter code with its output — for the hint guard's tests.
 * `solution` answers /responses, `assistants:solution` an Assistants run (the `solution` marker maps to it there).
 */
import type { RunBuilder } from './assistantsScenarios';
import { ResponseBuilder, type ResponsesContext, type ResponsesPlan } from './responsesScenarios';

export const SOLUTION_INTRO = 'Here is a complete solution to your exercise.';
export const SOLUTION_OUTRO = 'Run it with a few numbers to check it.';
export const SOLUTION_AFTER_RUN = 'The primes below 30 are printed above.';

/** 15 lines, each distinctive enough that a leak of any one of them is found. */
export const SOLUTION_CODE = `def is_prime(candidate_number):
    if candidate_number < 2:
        return False
    if candidate_number in (2, 3):
        return True
    if candidate_number % 2 == 0:
        return False
    divisor_to_try = 3
    while divisor_to_try * divisor_to_try <= candidate_number:
        if candidate_number % divisor_to_try == 0:
            return False
        divisor_to_try += 2
    return True

print([n for n in range(30) if is_prime(n)])
`;

export const SOLUTION_LOGS = '[2, 3, 5, 7, 11, 13, 17, 19, 23, 29]\n';

export const SOLUTION_TEXT = `${SOLUTION_INTRO}\n\n\`\`\`python\n${SOLUTION_CODE}\`\`\`\n\n${SOLUTION_OUTRO}`;

/** A list item's second paragraph, indented four spaces: content of the item, not code (CommonMark). Five lines. */
export const LIST_CONTINUATION = [
  'Then check the small cases first, one by one.',
  'Keep going until the square root of the number.',
  'Stop at the first divisor you find.',
  'Say prime when none of them divides it.',
  'That is the whole idea, in words.',
];

/** The same solution as an INDENTED code block (four spaces, after a blank line), then a list with an indented paragraph. */
export const SOLUTION_INDENTED_TEXT =
  `${SOLUTION_INTRO}\n\n${SOLUTION_CODE.trimEnd().split('\n').map((l) => (l === '' ? '' : `    ${l}`)).join('\n')}\n\n` +
  `Steps:\n\n- Read the number.\n\n${LIST_CONTINUATION.map((l) => `    ${l}`).join('\n')}\n\n- Test it.\n\n${SOLUTION_OUTRO}`;

/** Responses: the indented solution in the text, nothing run. */
export function solutionIndentedScenario(ctx: ResponsesContext): ResponsesPlan {
  return new ResponseBuilder(ctx.body).start().message(SOLUTION_INDENTED_TEXT).complete();
}

/** Responses: the solution in the text, then run by the interpreter, then one more sentence. */
export function solutionScenario(ctx: ResponsesContext): ResponsesPlan {
  return new ResponseBuilder(ctx.body)
    .start()
    .message(SOLUTION_TEXT)
    .codeInterpreter(SOLUTION_CODE, [{ type: 'logs', logs: SOLUTION_LOGS }])
    .message(SOLUTION_AFTER_RUN)
    .complete();
}

/** Assistants: the same answer as a run. */
export function runSolution(b: RunBuilder): void {
  b.setStatus('in_progress');
  b.message(SOLUTION_TEXT);
  b.code(SOLUTION_CODE, SOLUTION_LOGS);
  b.message(SOLUTION_AFTER_RUN);
  b.complete();
}
