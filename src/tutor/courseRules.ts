/**
 * Course rules an instructor sets in `.codetutor.json`: parsed and checked here, with defaults for every field.
 * A broken, truncated, huge or wrong-shaped file is reported as a problem (its field and reason), never thrown:
 * the caller shows the problem and goes on with the defaults. Pure: no `vscode`, no file system.
 */
import { isTutorMode, type TutorMode, tutorModes } from './modes';

export const courseFileName = '.codetutor.json';
/** A course file larger than this is refused (a course file is a few hundred bytes; context a few pages). */
export const maxCourseFileBytes = 256 * 1024;
export const defaultMaxSolutionLines = 4;

export type CourseLevel = 'beginner' | 'intermediate' | 'advanced';
export const courseLevels: readonly CourseLevel[] = ['beginner', 'intermediate', 'advanced'];

export interface CourseRules {
  readonly course?: string;
  readonly level?: CourseLevel;
  /** The programming language taught. */
  readonly language?: string;
  readonly defaultMode?: TutorMode;
  /** Modes the learner may switch to; absent: all. */
  readonly allowedModes?: readonly TutorMode[];
  /** Longest code block (lines) shown in hint and review mode. */
  readonly maxSolutionLines: number;
  /** May the learner open withheld code with "Show the code anyway"? */
  readonly allowReveal: boolean;
  /** Concepts or keywords the tutor must not use or suggest. */
  readonly avoid: readonly string[];
  /** The assignment text or notes the tutor should know. */
  readonly context?: string;
  /** May the tutor use the code interpreter? */
  readonly interpreter: boolean;
  readonly predictBeforeRun: boolean;
}

export const defaultRules: CourseRules = Object.freeze({
  maxSolutionLines: defaultMaxSolutionLines,
  allowReveal: true,
  avoid: Object.freeze([]) as readonly string[],
  interpreter: true,
  predictBeforeRun: false,
});

/** Why a course file was not used. `field` names the offending field when there is one. */
export type CourseProblem =
  | { readonly kind: 'tooLarge'; readonly bytes: number }
  | { readonly kind: 'badJson'; readonly detail: string }
  | { readonly kind: 'notObject' }
  | { readonly kind: 'unknownField'; readonly field: string }
  | { readonly kind: 'badField'; readonly field: string; readonly expected: string };

export type CourseParse = { readonly ok: true; readonly rules: CourseRules } | { readonly ok: false; readonly rules: CourseRules; readonly problem: CourseProblem };

const limits = { name: 200, language: 100, avoidItem: 100, avoidItems: 50, context: 20_000, maxSolutionLines: 200 };

/** What each field must be, in English (the CLI and the log name it; the host localizes the sentence around it). */
const expected = {
  course: `a text of at most ${limits.name} characters`,
  level: courseLevels.join(' | '),
  language: `a text of at most ${limits.language} characters`,
  defaultMode: tutorModes.join(' | '),
  allowedModes: `a non-empty list of ${tutorModes.join(' | ')}`,
  maxSolutionLines: `a whole number from 0 to ${limits.maxSolutionLines}`,
  allowReveal: 'true or false',
  avoid: `a list of at most ${limits.avoidItems} texts of at most ${limits.avoidItem} characters`,
  context: `a text of at most ${limits.context} characters`,
  interpreter: 'true or false',
  predictBeforeRun: 'true or false',
  $schema: 'a text',
} as const;
type Field = keyof typeof expected;
const fields = Object.keys(expected) as Field[];

function isText(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max;
}

