/**
 * The Assistants provider end to end over real HTTP against the fake server, through the public RunStream API:
 * both shapes, a function tool round trip, the create-and-poll fallback, follow-ups on the same thread, and Stop
 * cancelling the run on the server.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { AssistantsProvider } from '../../src/engine/providers/assistants/assistantsProvider';
import { RunStream } from '../../src/engine/runStream';
import type { FunctionTool } from '../../src/engine/tools/functionTool';
import { type CodeItem, toTranscriptJson } from '../../src/shared/transcript';
import { ASSISTANT_TUTOR_CODE, ASSISTANT_TUTOR_LOGS } from '../fake/assistantsScenarios';
import { startFaultProxy } from '../fake/faultProxy';
import { type FakeServer, startFakeServer } from '../fake/server';

let server: FakeServer;
before(async () => {
  server = await startFakeServer({ delayMs: 0 });
});
after(() => server.close());
beforeEach(() => server.reset());

function provider(baseUrl = server.url) {
  return new AssistantsProvider({ apiKey: 'sk-test', baseUrl, model: 'gpt-4o-mini', pollIntervalMs: 20 });
}

const selectionTool: FunctionTool = {
  name: 'get_selection',
  description: 'the selection',
  parameters: { type: 'object', properties: {} },
  run: async () => 'def area(r): return 3.14159 * r * r',
};

test('OpenAI shape: a new chat creates the assistant and a thread-and-run; code, logs and the plot arrive', async () => {
  const t = await RunStream.start(provider(), { question: { text: '[scenario:assistants:tutor] why is sqrt slow to grow?' } }).done();
  assert.equal(t.status, 'completed', JSON.stringify(t.error));
  assert.ok(t.threadId && t.assistantId && t.runId);
  const code = t.items.filter((i): i is CodeItem => i.type === 'code');
  assert.equal(code.length, 1);
  assert.match(code[0].code, /math\.sqrt/);
  assert.deepEqual(
    code[0].outputs.map((o) => o.type),
    ['logs', 'image'],
  );
  const img = code[0].outputs[1];
  assert.ok(img.type === 'image' && img.mime === 'image/png' && Buffer.from(img.base64, 'base64').subarray(1, 4).toString() === 'PNG');
  const paths = server.requests.map((r) => `${r.method} ${r.path}`);
  assert.ok(paths.includes('POST /v1/assistants'));
  assert.ok(paths.includes('POST /v1/threads/runs'));
  const created = server.requests.find((r) => r.path === '/v1/assistants')?.body as { tools: { type: string }[] };
  assert.equal(created.tools[0].type, 'code_interpreter');
  assert.equal(server.requests.find((r) => r.path === '/v1/threads/runs')?.headers['openai-beta'], 'assistants=v2');
});

test('a follow-up reuses the assistant and the thread', async () => {
  const first = await RunStream.start(provider(), { question: { text: '[scenario:assistants:tutor] first' } }).done();
  server.requests.length = 0;
  const second = await RunStream.start(provider(), {
    question: { text: '[scenario:assistants:tutor] and then?' },
    conversation: { threadId: first.threadId, assistantId: first.assistantId },
  }).done();
  assert.equal(second.status, 'completed');
  assert.equal(second.threadId, first.threadId);
  const paths = server.requests.map((r) => `${r.method} ${r.path}`);
  assert.ok(!paths.includes('POST /v1/assistants'), 'no second assistant');
  assert.ok(paths.includes(`POST /v1/threads/${first.threadId}/messages`));
  assert.ok(paths.includes(`POST /v1/threads/${first.threadId}/runs`));
});

test('DashScope shape: content objects, arguments/output strings', async () => {
  const t = await RunStream.start(provider(`${server.origin}/api/v1`), { question: { text: '[scenario:dashscope:tutor] 解释一下' } }).done();
  assert.equal(t.status, 'completed', JSON.stringify(t.error));
  const json = toTranscriptJson(t);
  const code = json.items.find((i) => i.type === 'code');
  assert.ok(code && code.type === 'code' && code.code.length > 10, JSON.stringify(json));
  assert.ok(code.outputs.some((o) => o.type === 'logs' && o.text.length > 0));
  assert.ok(json.items.some((i) => i.type === 'text' && i.text.length > 0));
});

// A step streamed in one shape and closed in the other (or in both): every log character and every image once.
for (const [scenario, dashscope] of [
  ['dashscope:openai-outputs', true],
  ['dashscope:both-outputs', true],
  ['assistants:dashscope-output', false],
  ['assistants:both-outputs', false],
] as const) {
  test(`${scenario}: the completed step repeats nothing the deltas already showed`, async () => {
    const run = RunStream.start(provider(dashscope ? `${server.origin}/api/v1` : server.url), { question: { text: `[scenario:${scenario}] roots` } });
    const logEvents: string[] = [];
    run.on('output', (o) => {
      if (o.type === 'logs') logEvents.push(o.text);
    });
    const t = await run.done();
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    assert.equal(server.requests.find((r) => r.path.endsWith('/runs'))?.scenario, scenario);
    const code = t.items.filter((i): i is CodeItem => i.type === 'code');
    assert.equal(code.length, 1);
    assert.equal(code[0].code, ASSISTANT_TUTOR_CODE);
    assert.ok(logEvents.length >= 2, 'the logs streamed in pieces before the step closed');
    assert.equal(logEvents.join(''), ASSISTANT_TUTOR_LOGS, 'each log character exactly once');
    const logs = code[0].outputs.filter((o) => o.type === 'logs').map((o) => (o.type === 'logs' ? o.text : ''));
    assert.equal(logs.join(''), ASSISTANT_TUTOR_LOGS);
    const images = code[0].outputs.filter((o) => o.type === 'image');
    assert.equal(images.length, 1, 'the chart once');
    assert.equal(server.requests.filter((r) => r.method === 'GET' && /\/files\/[^/]+\/content$/.test(r.path)).length, 1, 'downloaded once');
  });
}

test('a stream dropped before the first message: the run recovered by polling reads in stream order, each output once', async () => {
  const clean = await RunStream.start(provider(), { question: { text: '[scenario:assistants:tutor] roots' } }).done();
  const proxy = await startFaultProxy(server.origin);
  try {
    // Dropped after run created / queued / in_progress: nothing of the answer was shown yet.
    const t = await RunStream.start(provider(proxy.url('drop:3')), { question: { text: '[scenario:assistants:tutor] roots' } }).done();
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    assert.ok(server.requests.some((r) => r.method === 'GET' && /\/runs\/[^/]+\/steps$/.test(r.path)), 'recovered by polling');
    const shape = (x: typeof t) =>
      x.items.map((i) => (i.type === 'code' ? `code:${i.outputs.map((o) => (o.type === 'logs' ? o.text : o.type)).join('|')}` : i.type === 'text' ? `text:${i.text}` : i.type));
    assert.deepEqual(shape(t), shape(clean));
  } finally {
    await proxy.close();
  }
});

test('requires_action: the tool runs, its result is shown and submitted, and the run continues in the same stream', async () => {
  const t = await RunStream.start(provider(), { question: { text: '[scenario:assistants:requires-action] explain my selection' }, tools: [selectionTool] }).done();
  assert.equal(t.status, 'completed', JSON.stringify(t.error));
  const tool = t.items.find((i) => i.type === 'tool');
  assert.ok(tool && tool.type === 'tool');
  assert.equal(tool.name, 'get_selection');
  assert.equal(tool.result, 'def area(r): return 3.14159 * r * r');
  assert.equal(tool.isError, false);
  const submit = server.requests.find((r) => r.path.endsWith('/submit_tool_outputs'));
  assert.ok(submit);
  assert.deepEqual((submit.body as { tool_outputs: unknown[] }).tool_outputs, [{ tool_call_id: tool.callId, output: 'def area(r): return 3.14159 * r * r' }]);
  const text = t.items.filter((i) => i.type === 'text').map((i) => (i.type === 'text' ? i.text : '')).join('');
  assert.match(text, /3\.14159/, 'the answer after the tool quotes its output');
});

test('an unknown tool gets an error result, not a crash', async () => {
  const t = await RunStream.start(provider(), { question: { text: '[scenario:assistants:requires-action] explain' }, tools: [] }).done();
  assert.equal(t.status, 'completed');
  const tool = t.items.find((i) => i.type === 'tool');
  assert.ok(tool && tool.type === 'tool' && tool.isError === true && /unknown tool/.test(tool.result ?? ''));
});

test('a server that refuses to stream: create + poll shows the same answer', async () => {
  const t = await RunStream.start(provider(), { question: { text: '[scenario:assistants:no-stream] poll me' } }).done();
  assert.equal(t.status, 'completed', JSON.stringify(t.error));
  const code = t.items.find((i): i is CodeItem => i.type === 'code');
  assert.ok(code && /math/.test(code.code));
  assert.ok(code.outputs.some((o) => o.type === 'logs'));
  assert.ok(t.items.some((i) => i.type === 'text'));
  assert.ok(server.requests.some((r) => r.method === 'GET' && /\/runs\/[^/]+$/.test(r.path)), 'the run was polled');
});

test('Stop aborts the stream and cancels the run on the server, keeping what arrived', async () => {
  const run = RunStream.start(provider(), { question: { text: '[scenario:assistants:slow] long answer' } });
  await new Promise<void>((resolve) => run.on('textDelta', () => resolve()));
  run.abort();
  const t = await run.done();
  assert.equal(t.status, 'cancelled');
  assert.ok(t.items.length >= 1);
  const cancel = await server.waitFor((r) => r.path.endsWith('/cancel'), 3000);
  assert.equal(cancel.path, `/v1/threads/${t.threadId}/runs/${t.runId}/cancel`);
});

test('a bad key is an auth failure with the key redacted', async () => {
  const strict = await startFakeServer({ apiKey: 'sk-right', delayMs: 0 });
  try {
    const t = await RunStream.start(new AssistantsProvider({ apiKey: 'sk-wrong-key', baseUrl: strict.url, model: 'm' }), { question: { text: 'hi' } }).done();
    assert.equal(t.status, 'failed');
    assert.equal(t.error?.kind, 'auth');
    assert.doesNotMatch(t.error?.message ?? '', /sk-wrong-key/);
  } finally {
    await strict.close();
  }
});
