/**
 * Tutor scenarios (issue 6): a model that ignores hint mode and answers with a complete 15-line solution, for the
 * hint guard's tests. `solution` answers /responses, `assistants:solution` an Assistants run.
 */
import { ResponseBuilder, type ResponsesContext, type ResponsesPlan } from './responsesScenarios';

export const SOLUTION_INTRO = 'Here is a complete solution to your exercise.';
export const SOLUTION_OUTRO = 'Run it with a few numbers to check it.';

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

export const SOLUTION_TEXT = `${SOLUTION_INTRO}\n\n\`\`\`python\n${SOLUTION_CODE}\`\`\`\n\n${SOLUTION_OUTRO}`;

/** The whole solution in the explanation's text, as one fenced block between two sentences. */
export function solutionScenario(ctx: ResponsesContext): ResponsesPlan {
  return new ResponseBuilder(ctx.body).start().message(SOLUTION_TEXT).complete();
}
