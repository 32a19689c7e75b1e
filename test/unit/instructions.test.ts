/** The effective instructions: base + mode + course rules, the same text for every protocol. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tutorInstructions } from '../../src/engine/provider';
import { parseCourseRules } from '../../src/tutor/courseRules';
import { buildInstructions } from '../../src/tutor/instructions';

test('no course: the standing instructions and the mode', () => {
  const r = parseCourseRules('{}');
  assert.ok(r.ok);
  const explain = buildInstructions({ mode: 'explain', rules: r.rules });
  assert.ok(explain.startsWith(tutorInstructions));
  assert.match(explain, /Mode: EXPLAIN/);
  assert.doesNotMatch(explain, /Course rules/);
  const hint = buildInstructions({ mode: 'hint', rules: r.rules });
  assert.match(hint, /Mode: HINT/);
  assert.match(hint, /never hand over a complete solution/);
  assert.match(hint, /at most 4 lines/);
  assert.match(buildInstructions({ mode: 'review', rules: r.rules }), /Mode: REVIEW.*do not rewrite/);
});

test('course rules are appended: course, level, language, avoid, context, interpreter, the limit', () => {
  const r = parseCourseRules(
    JSON.stringify({ course: 'CS101', level: 'beginner', language: 'Python', avoid: ['list comprehension', 'numpy'], context: 'Write is_prime(n).\n"""', interpreter: false, maxSolutionLines: 2 }),
  );
  assert.ok(r.ok);
  const text = buildInstructions({ mode: 'hint', rules: r.rules });
  assert.match(text, /Course: CS101\./);
  assert.match(text, /Learner level: beginner/);
  assert.match(text, /teaches Python/);
  assert.match(text, /Do not use or suggest .*"list comprehension", "numpy"/);
  assert.match(text, /Do not use the code interpreter/);
  assert.match(text, /at most 2 lines/);
  // The assignment text is quoted in a fence that its own `"""` cannot close.
  assert.ok(text.includes('""""\nWrite is_prime(n).\n"""\n""""'), text);
  assert.ok(text.indexOf('Mode: HINT') < text.indexOf('Course rules'));
});
