/**
 * Stream faults (issue 9), over real HTTP: the fake server behind a fault-injecting proxy, the real openai SDK
 * (Responses) and our fetch client (Assistants). Every HTTP status, retries with their notice, timeouts of our own,
 * web pages where the API should be, a 200 JSON answer, an over-long line, and the key echoed back.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createProvider, type ProviderConfig } from '../../src/engine/createProvider';
import type { Protocol } from '../../src/engine/provider';
import { RunStream } from '../../src/engine/runStream';
import type { StreamEvent } from '../../src/shared/events';
import { actionsForError } from '../../src/shared/protocol';
import { type RunTranscript, toTranscriptJson } from '../../src/shared/transcript';
import { type FaultProxy, startFaultProxy } from '../fake/faultProxy';
import { type FakeServer, startFakeServer } from '../fake/server';

let server: FakeServer;
let proxy: FaultProxy;
before(async () => {
  server = await startFakeServer({ delayMs: 0 });
  proxy = await startFaultProxy(server.origin);
});
after(async () => {
  await proxy?.close();
  await server?.close();
});

const fastRetries = { maxRetries: 2, initialDelayMs: 20, maxDelayMs: 80, maxRetryAfterMs: 60_000 };

async function ask(protocol: Protocol, baseUrl: string, extra: Partial<ProviderConfig> = {}): Promise<{ t: RunTranscript; events: StreamEvent[]; ms: number }> {
  const provider = createProvider({ protocol, apiKey: 'sk-test-0123456789abcdef', baseUrl, model: 'm', retryPolicy: fastRetries, ...extra });
  const events: StreamEvent[] = [];
  const started = Date.now();
  const t = await RunStream.start(provider, { question: { text: 'What is a list?' } })
    .on('event', (e) => events.push(e))
    .done();
  return { t, events, ms: Date.now() - started };
}

/** A fetch that refuses the recovery requests (GET a stored response, GET a run), so nothing can be recovered. */
function noRecovery(protocol: Protocol): Partial<ProviderConfig> {
  const f: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = (init?.method ?? 'GET').toUpperCase();
    const recovering = method === 'GET' && (protocol === 'responses' ? /\/responses\/[^/]+$/.test(url) : /\/runs\/[^/]+$/.test(url));
    return recovering ? Promise.resolve(new Response('{"error":{"message":"gone"}}', { status: 404, headers: { 'content-type': 'application/json' } })) : fetch(input, init);
  };
  return { fetch: f };
}

const retries = (events: StreamEvent[]) => events.filter((e): e is Extract<StreamEvent, { kind: 'run.retrying' }> => e.kind === 'run.retrying');
const textOf = (t: RunTranscript) => toTranscriptJson(t).items.map((i) => (i.type === 'text' ? i.text : i.type === 'code' ? i.code : '')).join('');

describe('HTTP errors before the stream: a specific kind, message and next step for each status', () => {
  const expected: Record<number, { kind: string; retried: boolean }> = {
    400: { kind: 'bad_request', retried: false },
    401: { kind: 'auth', retried: false },
    403: { kind: 'auth', retried: false },
    404: { kind: 'not_found', retried: false },
    408: { kind: 'timeout', retried: true },
    409: { kind: 'conflict', retried: true },
    413: { kind: 'too_large', retried: false },
    422: { kind: 'bad_request', retried: false },
    429: { kind: 'rate_limit', retried: true },
    500: { kind: 'server', retried: true },
    502: { kind: 'server', retried: true },
    503: { kind: 'server', retried: true },
    504: { kind: 'timeout', retried: true },
  };
  for (const protocol of ['responses', 'assistants'] as const) {
    for (const [code, want] of Object.entries(expected)) {
      for (const body of ['json', 'html']) {
        it(`${protocol}: ${code} (${body} body) → ${want.kind}${want.retried ? ', retried twice with a notice' : ', not retried'}`, async () => {
          const { t, events } = await ask(protocol, proxy.url(`status:${code}${body === 'html' ? ':html' : ''}`));
          assert.equal(t.status, 'failed');
          assert.equal(t.error?.kind, want.kind, t.error?.message);
          assert.ok(actionsForError(t.error!.kind).length > 0, 'a next step is offered');
          assert.equal(retries(events).length, want.retried ? 2 : 0, 'retries shown');
          if (want.retried) assert.deepEqual(retries(events).map((r) => r.attempt), [1, 2]);
          const message = t.error?.message ?? '';
          assert.doesNotMatch(message, /<[a-z!/]/i, 'no HTML pasted into the message');
          if (body === 'html') assert.match(message, new RegExp(`HTTP ${code}.*web page`), message);
        });
      }
    }
  }

  it('a 403 "country, region, or territory not supported" is named as such, not blamed on the key', async () => {
    for (const protocol of ['responses', 'assistants'] as const) {
      const { t } = await ask(protocol, proxy.url('status:403:region'));
      assert.equal(t.error?.kind, 'region', protocol);
      assert.deepEqual(actionsForError('region'), ['openSettings']);
    }
  });

  it('Retry-After and retry-after-ms are honoured, and a 429 that clears is recovered', async () => {
    for (const protocol of ['responses', 'assistants'] as const) {
      const ra = await ask(protocol, proxy.url(`status:429:ra=1:times=1:${protocol}`));
      assert.equal(ra.t.status, 'completed', ra.t.error?.message);
      assert.deepEqual(
        retries(ra.events).map((r) => r.delayMs),
        [1000],
      );
      const ram = await ask(protocol, proxy.url(`status:503:ram=150:ra=9:times=2:${protocol}`));
      assert.equal(ram.t.status, 'completed');
      assert.deepEqual(
        retries(ram.events).map((r) => [r.attempt, r.delayMs, r.reason]),
        [
          [1, 150, 'HTTP 503'],
          [2, 150, 'HTTP 503'],
        ],
      );
      assert.ok(textOf(ram.t).length > 50);
    }
  });

  it('401 is never retried and leads to Set API Key', async () => {
    const before = proxy.seen.length;
    const { t } = await ask('assistants', proxy.url('status:401:x'));
    assert.equal(t.error?.kind, 'auth');
    assert.equal(actionsForError('auth')[0], 'setApiKey');
    assert.equal(proxy.seen.slice(before).filter((r) => r.method === 'POST' && /runs$/.test(r.path)).length, 1);
  });
});

