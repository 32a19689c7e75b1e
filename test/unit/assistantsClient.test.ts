/**
 * The Assistants fetch client against the fake server (test/fake/server.ts): headers, the create → thread →
 * message → streamed run flow mapped by AssistantsMapper (OpenAI and DashScope shapes), requires_action and
 * submit_tool_outputs on one mapper, typed HTTP errors, the create-and-poll fallback, file content and abort.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { StreamEvent } from '../../src/shared/events';
import { reduceAll, type CodeItem, type RunTranscript } from '../../src/shared/transcript';
import type { MapperEvent, SseMessage } from '../../src/engine/mapperEvents';
import { AssistantsClient, AssistantsHttpError, type StreamStart } from '../../src/engine/providers/assistants/assistantsClient';
import { AssistantsMapper } from '../../src/engine/providers/assistants/assistantsMapper';
import { startFakeServer, type FakeServer } from '../fake/server';

const key = 'sk-test-assistants';
let server: FakeServer;

before(async () => {
  server = await startFakeServer({ apiKey: key, delayMs: 0 });
});
after(async () => {
  await server.close();
});
beforeEach(() => server.reset());

async function drain(start: StreamStart, mapper: AssistantsMapper): Promise<MapperEvent[]> {
  assert.equal(start.type, 'sse');
  const out: MapperEvent[] = [];
  if (start.type !== 'sse') return out;
  for await (const m of start.messages) out.push(...mapper.map(m));
  out.push(...mapper.end());
  return out;
}

function transcript(events: readonly MapperEvent[]): RunTranscript {
  return reduceAll(events.filter((e): e is StreamEvent => e.kind !== 'file.ref' && e.kind !== 'run.requires_action'));
}

async function setUp(client: AssistantsClient, question: string): Promise<{ assistantId: string; threadId: string }> {
  const assistant = await client.createAssistant({ model: 'gpt-4o-mini', name: 'Code Tutor', instructions: 'Teach.', tools: [{ type: 'code_interpreter' }] });
  const thread = await client.createThread();
  await client.addMessage(String(thread.id), { content: question });
  return { assistantId: String(assistant.id), threadId: String(thread.id) };
}

describe('AssistantsClient against the fake server', () => {
  it('sends the key and the beta header, streams a run and the mapper builds the answer (OpenAI shape)', async () => {
    const client = new AssistantsClient({ apiKey: key, baseUrl: server.url });
    const { assistantId, threadId } = await setUp(client, 'Why does sqrt grow slowly?');
    const fetched = await client.getAssistant(assistantId);
    assert.equal(fetched.id, assistantId);
    const events = await drain(await client.streamRun(threadId, { assistant_id: assistantId }), new AssistantsMapper());
    const t = transcript(events);
    assert.equal(t.status, 'completed');
    assert.equal(t.threadId, threadId);
    const code = t.items.find((i): i is CodeItem => i.type === 'code');
    assert.ok(code && code.code.includes('math.sqrt'));
    assert.deepEqual(code.outputs.map((o) => o.type), ['logs']);
    const image = events.find((e) => e.kind === 'file.ref');
    assert.ok(image && image.kind === 'file.ref' && image.asImage);

    const run = server.requests.find((r) => r.method === 'POST' && r.path.endsWith('/runs'));
    assert.ok(run);
    assert.equal(run.headers.authorization, `Bearer ${key}`);
    assert.equal(run.headers['openai-beta'], 'assistants=v2');
    assert.equal((run.body as { stream?: boolean }).stream, true);

    // The image the run made can be downloaded.
    if (image?.kind === 'file.ref') {
      const res = await client.getFileContent(image.fileId);
      const bytes = new Uint8Array(await res.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    }
  });

  it('streams a DashScope-shaped run from the /api/v1 base', async () => {
    const client = new AssistantsClient({ apiKey: key, baseUrl: `${server.origin}/api/v1` });
    const { assistantId, threadId } = await setUp(client, '为什么平方根增长得慢？');
    const events = await drain(await client.streamRun(threadId, { assistant_id: assistantId }), new AssistantsMapper());
    const t = transcript(events);
    assert.equal(t.status, 'completed');
    const code = t.items.find((i): i is CodeItem => i.type === 'code');
    assert.ok(code && code.code.includes('math.sqrt'));
    assert.equal(code.status, 'done');
    assert.equal(code.outputs.length, 1);
  });

  it('creates the thread and run in one call', async () => {
    const client = new AssistantsClient({ apiKey: key, baseUrl: server.url });
    const assistant = await client.createAssistant({ model: 'gpt-4o-mini', tools: [{ type: 'code_interpreter' }] });
    const start = await client.streamThreadAndRun({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Show me sqrt.' }] } });
    const t = transcript(await drain(start, new AssistantsMapper()));
    assert.equal(t.status, 'completed');
    assert.ok(t.threadId);
  });

  it('runs function tools: requires_action, then submit_tool_outputs continues on the same mapper', async () => {
    const client = new AssistantsClient({ apiKey: key, baseUrl: server.url });
    const { assistantId, threadId } = await setUp(client, 'What did I select? [scenario:function-call]');
    const mapper = new AssistantsMapper();
    const first = await drain(await client.streamRun(threadId, { assistant_id: assistantId }), mapper);
    const req = first.find((e) => e.kind === 'run.requires_action');
    assert.ok(req && req.kind === 'run.requires_action');
    assert.equal(req.calls[0].name, 'get_selection');
    assert.ok(req.runId);
    mapper.continueRun();
    const second = await drain(
      await client.streamSubmitToolOutputs(threadId, req.runId, [{ tool_call_id: req.calls[0].callId, output: 'x = 1' }]),
      mapper,
    );
    const result: StreamEvent = { kind: 'tool.result', id: req.calls[0].itemId, output: 'x = 1', isError: false };
    const t = transcript([...first, result, ...second]);
    assert.equal(t.status, 'completed');
    assert.equal(t.items.filter((i) => i.type === 'tool').length, 1);
  });

  it('throws a typed error carrying the server error (bad key → auth)', async () => {
    const client = new AssistantsClient({ apiKey: 'sk-wrong', baseUrl: server.url });
    await assert.rejects(client.createThread(), (e: unknown) => {
      assert.ok(e instanceof AssistantsHttpError);
      assert.equal(e.status, 401);
      assert.equal(e.code, 'invalid_api_key');
      assert.equal(e.toRunError().kind, 'auth');
      return true;
    });
  });

  it('a server that refuses streaming says so, and create + poll gets the answer', async () => {
    const client = new AssistantsClient({ apiKey: key, baseUrl: server.url });
    const { assistantId, threadId } = await setUp(client, 'sqrt please');
    server.script('assistants:no-stream');
    const refused = await client.streamRun(threadId, { assistant_id: assistantId }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(refused instanceof AssistantsHttpError);
    assert.ok(refused.refusesStreaming);

    let run = await client.createRun(threadId, { assistant_id: assistantId });
    const runId = String(run.id);
    for (let i = 0; i < 50 && !['completed', 'failed', 'cancelled', 'expired', 'incomplete', 'requires_action'].includes(String(run.status)); i++) {
      run = await client.retrieveRun(threadId, runId);
    }
    assert.equal(run.status, 'completed');
    const steps = await client.listRunSteps(threadId, runId, { order: 'asc' });
    assert.ok(steps.data.length > 0);
    const messages = await client.listMessages(threadId, { run_id: runId, order: 'asc' });
    assert.ok(messages.data.length > 0);
    assert.ok(messages.data.every((m) => m.run_id === runId));
  });

  it('cancels a run and stops reading when the signal aborts', async () => {
    const client = new AssistantsClient({ apiKey: key, baseUrl: server.url });
    const { assistantId, threadId } = await setUp(client, 'take your time [scenario:slow]');
    const ac = new AbortController();
    const start = await client.streamRun(threadId, { assistant_id: assistantId }, ac.signal);
    assert.equal(start.type, 'sse');
    if (start.type !== 'sse') return;
    const seen: SseMessage[] = [];
    let runId: string | undefined;
    await assert.rejects(
      (async () => {
        for await (const m of start.messages) {
          seen.push(m);
          if (m.event === 'thread.run.created') runId = (JSON.parse(m.data) as { id: string }).id;
          if (seen.length === 3) ac.abort();
        }
      })(),
      (e: unknown) => e instanceof Error && e.name === 'AbortError',
    );
    assert.ok(runId);
    const cancelled = await client.cancelRun(threadId, runId);
    assert.equal(cancelled.id, runId);
    await assert.rejects(client.createThread({}, AbortSignal.abort()), (e: unknown) => e instanceof Error && e.name === 'AbortError');
  });
});
