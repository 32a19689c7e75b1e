/**
 * The terminal client in hint mode and with course files (issue 6): the bundled cli.js in a child process, over real
 * HTTP to the fake server scripted to answer with a complete 15-line solution.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { type FakeServer, startFakeServer } from '../fake/server';
import { QUIZ_ARGS, REVIEW_REMARKS } from '../fake/interactiveScenarios';
import { TUTOR_LOGS } from '../fake/responsesScenarios';
import { SOLUTION_AFTER_RUN, SOLUTION_CODE, SOLUTION_INTRO, SOLUTION_LOGS, SOLUTION_OUTRO } from '../fake/tutorScenarios';

const root = join(__dirname, '..', '..');
let dir: string;
let cli: string;
let server: FakeServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'code-tutor-cli-tutor-'));
  cli = join(dir, 'cli.js');
  await build({ entryPoints: [join(root, 'src/cli.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node22', outfile: cli, logLevel: 'silent' });
  server = await startFakeServer();
});
after(() => server?.close());

/** `stdin`: what the learner types (a pipe, ended after it); without it there is no standard input at all. */
function runCli(args: string[], env: Record<string, string | undefined> = {}, stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: undefined, LANG: 'C', LC_ALL: undefined, ...env } as NodeJS.ProcessEnv,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function course(name: string, rules: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof rules === 'string' ? rules : JSON.stringify(rules));
  return file;
}

const distinctive = SOLUTION_CODE.split('\n').filter((l) => l.trim().length >= 12);

function assertNoSolution(text: string, where: string): void {
  for (const line of distinctive) assert.ok(!text.includes(line.trim()), `${where}: leaked ${JSON.stringify(line)}`);
}

test('--mode hint --transcript: withheld items in stream order, no solution line in any text, outputs kept', async () => {
  const r = await runCli(['ask', '[scenario:solution] write is_prime for me', '--base-url', server.url, '--mode', 'hint', '--transcript']);
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout.trim());
  assert.equal(t.status, 'completed');
  assert.deepEqual(
    t.items.map((i: { type: string }) => i.type),
    ['text', 'withheld', 'text', 'withheld', 'code', 'text'],
  );
  assert.deepEqual(t.items[1], { type: 'withheld', language: 'python', lines: 15 });
  assert.deepEqual(t.items[3], { type: 'withheld', language: 'python', lines: 15 });
  assert.equal(t.items[0].text, `${SOLUTION_INTRO}\n\n`);
  assert.equal(t.items[2].text, `\n${SOLUTION_OUTRO}`);
  assert.equal(t.items[4].code, '', 'the interpreter code is folded');
  assert.deepEqual(t.items[4].outputs, [{ type: 'logs', text: SOLUTION_LOGS }], 'its output still shows');
  assert.equal(t.items[5].text, SOLUTION_AFTER_RUN);
  assertNoSolution(r.stdout, 'transcript');
  // The request said hint mode.
  const body = server.requests.filter((q) => q.path.endsWith('/responses')).at(-1)!.body as { instructions: string };
  assert.match(body.instructions, /Mode: HINT/);
});

test('--mode hint without --transcript: the printed answer has placeholders and never the solution', async () => {
  const r = await runCli(['ask', '[scenario:solution] write is_prime for me', '--base-url', server.url, '--mode', 'hint']);
  assert.equal(r.code, 0, r.stderr);
  assertNoSolution(r.stdout, 'stdout');
  assert.match(r.stdout, /\[withheld: 15 lines of python code, longer than the 4 lines hint mode shows\]/);
  assert.ok(r.stdout.includes(SOLUTION_LOGS.trim()));
  // Explain mode (the default) shows it all.
  const e = await runCli(['ask', '[scenario:solution] write is_prime for me', '--base-url', server.url]);
  assert.equal(e.code, 0, e.stderr);
  assert.ok(e.stdout.includes('divisor_to_try += 2'));
});

test('--course: the course default mode and its rules reach the request; maxSolutionLines raises the limit', async () => {
  const file = course('cs101.json', { course: 'CS101', level: 'beginner', defaultMode: 'hint', avoid: ['numpy'], context: 'Assignment 3: is_prime', maxSolutionLines: 20 });
  const r = await runCli(['ask', '[scenario:solution] help', '--base-url', server.url, '--course', file, '--transcript']);
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout.trim());
  assert.ok(!t.items.some((i: { type: string }) => i.type === 'withheld'), '15 lines is within a limit of 20');
  const body = server.requests.filter((q) => q.path.endsWith('/responses')).at(-1)!.body as { instructions: string };
  assert.match(body.instructions, /Mode: HINT/);
  assert.match(body.instructions, /Course: CS101/);
  assert.match(body.instructions, /Learner level: beginner/);
  assert.match(body.instructions, /"numpy"/);
  assert.match(body.instructions, /Assignment 3: is_prime/);
});

