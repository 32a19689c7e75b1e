/**
 * Background responses (issue 9, "Stream faults"): over real HTTP, the real openai SDK against the fake server behind
 * the fault proxy. A stream dropped after event k (or in the middle of event k+1) is resumed with `starting_after`
 * and ends exactly as the uninterrupted run, nothing lost or shown twice; a server that cannot resume falls back to
 * retrieving the stored response; Stop cancels the response on the server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createProvider, type ProviderConfig } from '../../src/engine/createProvider';
import { RunStream } from '../../src/engine/runStream';
import type { StreamEvent } from '../../src/shared/events';
import { type RunTranscript, toTranscriptJson } from '../../src/shared/transcript';
import { type FaultProxy, startFaultProxy } from '../fake/faultProxy';
import { parseSse } from '../fake/fixtures';
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

function provider(baseUrl: string, extra: Partial<ProviderConfig> = {}) {
  return createProvider({ protocol: 'responses', apiKey: 'sk-test-0123456789abcdef', baseUrl, model: 'm', retryPolicy: fastRetries, background: true, ...extra });
}

async function ask(baseUrl: string, extra: Partial<ProviderConfig> = {}): Promise<{ t: RunTranscript; events: StreamEvent[] }> {
  const events: StreamEvent[] = [];
  const t = await RunStream.start(provider(baseUrl, extra), { question: { text: 'What is a list?' } })
    .on('event', (e) => events.push(e))
    .done();
  return { t, events };
}

/** What the learner reads: every item's text, code and outputs, without ids. */
const shown = (t: RunTranscript) => JSON.stringify(toTranscriptJson(t).items);

/**
 * Nothing shown twice: per text / code id, the deltas add up to at most the final text (a repeated delta would make
 * them longer or different), and every block is started once.
 */
function assertNoRepeats(events: readonly StreamEvent[], t: RunTranscript, label: string): void {
  const deltas = new Map<string, string>();
  const started = new Set<string>();
  let runs = 0;
  for (const e of events) {
    if (e.kind === 'text.delta' || e.kind === 'code.delta') deltas.set(e.id, (deltas.get(e.id) ?? '') + e.delta);
    if (e.kind === 'code.started') {
      assert.ok(!started.has(e.id), `${label}: code block ${e.id} started twice`);
      started.add(e.id);
    }
    if (e.kind === 'run.started') runs++;
  }
  assert.equal(runs, 1, `${label}: one run.started`);
  const finals = new Map<string, string>();
  for (const it of t.items) {
    if (it.type === 'text') finals.set(it.id, it.text);
    if (it.type === 'code') finals.set(it.id, it.code);
  }
  for (const [id, text] of deltas) {
    const final = finals.get(id) ?? '';
    assert.ok(final.startsWith(text), `${label}: the deltas of ${id} repeat or differ from its final text`);
  }
}

const bodyOf = (r: { body: unknown }) => (typeof r.body === 'object' && r.body !== null ? (r.body as Record<string, unknown>) : {});

