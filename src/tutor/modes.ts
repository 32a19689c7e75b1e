/**
 * The tutor's modes. Explain: today's step-by-step explanation with experiments. Hint: Socratic, never a complete
 * solution (also enforced by the hint guard). Review: comments on the learner's code without rewriting it.
 * Pure: no `vscode`, so the CLI and the tests use it as is.
 */
export type TutorMode = 'explain' | 'hint' | 'review';
export const tutorModes: readonly TutorMode[] = ['explain', 'hint', 'review'];

export function isTutorMode(v: unknown): v is TutorMode {
  return typeof v === 'string' && (tutorModes as readonly string[]).includes(v);
}

/** Whether the hint guard holds long code back in this mode (review is guarded too: it comments, it does not rewrite). */
export function isGuarded(mode: TutorMode): boolean {
  return mode !== 'explain';
}

/** What each mode adds to the standing instructions. Sent to the model, so in English. */
export function modeInstructions(mode: TutorMode, maxSolutionLines: number): string {
  switch (mode) {
    case 'explain':
      return 'Mode: EXPLAIN. Explain step by step and demonstrate with the code interpreter.';
    case 'hint':
      return [
        'Mode: HINT (Socratic). Guide the learner to the answer; never hand over a complete solution to their own task.',
        'Ask guiding questions, name the concepts involved, use pseudo-code and small analogous examples instead.',
        "Use the code interpreter on the learner's own code to show a counterexample (e.g. \"is_prime(4) returned True —",
        'what did you expect?") rather than writing the fix.',
        `Any code block you write must be at most ${maxSolutionLines} lines; longer blocks are withheld from the learner.`,
      ].join(' ');
    case 'review':
      return [
        "Mode: REVIEW. Comment on the learner's code; do not rewrite it and do not hand over a corrected version.",
        'Point at specific lines, say what is wrong or could be better and why, and let the learner make the change.',
        `Any code block you write must be at most ${maxSolutionLines} lines; longer blocks are withheld from the learner.`,
      ].join(' ');
    default: {
      const never: never = mode;
      return never;
    }
  }
}
