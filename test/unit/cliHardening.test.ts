/**
 * The terminal client against hostile servers and networks (issue 9): the reason of an incomplete run in
 * --transcript, a server-cancelled run is not Ctrl-C, retries shown, the key never printed, and HTTP_PROXY honoured
 * (a small forward proxy on 127.0.0.1 sees the requests). The bundled cli.js in a child process, over real HTTP.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { startForwardProxy } from '../fake/forwardProxy';
import { type FakeServer, startFakeServer } from '../fake/server';

const root = join(__dirname, '..', '..');
let cli: string;
let server: FakeServer;

before(async () => {
  cli = join(mkdtempSync(join(tmpdir(), 'code-tutor-cli-')), 'cli.js');
  await build({ entryPoints: [join(root, 'src/cli.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cli, logLevel: 'silent' });
  server = await startFakeServer({ delayMs: 0 });
});
after(() => server?.close());

function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const all = { ...process.env, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: undefined, LANG: 'C', LC_ALL: undefined, HTTP_PROXY: undefined, HTTPS_PROXY: undefined, http_proxy: undefined, https_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined, ...env };
    const child = spawn(process.execPath, [cli, ...args], { env: all as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const created = { event: 'response.created', data: { type: 'response.created', response: { id: 'resp_h', status: 'in_progress' } } };
const delta = (text: string) => ({ event: 'response.output_text.delta', data: { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: text } });

test('--transcript keeps the reason of an incomplete run (content_filter, max_output_tokens)', async () => {
  for (const reason of ['content_filter', 'max_output_tokens']) {
    server.script({
      kind: 'responses',
      events: [created, delta('Partial answer'), { event: 'response.incomplete', data: { type: 'response.incomplete', response: { id: 'resp_h', status: 'incomplete', incomplete_details: { reason } } } }],
    });
    const r = await runCli(['ask', 'hi', '--base-url', server.url, '--transcript']);
    assert.equal(r.code, 1);
    const t = JSON.parse(r.stdout);
    assert.equal(t.status, 'incomplete');
    assert.equal(t.reason, reason);
    assert.equal(t.error.kind, reason === 'content_filter' ? 'content_filter' : 'incomplete');
    assert.match(t.error.message, new RegExp(reason));
  }
});

test('a run the server cancelled exits 1, not 130 (Ctrl-C)', async () => {
  server.script({ kind: 'responses', events: [created, delta('Start'), { event: 'response.cancelled', data: { type: 'response.cancelled', response: { id: 'resp_h', status: 'cancelled' } } }] });
  const r = await runCli(['ask', 'hi', '--base-url', server.url]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /server cancelled the run/);
});

test('an error event without details reads as one sentence, not raw JSON', async () => {
  server.script({ kind: 'responses', events: [created, { event: 'error', data: { type: 'error' } }] });
  const r = await runCli(['ask', 'hi', '--base-url', server.url, '--transcript']);
  const t = JSON.parse(r.stdout);
  assert.equal(t.error.message, 'The server reported an error.');
});

test('retries are announced on stderr; a key echoed by the server is never printed', async () => {
  const key = 'sk-live-9GfQ2xLmZ8pRtY4vBn6cWd1s';
  server.script({ failure: { status: 503, body: { error: { message: `overloaded for key ${key}` } }, headers: { 'retry-after-ms': '30' } }, times: 1 }, { failure: { status: 401, body: { error: { message: `Incorrect API key provided: ${key.slice(0, 14)}****${key.slice(-4)}`, code: 'invalid_api_key' } } } });
  const r = await runCli(['ask', 'hi', '--base-url', server.url], { OPENAI_API_KEY: key });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /trying again in 1 s, attempt 1/);
  for (let i = 0; i + 8 <= key.length; i++) assert.ok(!(r.stdout + r.stderr).includes(key.slice(i, i + 8)), `leaked ${key.slice(i, i + 8)}: ${r.stderr}`);
});

test('HTTP_PROXY is honoured on every protocol: the base URL does not resolve, only the forward proxy reaches the server', async () => {
  const host = 'api.codetutor.invalid';
  const proxy = await startForwardProxy({ [host]: new URL(server.url).host });
  try {
    const base = `http://${host}/v1`;
    for (const protocol of ['responses', 'assistants', 'chat'] as const) {
      const before = { proxied: proxy.seen.length, served: server.requests.length };
      const r = await runCli(['ask', 'What is a list?', '--protocol', protocol, '--base-url', base, '--transcript'], { HTTP_PROXY: proxy.url });
      assert.equal(r.code, 0, `${protocol}: ${r.stderr}`);
      assert.equal(JSON.parse(r.stdout).status, 'completed', protocol);
      const proxied = proxy.seen.slice(before.proxied);
      assert.ok(proxied.length >= 1 && proxied.every((p) => p.target === `${host}:80`), `${protocol}: the proxy saw ${JSON.stringify(proxied)}`);
      const served = server.requests.slice(before.served);
      assert.ok(served.length >= 1 && served.every((q) => q.headers.host === host), `${protocol}: every request the server answered came through the proxy`);
      const run = { responses: '/v1/responses', assistants: '/v1/threads/runs', chat: '/v1/chat/completions' }[protocol];
      assert.ok(served.some((q) => q.method === 'POST' && q.path === run), `${protocol}: ${served.map((q) => q.path).join(', ')}`);
    }
    // Without the proxy the name does not resolve: the requests above could only have gone through it.
    const direct = await runCli(['ask', 'What is a list?', '--base-url', base, '--transcript']);
    assert.equal(direct.code, 1);
    assert.equal(JSON.parse(direct.stdout).error.kind, 'network');
  } finally {
    await proxy.close();
  }
});
