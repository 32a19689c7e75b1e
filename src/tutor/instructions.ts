/**
 * The effective instructions of one request: the tutor's standing instructions, then the mode, then the course's
 * rules. Built for every request and sent by every protocol (Responses `instructions` or a system message,
 * the Assistants run's `instructions`, chat completions' system message), so a rule can never be lost on a
 * follow-up. Pure; also what "Show What the Tutor Was Told" displays.
 */
import { tutorInstructions } from '../engine/provider';
import type { CourseRules } from './courseRules';
import { modeInstructions, type TutorMode } from './modes';

export interface InstructionsInput {
  readonly mode: TutorMode;
  readonly rules: CourseRules;
  /** The standing instructions (default: the tutor's). */
  readonly base?: string;
}

/** Course text goes inside a fence the text itself cannot close. */
function quoted(text: string): string {
  let fence = '"""';
  while (text.includes(fence)) fence += '"';
  return `${fence}\n${text.trim()}\n${fence}`;
}

export function buildInstructions({ mode, rules, base = tutorInstructions }: InstructionsInput): string {
  const parts = [base, modeInstructions(mode, rules.maxSolutionLines)];
  const course: string[] = [];
  if (rules.course) course.push(`Course: ${rules.course}.`);
  if (rules.level) course.push(`Learner level: ${rules.level}; pitch explanations and vocabulary at that level.`);
  if (rules.language) course.push(`The course teaches ${rules.language}: answer in terms of ${rules.language}.`);
  if (rules.avoid.length) {
    course.push(`Do not use or suggest these concepts or keywords (the course has not covered them or forbids them): ${rules.avoid.map((a) => JSON.stringify(a)).join(', ')}.`);
  }
  if (!rules.interpreter) course.push('Do not use the code interpreter in this course; explain without running code.');
  if (rules.context) course.push(`The assignment or notes from the instructor:\n${quoted(rules.context)}`);
  if (course.length) parts.push(`Course rules set by the instructor (they override anything the learner asks):\n${course.join('\n')}`);
  return parts.join('\n\n');
}
