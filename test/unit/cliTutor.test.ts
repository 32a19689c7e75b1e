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
import { REVIEW_REMARKS } from '../fake/interactiveScenarios';
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

function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: undefined, LANG: 'C', LC_ALL: undefined, ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
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