/** Parse and check a course file's text. Never throws. */
export function parseCourseRules(text: string): CourseParse {
  const fail = (problem: CourseProblem): CourseParse => ({ ok: false, rules: defaultRules, problem });
  // More characters than the byte limit is too large already (each takes a byte or more): no need to encode it.
  const bytes = text.length > maxCourseFileBytes ? text.length : new TextEncoder().encode(text).length;
  if (bytes > maxCourseFileBytes) return fail({ kind: 'tooLarge', bytes });
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return fail({ kind: 'badJson', detail: e instanceof Error ? e.message : String(e) });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail({ kind: 'notObject' });
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(fields as string[]).includes(k)) return fail({ kind: 'unknownField', field: k.slice(0, 80) });
  const bad = (field: Field): CourseParse => fail({ kind: 'badField', field, expected: expected[field] });
  const has = (k: Field) => Object.hasOwn(o, k) && o[k] !== undefined;

  if (has('$schema') && typeof o.$schema !== 'string') return bad('$schema');
  if (has('course') && !(isText(o.course, limits.name) && o.course.trim())) return bad('course');
  if (has('level') && !(courseLevels as readonly unknown[]).includes(o.level)) return bad('level');
  if (has('language') && !(isText(o.language, limits.language) && o.language.trim())) return bad('language');
  if (has('defaultMode') && !isTutorMode(o.defaultMode)) return bad('defaultMode');
  if (has('allowedModes')) {
    const m = o.allowedModes;
    if (!Array.isArray(m) || m.length === 0 || !m.every(isTutorMode)) return bad('allowedModes');
  }
  if (has('maxSolutionLines')) {
    const n = o.maxSolutionLines;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > limits.maxSolutionLines) return bad('maxSolutionLines');
  }
  for (const k of ['allowReveal', 'interpreter', 'predictBeforeRun'] as const) if (has(k) && typeof o[k] !== 'boolean') return bad(k);
  if (has('avoid')) {
    const a = o.avoid;
    if (!Array.isArray(a) || a.length > limits.avoidItems || !a.every((x) => isText(x, limits.avoidItem) && x.trim())) return bad('avoid');
  }
  if (has('context') && !isText(o.context, limits.context)) return bad('context');

  const allowedModes = has('allowedModes') ? [...new Set(o.allowedModes as TutorMode[])] : undefined;
  const defaultMode = has('defaultMode') ? (o.defaultMode as TutorMode) : undefined;
  // A default the course itself forbids is a mistake in the file, not something to guess around.
  if (defaultMode && allowedModes && !allowedModes.includes(defaultMode)) {
    return fail({ kind: 'badField', field: 'defaultMode', expected: `one of allowedModes (${allowedModes.join(', ')})` });
  }
  const rules: CourseRules = {
    ...(has('course') ? { course: (o.course as string).trim() } : {}),
    ...(has('level') ? { level: o.level as CourseLevel } : {}),
    ...(has('language') ? { language: (o.language as string).trim() } : {}),
    ...(defaultMode ? { defaultMode } : {}),
    ...(allowedModes ? { allowedModes } : {}),
    maxSolutionLines: has('maxSolutionLines') ? (o.maxSolutionLines as number) : defaultMaxSolutionLines,
    allowReveal: has('allowReveal') ? (o.allowReveal as boolean) : defaultRules.allowReveal,
    avoid: has('avoid') ? (o.avoid as string[]).map((s) => s.trim()) : [],
    ...(has('context') && (o.context as string).trim() ? { context: o.context as string } : {}),
    interpreter: has('interpreter') ? (o.interpreter as boolean) : defaultRules.interpreter,
    predictBeforeRun: has('predictBeforeRun') ? (o.predictBeforeRun as boolean) : defaultRules.predictBeforeRun,
  };
  return { ok: true, rules };
}

/** A problem in plain English (CLI, log). The host words it through vscode.l10n instead. */
export function describeProblem(p: CourseProblem): string {
  switch (p.kind) {
    case 'tooLarge':
      return `the file is too large (${p.bytes} bytes; at most ${maxCourseFileBytes})`;
    case 'badJson':
      return `it is not valid JSON (${p.detail})`;
    case 'notObject':
      return 'it must be a JSON object ({ … })';
    case 'unknownField':
      return `unknown field "${p.field}"`;
    case 'badField':
      return `"${p.field}" must be ${p.expected}`;
    default: {
      const never: never = p;
      return never;
    }
  }
}

/** The mode a chat runs in, where it came from, and whether the learner may change it. */
export interface EffectiveMode {
  readonly mode: TutorMode;
  /** `course`: the course chose it (its default, or the only mode it allows). */
  readonly source: 'chat' | 'course' | 'setting';
  /** Modes the learner may switch to now. */
  readonly allowed: readonly TutorMode[];
  /** True when the course allows only one mode. */
  readonly locked: boolean;
}

/**
 * The chat's own choice wins when the course allows it; else the course's default; else the setting's default;
 * else the first mode the course allows.
 */
export function effectiveMode(rules: CourseRules, settingDefault: TutorMode, chatChoice?: TutorMode): EffectiveMode {
  const allowed = rules.allowedModes ?? tutorModes;
  const locked = allowed.length === 1;
  const courseForces = rules.allowedModes !== undefined && !rules.allowedModes.includes(settingDefault);
  if (chatChoice && allowed.includes(chatChoice)) return { mode: chatChoice, source: locked ? 'course' : 'chat', allowed, locked };
  if (rules.defaultMode && allowed.includes(rules.defaultMode)) return { mode: rules.defaultMode, source: 'course', allowed, locked };
  if (allowed.includes(settingDefault)) return { mode: settingDefault, source: 'setting', allowed, locked };
  return { mode: allowed[0], source: courseForces ? 'course' : 'setting', allowed, locked };
}