test('an invalid course file, or a mode the course forbids, exits 2 and names the problem', async () => {
  const requestsBefore = server.requests.length;
  const cases: Array<[string[], RegExp]> = [
    [['--course', course('broken.json', '{"course": "CS101", "level": ')], /broken\.json is not usable: it is not valid JSON/],
    [['--course', course('bad-field.json', { maxSolutionLines: 'four' })], /bad-field\.json is not usable: "maxSolutionLines" must be a whole number/],
    [['--course', join(dir, 'missing.json')], /Cannot read the course file .*missing\.json/],
    [['--course', course('only-hint.json', { allowedModes: ['hint'] }), '--mode', 'explain'], /does not allow explain mode; it allows: hint/],
    [['--mode', 'solve'], /Unknown mode "solve"/],
  ];
  for (const [extra, message] of cases) {
    const r = await runCli(['ask', 'help', '--base-url', server.url, ...extra]);
    assert.equal(r.code, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.equal(server.requests.length, requestsBefore, 'no request was made');
  const zh = await runCli(['ask', 'help', '--base-url', server.url, '--course', join(dir, 'broken.json')], { LANG: 'zh_CN.UTF-8' });
  assert.equal(zh.code, 2);
  assert.match(zh.stderr, /课程文件 .*broken\.json 不可用: 不是有效的 JSON/);
});

test('--mode review: the remarks arrive through add_remark and are remark items in --transcript, printed otherwise', async () => {
  const r = await runCli(['ask', '[scenario:review] Review my primes', '--base-url', server.url, '--mode', 'review', '--transcript']);
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout.trim());
  const remarks = t.items.filter((i: { type: string }) => i.type === 'remark');
  assert.deepEqual(
    remarks,
    REVIEW_REMARKS.map((x) => ({ type: 'remark', line: x.line, severity: x.severity, message: x.message })),
  );
  // The request offered the tool, in review mode only.
  const plain = await runCli(['ask', '[scenario:review] Review my primes', '--base-url', server.url, '--mode', 'review']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /Remark, line 8 \(warning\): This range stops before the square root itself/);
  const explain = await runCli(['ask', '[scenario:review] Review my primes', '--base-url', server.url, '--transcript']);
  const te = JSON.parse(explain.stdout.trim());
  assert.equal(te.items.filter((i: { type: string }) => i.type === 'remark').length, 0, 'no remark tool outside review mode');
});

test('--predict: the output waits behind the question, then the prediction is marked a match or not', async () => {
  const wrong = await runCli(['ask', '[scenario:tutor] sum of squares?', '--base-url', server.url, '--predict'], {}, 'squares: [1, 4, 9]\n');
  assert.equal(wrong.code, 0, wrong.stderr);
  assert.match(wrong.stderr, /What do you think this prints\?/);
  const verdict = wrong.stdout.indexOf('You predicted: squares: [1, 4, 9]');
  assert.ok(verdict > 0, wrong.stdout);
  assert.match(wrong.stdout.slice(verdict), /It printed: squares: \[1, 4, 9, 16, 25, 36, 49, 64, 81, 100\]\ntotal: 385\n→ No match/);
  // The output is printed after the code and before the verdict, never before the code was whole.
  const output = wrong.stdout.indexOf(TUTOR_LOGS.trim());
  assert.ok(output > wrong.stdout.indexOf('── code') && output < verdict, wrong.stdout);

  // Whitespace does not matter; an empty line is "just show me"; no input at all is too.
  const right = await runCli(['ask', '[scenario:tutor] sum of squares?', '--base-url', server.url, '--predict'], {}, `  ${TUTOR_LOGS.replace(/\n/g, ' ').replace(/, /g, ',')}\n`);
  assert.equal(right.code, 0, right.stderr);
  assert.match(right.stdout, /→ Match/);
  for (const stdin of ['\n', undefined]) {
    const skipped = await runCli(['ask', '[scenario:tutor] sum of squares?', '--base-url', server.url, '--predict'], {}, stdin);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /You chose to see the output without predicting\./);
    assert.ok(skipped.stdout.includes(TUTOR_LOGS.trim()));
    assert.ok(!skipped.stdout.includes('You predicted'));
  }
  const zh = await runCli(['ask', '[scenario:tutor] sum of squares?', '--base-url', server.url, '--predict'], { LANG: 'zh_CN.UTF-8' }, 'total: 385\n');
  assert.match(zh.stderr, /你认为这会打印什么？/);
  assert.match(zh.stdout, /你的预测: total: 385/);
  // Without --predict nothing is asked.
  const plain = await runCli(['ask', '[scenario:tutor] sum of squares?', '--base-url', server.url], {}, 'anything\n');
  assert.ok(!plain.stderr.includes('What do you think'));
});