describe('background responses: a dropped stream is resumed with starting_after', () => {
  let clean = '';
  let events = 0;

  it('an uninterrupted background run asks for background + store, passes through queued, and completes', async () => {
    server.reset();
    const from = proxy.seen.length;
    const { t } = await ask(proxy.url('pass'));
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    const post = server.requests.find((r) => r.method === 'POST' && r.path === '/v1/responses');
    assert.ok(post, 'the response was created');
    assert.equal(bodyOf(post).background, true);
    assert.equal(bodyOf(post).store, true);
    assert.equal(bodyOf(post).stream, true);
    clean = shown(t);
    assert.ok(clean.length > 200, 'a realistic answer');
    events = proxy.seen.slice(from).find((r) => r.messages !== undefined)?.messages ?? 0;
    assert.ok(events > 30, `a realistic stream (${events} events)`);
    assert.ok(!server.requests.some((r) => r.method === 'GET' && r.path.startsWith('/v1/responses/')), 'nothing to recover');
  });

  it('without the setting, no background fields are sent', async () => {
    server.reset();
    const { t } = await ask(proxy.url('pass'), { background: false });
    assert.equal(t.status, 'completed');
    const post = server.requests.find((r) => r.method === 'POST' && r.path === '/v1/responses');
    assert.ok(post);
    assert.equal('background' in bodyOf(post), false);
    assert.equal('store' in bodyOf(post), false);
  });

  for (const k of [1, 2, 3, 7, 20, 45, 'last-1', 'last'] as const) {
    for (const mid of [false, true]) {
      it(`dropped after event ${k}${mid ? ' and half of the next' : ''}: resumed after sequence number k-1, the same answer exactly`, async () => {
        assert.ok(events > 0, 'the clean run ran first');
        const at = k === 'last' ? events - 1 : k === 'last-1' ? events - 2 : k;
        server.reset();
        const { t, events: got } = await ask(proxy.url(`drop:${at}${mid ? ':mid' : ''}`));
        assert.equal(t.status, 'completed', JSON.stringify(t.error));
        assert.equal(shown(t), clean, 'the final answer equals the uninterrupted one');
        assertNoRepeats(got, t, `k=${at}`);
        const resumes = server.requests.filter((r) => r.method === 'GET' && r.query.stream === 'true');
        assert.equal(resumes.length, 1, 'one resume');
        // Events 0…k-1 arrived whole: the background stream carries sequence numbers 0, 1, … in order.
        assert.equal(resumes[0]!.query.starting_after, String(at - 1));
        const started = got.find((e) => e.kind === 'run.started');
        assert.ok(started?.kind === 'run.started' && started.responseId?.startsWith('resp_'));
        assert.equal(resumes[0]!.path, `/v1/responses/${started.responseId}`, 'the response the server named');
        assert.ok(!server.requests.some((r) => r.method === 'GET' && r.path.startsWith('/v1/responses/') && r.query.stream === undefined), 'no retrieve needed');
        assert.ok(!got.some((e) => e.kind === 'run.retrying'), 'resumed at once, no wait');
      });
    }
  }

  it('a resumed stream that drops again is resumed again, each time after the last event seen', async () => {
    server.reset();
    const { t, events: got } = await ask(proxy.url('drop:5:resume=drop10'));
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    assert.equal(shown(t), clean);
    assertNoRepeats(got, t, 'resume=drop10');
    const resumes = server.requests.filter((r) => r.method === 'GET' && r.query.stream === 'true').map((r) => Number(r.query.starting_after));
    const expected = Array.from({ length: Math.ceil((events - 5) / 10) }, (_, i) => 4 + 10 * i);
    assert.deepEqual(resumes, expected, 'each resume starts after the last event that arrived');
    assert.ok(!got.some((e) => e.kind === 'run.retrying'), 'progress each time: no wait');
  });

  it('resumes that make no progress are bounded by the retry policy, with its backoff, then the stored response is retrieved', async () => {
    server.reset();
    const { t, events: got } = await ask(proxy.url('drop:5:resume=drop0'));
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    assert.equal(shown(t), clean);
    assertNoRepeats(got, t, 'resume=drop0');
    const resumes = server.requests.filter((r) => r.method === 'GET' && r.query.stream === 'true');
    assert.equal(resumes.length, fastRetries.maxRetries + 1);
    assert.ok(resumes.every((r) => r.query.starting_after === '4'));
    const waits = got.filter((e): e is Extract<StreamEvent, { kind: 'run.retrying' }> => e.kind === 'run.retrying');
    assert.deepEqual(waits.map((w) => w.attempt), [1, 2]);
    assert.ok(waits.every((w) => w.delayMs > 0 && w.delayMs <= fastRetries.maxDelayMs));
    assert.ok(server.requests.some((r) => r.method === 'GET' && /^\/v1\/responses\/resp_[^/]+$/.test(r.path) && r.query.stream === undefined), 'then retrieved');
  });

  it('a server that cannot resume (404) falls back to retrieving the stored response', async () => {
    server.reset();
    const from = proxy.seen.length;
    const { t, events: got } = await ask(proxy.url('drop:20:resume=404'));
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    assert.equal(shown(t), clean);
    assertNoRepeats(got, t, 'resume=404');
    const seen = proxy.seen.slice(from).filter((r) => r.method === 'GET' && r.path.startsWith('/v1/responses/'));
    assert.equal(seen.length, 2, seen.map((r) => r.path).join(' '));
    assert.match(seen[0]!.path, /\/responses\/resp_[^?]+\?.*stream=true/);
    assert.match(seen[0]!.path, /starting_after=19/);
    assert.match(seen[1]!.path, /\/responses\/resp_[^?/]+$/, 'then a plain retrieve');
    assert.ok(!got.some((e) => e.kind === 'run.retrying'), 'a 404 is not retried');
  });

  it('a resume that fails with 503 is retried with the policy backoff (bounded), then the stored response is retrieved', async () => {
    server.reset();
    const from = proxy.seen.length;
    const { t, events: got } = await ask(proxy.url('drop:20:resume=503'));
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    assert.equal(shown(t), clean);
    const resumes = proxy.seen.slice(from).filter((r) => r.method === 'GET' && r.path.includes('stream=true'));
    assert.equal(resumes.length, fastRetries.maxRetries + 1, 'the first try and the policy retries');
    const waits = got.filter((e) => e.kind === 'run.retrying');
    assert.equal(waits.length, fastRetries.maxRetries, 'each wait shown');
    assert.ok(proxy.seen.slice(from).some((r) => r.method === 'GET' && /^\/v1\/responses\/resp_[^?/]+$/.test(r.path)), 'then retrieved');
  });

  it('Stop cancels the background response on the server', async () => {
    server.reset();
    server.script('slow');
    const run = RunStream.start(provider(proxy.url('pass')), { question: { text: 'What is a list?' } });
    let deltas = 0;
    run.on('event', (e) => {
      if (e.kind === 'text.delta' && ++deltas === 3) run.abort();
    });
    const t = await run.done();
    assert.equal(t.status, 'cancelled');
    const cancel = await server.waitFor((r) => r.method === 'POST' && /\/responses\/[^/]+\/cancel$/.test(r.path));
    const post = server.requests.find((r) => r.method === 'POST' && r.path === '/v1/responses');
    assert.ok(post);
    const created = server.requests.filter((r) => r.path === cancel.path);
    assert.equal(created.length, 1, 'cancelled once');
    await server.waitFor((r) => r === cancel && r.finished);
    assert.equal(cancel.status, 200, 'the server accepted the cancel');
    const id = cancel.path.split('/').at(-2)!;
    // The server says so too.
    const res = await fetch(`${server.url}/responses/${id}`, { headers: { authorization: 'Bearer sk-test' } });
    assert.equal(((await res.json()) as { status?: string }).status, 'cancelled');
  });
});

