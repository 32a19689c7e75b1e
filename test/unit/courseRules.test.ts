/** Course rules (.codetutor.json): parsing, validation with a named reason, defaults, and the effective mode. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultRules, describeProblem, effectiveMode, maxCourseFileBytes, parseCourseRules } from '../../src/tutor/courseRules';

const full = {
  $schema: './schema.json',
  course: 'CS101',
  level: 'beginner',
  language: 'Python',
  defaultMode: 'hint',
  allowedModes: ['hint', 'review'],
  maxSolutionLines: 6,
  allowReveal: false,
  avoid: ['list comprehension', 'numpy'],
  context: 'Assignment 3: write is_prime(n).',
  interpreter: false,
  predictBeforeRun: true,
};

test('a complete course file is read field by field', () => {
  const r = parseCourseRules(JSON.stringify(full));
  assert.ok(r.ok);
  assert.deepEqual(r.rules, {
    course: 'CS101',
    level: 'beginner',
    language: 'Python',
    defaultMode: 'hint',
    allowedModes: ['hint', 'review'],
    maxSolutionLines: 6,
    allowReveal: false,
    avoid: ['list comprehension', 'numpy'],
    context: 'Assignment 3: write is_prime(n).',
    interpreter: false,
    predictBeforeRun: true,
  });
});

test('missing fields take the defaults (maxSolutionLines 4, reveal allowed, interpreter on)', () => {
  const r = parseCourseRules('{"course": "CS50"}');
  assert.ok(r.ok);
  assert.equal(r.rules.maxSolutionLines, 4);
  assert.equal(r.rules.allowReveal, true);
  assert.equal(r.rules.interpreter, true);
  assert.equal(r.rules.predictBeforeRun, false);
  assert.deepEqual(r.rules.avoid, []);
  assert.equal(r.rules.allowedModes, undefined);
  assert.ok(parseCourseRules('\uFEFF{}').ok, 'a BOM is fine');
});

test('broken, truncated, wrong-shaped and huge files are refused with their reason, and the defaults stand', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"course": "CS101", "level": "beg', /not valid JSON/],
    ['', /not valid JSON/],
    ['[1, 2]', /must be a JSON object/],
    ['null', /must be a JSON object/],
    ['{"cours": "CS101"}', /unknown field "cours"/],
    ['{"level": "expert"}', /"level" must be beginner \| intermediate \| advanced/],
    ['{"defaultMode": "solve"}', /"defaultMode" must be explain \| hint \| review/],
    ['{"allowedModes": []}', /"allowedModes" must be a non-empty list/],
    ['{"allowedModes": ["hint", "cheat"]}', /"allowedModes"/],
    ['{"maxSolutionLines": -1}', /"maxSolutionLines" must be a whole number from 0 to 200/],
    ['{"maxSolutionLines": 2.5}', /"maxSolutionLines"/],
    ['{"maxSolutionLines": "4"}', /"maxSolutionLines"/],
    ['{"allowReveal": "yes"}', /"allowReveal" must be true or false/],
    ['{"avoid": "numpy"}', /"avoid" must be a list/],
    ['{"avoid": [1]}', /"avoid"/],
    ['{"context": 42}', /"context"/],
    ['{"course": ""}', /"course"/],
    ['{"defaultMode": "explain", "allowedModes": ["hint"]}', /"defaultMode" must be one of allowedModes \(hint\)/],
    [`{"context": "${'x'.repeat(maxCourseFileBytes)}"}`, /too large/],
  ];
  for (const [text, reason] of cases) {
    const r = parseCourseRules(text);
    assert.equal(r.ok, false, text.slice(0, 60));
    assert.ok(!r.ok);
    assert.match(describeProblem(r.problem), reason, text.slice(0, 60));
    assert.equal(r.rules, defaultRules, 'falls back to the defaults');
  }
});

test('the effective mode: the chat choice if allowed, else the course default, else the setting', () => {
  const open = parseCourseRules('{}');
  assert.ok(open.ok);
  assert.deepEqual(effectiveMode(open.rules, 'explain'), { mode: 'explain', source: 'setting', allowed: ['explain', 'hint', 'review'], locked: false });
  assert.equal(effectiveMode(open.rules, 'explain', 'review').mode, 'review');
  const course = parseCourseRules('{"defaultMode": "hint", "allowedModes": ["hint", "review"]}');
  assert.ok(course.ok);
  assert.deepEqual(effectiveMode(course.rules, 'explain'), { mode: 'hint', source: 'course', allowed: ['hint', 'review'], locked: false });
  assert.equal(effectiveMode(course.rules, 'explain', 'explain').mode, 'hint', 'a chat cannot switch to a mode the course forbids');
  assert.equal(effectiveMode(course.rules, 'explain', 'review').mode, 'review');
  const only = parseCourseRules('{"allowedModes": ["hint"]}');
  assert.ok(only.ok);
  assert.deepEqual(effectiveMode(only.rules, 'explain', 'explain'), { mode: 'hint', source: 'course', allowed: ['hint'], locked: true });
});

test('the contributed JSON schema knows exactly the fields the parser accepts', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'media', 'codetutor.schema.json'), 'utf8'));
  assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(full).sort());
  assert.equal(schema.additionalProperties, false);
  assert.equal(schema.properties.maxSolutionLines.default, 4);
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: '.codetutor.json', url: './media/codetutor.schema.json' }]);
});
