/**
 * The terminal client, as a person runs it: the bundled dist-style cli.js in a child process, talking over real
 * HTTP (through the real openai SDK) to the fake server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { type FakeServer, startFakeServer } from '../fake/server';

const root = join(__dirname, '..', '..');
let cli: string;
let server: FakeServer;

before(async () => {
  cli = join(mkdtempSync(join(tmpdir(), 'code-tutor-cli-')), 'cli.js');
  await build({ entryPoints: [join(root, 'src/cli.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node22', outfile: cli, logLevel: 'silent' });
  server = await startFakeServer();
});
after(() => server?.close());

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], opts: { env?: Record<string, string | undefined>; interruptWhen?: (stdout: string) => boolean; interruptAfterMs?: number } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const env: Record<string, string | undefined> = { ...process.env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: undefined, LANG: 'C', LC_ALL: undefined, ...opts.env };
    const child = spawn(process.execPath, [cli, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!sent && opts.interruptWhen?.(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    if (opts.interruptAfterMs) setTimeout(() => child.kill('SIGINT'), opts.interruptAfterMs);
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function transcriptOf(r: Result) {
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `--transcript prints exactly one line, got: ${r.stdout.slice(0, 300)}`);
  return JSON.parse(lines[0]);
}

/** The code and logs of the real recording, read from the fixture itself. */
function recordedCalls(): { code: string; logs: string[] }[] {
  const lines = readFileSync(join(root, 'test', 'fixtures', 'recorded', 'openai-responses', 'openai-code-interpreter-tool.1.chunks.txt'), 'utf8').split('\n');
  const calls: { code: string; logs: string[] }[] = [];
  for (const l of lines) {
    const e = JSON.parse(l);
    if (e.type === 'response.output_item.done' && e.item.type === 'code_interpreter_call') {
      calls.push({ code: e.item.code, logs: (e.item.outputs ?? []).filter((o: { type: string }) => o.type === 'logs').map((o: { logs: string }) => o.logs) });
    }
  }
  return calls;
}

test('--transcript replays a real recorded code-interpreter run as one JSON line', async () => {
  const r = await runCli(['ask', '[scenario:fixture:openai-code-interpreter-tool.1] roll two dice', '--base-url', server.url, '--transcript']);
  assert.equal(r.code, 0, r.stderr);
  const t = transcriptOf(r);
  assert.equal(t.status, 'completed');
  assert.equal(t.error, null);
  const code = t.items.filter((i: { type: string }) => i.type === 'code');
  const expected = recordedCalls();
  assert.equal(code.length, 3);
  assert.deepEqual(
    code.map((c: { code: string; outputs: { type: string; text: string }[] }) => ({ code: c.code, logs: c.outputs.filter((o) => o.type === 'logs').map((o) => o.text) })),
    expected,
  );
  assert.equal(t.items.at(-1).type, 'text');
  assert.match(t.items.at(-1).text, /roll2dice_sums_10000\.csv/);
  // The cited CSV was downloaded from the container file endpoint and counted.
  const files = code.flatMap((c: { outputs: { type: string }[] }) => c.outputs.filter((o) => o.type === 'file'));
  assert.equal(files.length, 1);
  assert.equal(files[0].name, 'roll2dice_sums_10000.csv');
  assert.ok(files[0].bytes > 0);
});

test('the request carries the question, the code_interpreter tool and asks for its outputs', async () => {
  const before = server.requests.length;
  const r = await runCli(['ask', 'What', 'is', 'a', 'list?', '--base-url', server.url, '--model', 'tutor-model', '--transcript']);
  assert.equal(r.code, 0, r.stderr);
  const req = server.requests.slice(before).find((q) => q.path.endsWith('/responses'));
  assert.ok(req);
  const body = req.body as Record<string, unknown>;
  assert.equal(body.model, 'tutor-model');
  assert.equal(body.input, 'What is a list?');
  assert.equal(body.stream, true);
  assert.deepEqual(body.tools, [{ type: 'code_interpreter', container: { type: 'auto' } }]);
  assert.deepEqual(body.include, ['code_interpreter_call.outputs']);
  assert.equal(req.headers.authorization, 'Bearer sk-test');
  const t = transcriptOf(r);
  assert.deepEqual(
    t.items.map((i: { type: string }) => i.type),
    ['text', 'code', 'text'],
  );
  assert.ok(t.items[1].code.length > 20);
  assert.ok(t.items[1].outputs.some((o: { type: string }) => o.type === 'logs'));
});

test('a plot comes back as an image output with its byte count', async () => {
  const r = await runCli(['ask', '[scenario:plot] plot a sine', '--base-url', server.url, '--transcript']);
  assert.equal(r.code, 0, r.stderr);
  const outputs = transcriptOf(r).items.flatMap((i: { type: string; outputs?: unknown[] }) => i.outputs ?? []);
  const images = outputs.filter((o: { type: string }) => o.type === 'image');
  assert.ok(images.length >= 1, JSON.stringify(outputs));
  for (const img of images) {
    assert.equal(img.mime, 'image/png');
    assert.ok(img.bytes > 100, `a real PNG, not a pixel: ${img.bytes}`);
  }
});