describe('fake server: background responses on the wire', () => {
  const headers = { authorization: 'Bearer sk-test', 'content-type': 'application/json' };
  const types = (text: string) => parseSse(text).map((e) => JSON.parse(e.data) as { type: string; sequence_number: number; response?: { status?: string; background?: boolean } });

  it('streams queued before in_progress with gap-free sequence numbers, and replays the events after starting_after', async () => {
    server.reset();
    const res = await fetch(`${server.url}/responses`, { method: 'POST', headers, body: JSON.stringify({ model: 'm', input: 'What is a list?', background: true, stream: true }) });
    const all = types(await res.text());
    assert.deepEqual(all.slice(0, 3).map((e) => e.type), ['response.created', 'response.queued', 'response.in_progress']);
    assert.equal(all[0]!.response?.status, 'queued');
    assert.equal(all[0]!.response?.background, true);
    assert.deepEqual(all.map((e) => e.sequence_number), all.map((_, i) => i));
    assert.equal(all.at(-1)!.type, 'response.completed');
    const id = (all[0]!.response as { id: string }).id;
    const tail = types(await (await fetch(`${server.url}/responses/${id}?stream=true&starting_after=9`, { headers })).text());
    assert.deepEqual(tail, all.slice(10), 'the same events after 9');
    const bad = await fetch(`${server.url}/responses/${id}?stream=true&starting_after=x`, { headers });
    assert.equal(bad.status, 400);
  });

  it('refuses to resume or cancel a response that is not a background one, and background without store', async () => {
    server.reset();
    const res = await fetch(`${server.url}/responses`, { method: 'POST', headers, body: JSON.stringify({ model: 'm', input: 'hi', stream: true }) });
    const id = (types(await res.text())[0]!.response as { id: string }).id;
    assert.equal((await fetch(`${server.url}/responses/${id}?stream=true&starting_after=3`, { headers })).status, 400);
    assert.equal((await fetch(`${server.url}/responses/${id}/cancel`, { method: 'POST', headers })).status, 400);
    assert.equal((await fetch(`${server.url}/responses/resp_nope?stream=true`, { headers })).status, 404);
    const noStore = await fetch(`${server.url}/responses`, { method: 'POST', headers, body: JSON.stringify({ model: 'm', input: 'hi', stream: true, background: true, store: false }) });
    assert.equal(noStore.status, 400);
  });
});