describe('connection faults end with a clear message within a bounded time', () => {
  for (const protocol of ['responses', 'assistants'] as const) {
    it(`${protocol}: connection refused`, async () => {
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((r) => closed.close(r));
      const { t, events } = await ask(protocol, `http://127.0.0.1:${port}/v1`);
      assert.equal(t.error?.kind, 'network');
      assert.match(t.error?.message ?? '', /refused/);
      assert.equal(retries(events).length, 2, 'a refused connection is retried (a restarting local server)');
    });
    it(`${protocol}: DNS failure`, async () => {
      const { t } = await ask(protocol, 'http://no-such-host.invalid/v1');
      assert.equal(t.error?.kind, 'network');
      assert.match(t.error?.message ?? '', /could not be (found|looked up)|ENOTFOUND|EAI_AGAIN/);
    });
    it(`${protocol}: TLS failure (https to an http port)`, async () => {
      const { t } = await ask(protocol, `${server.origin.replace('http:', 'https:')}/v1`);
      assert.equal(t.error?.kind, 'network');
      assert.match(t.error?.message ?? '', /TLS|SSL|secure/i);
    });
    it(`${protocol}: a server that accepts and never answers → connect timeout, no SDK hint`, async () => {
      const { t, ms } = await ask(protocol, proxy.url('hang'), { connectTimeoutMs: 400 });
      assert.equal(t.error?.kind, 'timeout', t.error?.message);
      assert.match(t.error?.message ?? '', /no answer from the server within 400 ms/);
      assert.doesNotMatch(t.error?.message ?? '', /undici|dispatcher|headersTimeout|fetchOptions/);
      assert.ok(ms < 5000, `ended after ${ms} ms`);
    });
    it(`${protocol}: a stream that stalls midway → idle timeout, then the answer is recovered from the server`, async () => {
      const clean = await ask(protocol, proxy.url('pass'));
      const { t, ms } = await ask(protocol, proxy.url('stall:12'), { idleTimeoutMs: 400 });
      // Responses: the stored response by id; Assistants: the run and its messages.
      assert.equal(t.status, 'completed', t.error?.message);
      assert.equal(textOf(t), textOf(clean.t));
      assert.ok(ms < 10_000, `ended after ${ms} ms`);
    });
    it(`${protocol}: a stall that cannot be recovered ends as a timeout, keeping what arrived`, async () => {
      const { t, ms } = await ask(protocol, proxy.url('stall:12'), { idleTimeoutMs: 400, baseUrl: proxy.url('stall:12'), ...noRecovery(protocol) });
      assert.equal(t.status, 'failed');
      assert.equal(t.error?.kind, 'timeout', t.error?.message);
      assert.match(t.error?.message ?? '', /nothing arrived for 400 ms/);
      assert.ok(textOf(t).length > 0, 'what arrived stays');
      assert.ok(ms < 10_000, `ended after ${ms} ms`);
    });
    it(`${protocol}: a captive portal's 200 web page → "not an API server"`, async () => {
      const { t } = await ask(protocol, proxy.url('html200'));
      assert.equal(t.error?.kind, 'not_api');
      assert.match(t.error?.message ?? '', /web page \("Hotel Wi-Fi — Sign in"\)/);
    });
    it(`${protocol}: an empty 200 → a clear protocol error`, async () => {
      const { t } = await ask(protocol, proxy.url('empty200'));
      assert.equal(t.status, 'failed');
      assert.ok(t.error?.kind === 'protocol' || t.error?.kind === 'network', t.error?.kind);
    });
    it(`${protocol}: a 200 JSON body carrying the whole answer is used`, async () => {
      const clean = await ask(protocol, proxy.url('pass'));
      const { t } = await ask(protocol, proxy.url('json200'));
      assert.equal(t.status, 'completed', t.error?.message);
      // Assistants: polled, so the steps come before the messages; every piece is there, once.
      const pieces = (x: RunTranscript) => toTranscriptJson(x).items.map((i) => (i.type === 'text' ? i.text : i.type === 'code' ? i.code : '')).sort();
      assert.deepEqual(pieces(t), pieces(clean.t));
    });
  }
});