test('--protocol assistants runs the same question over the Assistants run protocol', async () => {
  const r = await runCli(['ask', '[scenario:assistants:tutor] why sqrt?', '--protocol', 'assistants', '--base-url', server.url, '--transcript']);
  assert.equal(r.code, 0, r.stderr);
  const t = transcriptOf(r);
  assert.equal(t.status, 'completed');
  const code = t.items.find((i: { type: string }) => i.type === 'code');
  assert.match(code.code, /math\.sqrt/);
  assert.deepEqual(
    code.outputs.map((o: { type: string }) => o.type),
    ['logs', 'image'],
  );
  assert.ok(code.outputs[1].bytes > 100);
});

test('the human output shows text, the code and its output', async () => {
  const r = await runCli(['ask', 'explain loops', '--base-url', server.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /── code \(python\) ──/);
  assert.match(r.stdout, /── output ──/);
  assert.ok(r.stdout.length > 100);
});

for (const [scenario, kind, exit, pattern] of [
  ['error-401', 'auth', 1, /API key/],
  ['error-429', 'rate_limit', 1, /Rate limited/],
  ['error-500', 'server', 1, /server failed/],
  ['fixture:openai-error.1', 'quota', 1, /quota/],
  ['tool-unsupported', 'tool_unsupported', 1, /code interpreter/],
] as const) {
  test(`${scenario}: exit ${exit}, error kind ${kind}, and stderr names the cause`, async () => {
    const r = await runCli(['ask', `[scenario:${scenario}] hi`, '--base-url', server.url, '--transcript']);
    assert.equal(r.code, exit, r.stderr);
    const t = transcriptOf(r);
    assert.equal(t.status, 'failed');
    assert.equal(t.error.kind, kind);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /sk-test/, 'the key never appears in output');
  });
}

test('a server that cannot be reached is a network error', async () => {
  const r = await runCli(['ask', 'hi', '--base-url', 'http://127.0.0.1:1/v1', '--transcript']);
  assert.equal(r.code, 1);
  assert.equal(transcriptOf(r).error.kind, 'network');
  assert.match(r.stderr, /Could not reach the server/);
});

test('bad usage exits 2 with a message', async () => {
  for (const args of [[], ['ask'], ['ask', 'q', '--protocol', 'carrier-pigeon'], ['ask', 'q', '--bogus'], ['ask', 'q', '--base-url', 'not a url'], ['ask', 'q', '--model']]) {
    const r = await runCli(args, { env: { OPENAI_BASE_URL: server.url } });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /Usage|usage|URL|value/);
    assert.equal(r.stdout, '');
  }
  const noKey = await runCli(['ask', 'q'], { env: { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: server.url } });
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /OPENAI_API_KEY/);
});

test('Ctrl-C cancels the run at once, keeps what arrived and exits 130', async () => {
  const before = server.requests.length;
  const r = await runCli(['ask', '[scenario:slow] tell me about recursion', '--base-url', server.url], {
    interruptWhen: (out) => out.length > 40,
  });
  assert.equal(r.code, 130, r.stderr);
  assert.ok(r.stdout.length > 40, 'what arrived is kept on screen');
  assert.match(r.stderr, /stopped/);
  const req = server.requests.slice(before).find((q) => q.path.endsWith('/responses'));
  assert.ok(req);
  for (let i = 0; i < 50 && !req.aborted; i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal(req.aborted, true, 'the HTTP stream was closed');
});

test('--background asks for a background response, and Ctrl-C cancels it on the server', async () => {
  const before = server.requests.length;
  const r = await runCli(['ask', '[scenario:slow] tell me about recursion', '--base-url', server.url, '--background'], {
    interruptWhen: (out) => out.length > 40,
  });
  assert.equal(r.code, 130, r.stderr);
  const post = server.requests.slice(before).find((q) => q.method === 'POST' && q.path === '/v1/responses');
  assert.ok(post);
  assert.equal((post.body as { background?: unknown }).background, true);
  assert.equal((post.body as { store?: unknown }).store, true);
  // The cancel is sent before the CLI reports the run stopped, so it is there once the process has exited.
  const cancel = server.requests.slice(before).find((q) => q.method === 'POST' && /^\/v1\/responses\/resp_[^/]+\/cancel$/.test(q.path));
  assert.ok(cancel, server.requests.slice(before).map((q) => `${q.method} ${q.path}`).join(', '));
  assert.equal(cancel.status, 200);
});

test('Ctrl-C with --transcript prints the partial transcript as cancelled', async () => {
  const r = await runCli(['ask', '[scenario:slow] tell me about recursion', '--base-url', server.url, '--transcript'], { interruptAfterMs: 3500 });
  assert.equal(r.code, 130, r.stderr);
  const t = transcriptOf(r);
  assert.equal(t.status, 'cancelled');
  assert.equal(t.error, null);
  assert.ok(t.items.length >= 1 && t.items[0].text.length > 0, 'the text that arrived before Ctrl-C is kept');
});

test('messages follow LANG: Simplified Chinese', async () => {
  const r = await runCli(['ask', `[scenario:error-401] hi`, '--base-url', server.url], { env: { LANG: 'zh_CN.UTF-8' } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /API 密钥/);
});
