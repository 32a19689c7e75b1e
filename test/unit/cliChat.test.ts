/**
 * The terminal client with `--protocol chat`, as a person runs it: a bundled cli.js in a child process, the real
 * openai package over HTTP to the fake server. One bundle is the product's (no local interpreter in this build
 * yet: it says so and answers without code); the other redirects the CLI's interpreter factory to the test-only
 * python3 interpreter, so run_python runs for real.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build, type Plugin } from 'esbuild';
import { tutorCode } from '../fake/chatScenarios';
import { type FakeServer, startFakeServer } from '../fake/server';

const root = join(__dirname, '..', '..');
let productCli: string;
let testCli: string;
let server: FakeServer;

const redirectInterpreter: Plugin = {
  name: 'test-interpreter',
  setup(b) {
    b.onResolve({ filter: /^\.\/cli\/localInterpreter$/ }, () => ({ path: join(root, 'test', 'fake', 'cliTestInterpreter.ts') }));
  },
};

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'code-tutor-cli-chat-'));
  productCli = join(dir, 'cli.js');
  testCli = join(dir, 'cli-test.js');
  const common = { entryPoints: [join(root, 'src/cli.ts')], bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'node22', logLevel: 'silent' as const };
  await build({ ...common, outfile: productCli });
  await build({ ...common, outfile: testCli, plugins: [redirectInterpreter] });
  server = await startFakeServer({ delayMs: 1 });
});
after(() => server?.close());

function runCli(cli: string, args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
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

test('--protocol chat --local-interpreter python --transcript: code items run locally, with "runtime": "python"', async () => {
  const r = await runCli(testCli, ['ask', '[scenario:chat:tutor] squares', '--protocol', 'chat', '--local-interpreter', 'python', '--base-url', server.url, '--transcript']);
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout.trim());
  assert.equal(t.status, 'completed');
  assert.deepEqual(
    t.items.map((i: { type: string }) => i.type),
    ['text', 'code', 'text'],
  );
  const code = t.items[1];
  assert.equal(code.runtime, 'python');
  assert.equal(code.code, tutorCode);
  assert.equal(code.outputs.map((o: { text: string }) => o.text).join(''), 'squares: [1, 4, 9, 16, 25]\nsum: 55\n');
  assert.match(t.items[2].text, /sum: 55/);
});

test('--interpreter off: no tools are offered, no code runs', async () => {
  server.reset();
  const r = await runCli(testCli, ['ask', '[scenario:chat:tutor] hi', '--protocol=chat', '--interpreter=off', '--base-url', server.url, '--transcript']);
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout.trim());
  assert.ok(t.items.every((i: { type: string }) => i.type !== 'code'));
  const body = server.requests.find((q) => q.path === '/v1/chat/completions')?.body as { tools?: unknown };
  assert.equal(body.tools, undefined);
});

test('the product build without a local runtime yet says so (en, zh) and answers without running code', async () => {
  const r = await runCli(productCli, ['ask', '[scenario:chat:tutor] hi', '--protocol', 'chat', '--base-url', server.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /The pyodide interpreter is not available in this build/);
  assert.match(r.stdout, /No interpreter here/);
  const zh = await runCli(productCli, ['ask', '[scenario:chat:tutor] hi', '--protocol', 'chat', '--base-url', server.url], { LANG: 'zh_CN.UTF-8' });
  assert.match(zh.stderr, /此版本中没有 pyodide 解释器/);
});

test('reasoning prints under a "thinking" heading, apart from the answer; a notice prints as a note', async () => {
  const r = await runCli(testCli, ['ask', '[scenario:chat:think] lists', '--protocol', 'chat', '--base-url', server.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /── thinking ──\n\nThe learner wants a list.\n+A list holds items in order./);
  const n = await runCli(testCli, ['ask', '[scenario:chat:ignores-tools] x', '--protocol', 'chat', '--local-interpreter', 'python', '--base-url', server.url]);
  assert.match(n.stdout, /\[This model can't run code here, so the tutor answers without the interpreter.\]/);
});

test('incomplete (length) exits 1 with the reason; bad --interpreter / --local-interpreter exit 2', async () => {
  const cut = await runCli(testCli, ['ask', '[scenario:chat:length] x', '--protocol', 'chat', '--base-url', server.url, '--transcript']);
  assert.equal(cut.code, 1);
  assert.equal(JSON.parse(cut.stdout.trim()).status, 'incomplete');
  const bad = await runCli(productCli, ['ask', 'x', '--interpreter', 'cloud']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown interpreter "cloud"/);
  const badLocal = await runCli(productCli, ['ask', 'x', '--local-interpreter', 'ruby']);
  assert.equal(badLocal.code, 2);
  assert.match(badLocal.stderr, /Unknown local interpreter "ruby"/);
});

test('--protocol responses --interpreter local on a server that keeps no responses: --conversation-state', async () => {
  const url = `${server.origin}/stateless/v1`;
  const args = (state?: string) => ['ask', 'Square some numbers', '--protocol', 'responses', '--interpreter', 'local', '--local-interpreter', 'python', '--base-url', url, '--transcript', ...(state ? ['--conversation-state', state] : [])];
  const posts = (from: number) => server.requests.slice(from).filter((r) => r.method === 'POST' && r.path === '/stateless/v1/responses');

  // client: the tool round carries the whole input, store: false.
  let from = server.requests.length;
  let r = await runCli(testCli, args('client'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).items.at(-1).text, /Python printed: «turn 1 squares: \[1, 4, 9\]»/);
  assert.deepEqual(posts(from).map((q) => [q.status, (q.body as { store?: boolean }).store]), [[200, false], [200, false]]);

  // auto (the default): the server refuses previous_response_id once, the round is sent again whole.
  from = server.requests.length;
  r = await runCli(testCli, args());
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(posts(from).map((q) => q.status), [200, 400, 200]);

  // server: the refusal is the answer.
  from = server.requests.length;
  r = await runCli(testCli, args('server'));
  assert.equal(r.code, 1);
  assert.match(r.stdout, /previous_response_id/);
  assert.deepEqual(posts(from).map((q) => q.status), [200, 400]);

  r = await runCli(testCli, ['ask', 'q', '--conversation-state', 'nowhere']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown conversation state "nowhere": use auto, server or client\./);
});
