/**
 * What a tutor mode and a course do to one run, the same for the extension and the CLI: the request carries the
 * effective instructions (and no interpreter when the course forbids it), and in hint and review mode the
 * provider's events pass through a fresh HintGuard, which keeps what it withheld.
 */
import type { Provider, RunRequest } from '../engine/provider';
import type { CourseRules } from './courseRules';
import { HintGuard, guardEvents } from './hintGuard';
import { buildInstructions } from './instructions';
import { isGuarded, type TutorMode } from './modes';

export interface TutorSetup {
  readonly mode: TutorMode;
  readonly rules: CourseRules;
}

export function tutorRequest(request: RunRequest, setup: TutorSetup): RunRequest {
  return {
    ...request,
    instructions: buildInstructions({ mode: setup.mode, rules: setup.rules }),
    ...(setup.rules.interpreter ? {} : { codeInterpreter: false }),
  };
}

/** The provider to run with, and the guard that holds withheld code (hint and review mode only). */
export function guardedProvider(provider: Provider, setup: TutorSetup): { readonly provider: Provider; readonly guard?: HintGuard } {
  if (!isGuarded(setup.mode)) return { provider };
  const guard = new HintGuard({ maxLines: setup.rules.maxSolutionLines });
  return {
    guard,
    provider: {
      protocol: provider.protocol,
      stream: (request, signal) => guardEvents(provider.stream(request, signal), guard),
    },
  };
}