test('--quiz: a second run with the quiz tool, the predictions made go with it, the answers are judged here', async () => {
  server.reset();
  server.script('tutor', 'quiz');
  const r = await runCli(['ask', 'sum of squares?', '--base-url', server.url, '--predict', '--quiz'], {}, 'total: 385\n2\n[1,4,9]\n');
  assert.equal(r.code, 0, r.stderr);
  const runs = server.requests.filter((q) => q.path.endsWith('/responses') && q.method === 'POST');
  const quizRequest = runs.find((q) => JSON.stringify(q.body).includes('"name":"quiz"'));
  assert.ok(quizRequest, 'the quiz request offered the quiz tool');
  const sent = JSON.stringify(quizRequest.body);
  assert.match(sent, /total: 385/, 'the prediction went with the quiz request');
  assert.equal(typeof (quizRequest.body as { previous_response_id?: unknown }).previous_response_id, 'string', 'the same conversation');
  // The questions, never their answers before they are asked.
  const q1 = r.stdout.indexOf(QUIZ_ARGS.questions[0].prompt);
  assert.ok(q1 > 0, r.stdout);
  assert.ok(!r.stdout.slice(0, q1).includes(QUIZ_ARGS.questions[0].explanation), 'no answer printed before the question');
  assert.match(r.stdout, /1\) 2, 3, 4\n {3}2\) 2, 3, 4, 5/);
  // "2" is the second choice (wrong); "[1,4,9]" is the output whatever the spacing (right).
  assert.match(r.stdout, /Not quite\. The answer: 2, 3, 4\nA range stops just before its end value/);
  assert.match(r.stdout, /Right!\nThe comprehension squares 1, 2 and 3\./);
  assert.match(r.stdout, /Score: 1 of 2/);
  // The answer, the quiz, and the model's reply to the quiz tool's output: judging the answers asked nothing more,
  // and what the learner typed never left the machine.
  assert.equal(runs.length, 3, runs.map((q) => JSON.stringify(q.body).slice(0, 120)).join('\n'));
  assert.ok(!runs.some((q) => JSON.stringify(q.body).includes('[1,4,9]')), 'the typed answer was not sent');
});

test('--quiz --transcript: the quiz, the answers and the score are in the JSON; a malformed quiz is named', async () => {
  server.reset();
  server.script('tutor', 'quiz');
  const r = await runCli(['ask', 'sum of squares?', '--base-url', server.url, '--quiz', '--transcript'], {}, '1\n\n');
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout.trim());
  assert.equal(t.status, 'completed');
  assert.deepEqual(t.quiz.questions.map((q: { prompt: string }) => q.prompt), QUIZ_ARGS.questions.map((q) => q.prompt));
  assert.deepEqual(t.quiz.answers, [
    { answer: '2, 3, 4', correct: true },
    { answer: '', correct: false },
  ]);
  assert.equal(t.quiz.score, 1);
  assert.match(r.stderr, /Score: 1 of 2/, 'the questions went to stderr');

  server.reset();
  server.script('tutor', 'quiz-malformed');
  const bad = await runCli(['ask', 'sum of squares?', '--base-url', server.url, '--quiz', '--transcript'], {}, '1\n');
  const tb = JSON.parse(bad.stdout.trim());
  assert.match(tb.quiz.problem, /question 1: the "answer" must be exactly one of the choices/);
  assert.match(bad.stderr, /The tutor sent a quiz that could not be shown:/);

  server.reset();
  server.script('tutor', 'tutor');
  const none = await runCli(['ask', 'sum of squares?', '--base-url', server.url, '--quiz', '--transcript'], {}, '1\n');
  assert.equal(JSON.parse(none.stdout.trim()).quiz.problem, 'the tutor did not send a quiz');
  assert.match(none.stderr, /The tutor answered without a quiz\./);

  const usage = await runCli(['ask', 'x', '--base-url', server.url, '--predict', '--transcript']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--predict/);
});