describe('an SSE line over the limit is refused without buffering it all', () => {
  for (const protocol of ['responses', 'assistants'] as const) {
    it(`${protocol}: a 1 MB line still works (limit 16 MiB), a 50 MB line is refused`, async () => {
      const rss0 = process.memoryUsage().rss;
      const { t } = await ask(protocol, proxy.url(`longline:${50 * 1024 * 1024}`));
      const grown = process.memoryUsage().rss - rss0;
      assert.equal(t.status, 'failed');
      assert.equal(t.error?.kind, 'protocol');
      assert.match(t.error?.message ?? '', /line longer than 16 MiB/);
      assert.ok(grown < 120 * 1024 * 1024, `memory grew by ${Math.round(grown / 1e6)} MB`);
    });
  }
});

describe('the key never reaches the learner, whole or as any 8-character run', () => {
  const key = 'sk-proj-Zq81mW0pLk77TtYv3aXrB9eQ4sDfHjK2';
  const masked = `${key.slice(0, 14)}****${key.slice(-4)}`;
  const leaks = (s: string) => {
    const found: string[] = [];
    for (let i = 0; i + 8 <= key.length; i++) if (s.includes(key.slice(i, i + 8))) found.push(key.slice(i, i + 8));
    return found;
  };
  const cases: Array<[string, Protocol, () => void]> = [
    ['Responses HTTP 401 body', 'responses', () => server.script({ failure: { status: 401, body: { error: { message: `Incorrect API key provided: ${masked}.`, type: 'invalid_request_error', code: 'invalid_api_key' } } } })],
    ['Responses stream error event', 'responses', () => server.script({ kind: 'responses', events: [{ event: 'response.created', data: { type: 'response.created', response: { id: 'r1' } } }, { event: 'error', data: { type: 'error', error: { message: `key ${key} was revoked`, code: 'invalid_api_key' } } }] })],
    [
      'Responses text, code and logs',
      'responses',
      () =>
        server.script({
          kind: 'responses',
          events: [
            { data: { type: 'response.created', response: { id: 'r2' } } },
            { data: { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: `Your key is ${key.slice(0, 20)}` } },
            { data: { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: `${key.slice(20)} and a mask ${masked}.` } },
            { data: { type: 'response.output_item.done', output_index: 1, item: { type: 'code_interpreter_call', id: 'ci', status: 'completed', code: `print("${key}")`, outputs: [{ type: 'logs', logs: `${key}\n` }] } } },
            { data: { type: 'response.completed', response: { id: 'r2' } } },
          ],
        }),
    ],
    ['Assistants HTTP 401 body', 'assistants', () => server.script({ failure: { status: 401, body: { error: { message: `Incorrect API key provided: ${masked}`, code: 'invalid_api_key' } } } })],
    [
      'Assistants run failed with last_error',
      'assistants',
      () =>
        server.script({
          kind: 'assistants',
          events: [
            { event: 'thread.run.created', data: { id: 'run_1', object: 'thread.run', thread_id: 'thread_x', status: 'queued' } },
            { event: 'thread.run.failed', data: { id: 'run_1', object: 'thread.run', thread_id: 'thread_x', status: 'failed', last_error: { code: 'invalid_api_key', message: `The key ${masked} is not valid (${key})` } } },
          ],
        }),
    ],
    ['Assistants stream error event', 'assistants', () => server.script({ kind: 'assistants', events: [{ event: 'error', data: { error: { message: `bad key ${key.slice(3, 17)}`, code: 'invalid_api_key' } } }] })],
  ];
  for (const [name, protocol, setup] of cases) {
    it(name, async () => {
      setup();
      const { t, events } = await ask(protocol, server.url, { apiKey: key });
      const everything = JSON.stringify(events) + JSON.stringify(t) + JSON.stringify(toTranscriptJson(t));
      assert.deepEqual(leaks(everything), [], everything.slice(0, 400));
      assert.ok(everything.includes('***'), 'the redaction is visible');
    });
  }
});
