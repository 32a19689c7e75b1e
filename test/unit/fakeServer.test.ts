/**
 * The fake OpenAI-compatible server, driven by the REAL `openai` SDK over real HTTP: the recorded streams come
 * back event for event, our own scenarios keep the recorded shape, and errors, continuation, tool calls,
 * Assistants runs (streamed, polled, requires_action, DashScope shape) and client aborts behave as the real API does.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import OpenAI from 'openai';
import { readAssistantsFixture, readResponsesFixtureLines } from '../fake/fixtures';
import { startFakeServer, type FakeServer } from '../fake/server';
import { frameSse } from '../fake/wire';

type Ev = Record<string, unknown> & { type: string };

let server: FakeServer;
let client: OpenAI;

before(async () => {
  server = await startFakeServer({ delayMs: 0 });
  client = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
});

after(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

async function collect(question: string, extra: Record<string, unknown> = {}): Promise<Ev[]> {
  const stream = await client.responses.create({
    model: 'gpt-5-nano',
    input: question,
    tools: [{ type: 'code_interpreter', container: { type: 'auto' } }],
    stream: true,
    ...extra,
  } as OpenAI.Responses.ResponseCreateParamsStreaming);
  const out: Ev[] = [];
  for await (const e of stream) {
    out.push(e as unknown as Ev);
  }
  return out;
}

function assertWellFormed(events: Ev[]): void {
  events.forEach((e, i) => assert.equal(e.sequence_number, i, `sequence_number of event ${i}`));
  const byItem = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'response.code_interpreter_call_code.delta' || e.type === 'response.output_text.delta') {
      byItem.set(e.item_id as string, (byItem.get(e.item_id as string) ?? '') + (e.delta as string));
      assert.equal(typeof e.obfuscation, 'string');
    }
    if (e.type === 'response.code_interpreter_call_code.done') {
      assert.equal(byItem.get(e.item_id as string), e.code);
    }
    if (e.type === 'response.output_text.done') {
      assert.equal(byItem.get(e.item_id as string), e.text);
    }
  }
}

describe('fake server: Responses API', () => {
  test('replays a recorded stream event for event through the SDK, framed as event:/data:', async () => {
    const name = 'openai-code-interpreter-tool.1';
    const lines = readResponsesFixtureLines(name);
    server.script(`fixture:${name}`);
    const events = await collect('roll two dice');
    assert.deepEqual(events, lines.map((l) => JSON.parse(l) as unknown));

    server.script(`fixture:${name}`);
    const raw = await fetch(`${server.url}/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x', input: 'again', stream: true }),
    });
    assert.match(raw.headers.get('content-type') ?? '', /^text\/event-stream/);
    const expected = lines.map((l) => frameSse({ event: (JSON.parse(l) as Ev).type, data: l })).join('');
    assert.equal(await raw.text(), expected);
  });

  test('the default tutor stream has the recorded shape, quotes the question and serves its CSV', async () => {
    const events = await collect('How do list comprehensions work?');
    assertWellFormed(events);
    const types = events.map((e) => e.type);
    assert.equal(types[0], 'response.created');
    assert.equal(types.at(-1), 'response.completed');
    const ci = types.indexOf('response.code_interpreter_call.in_progress');
    const firstText = types.indexOf('response.output_text.delta');
    assert.ok(firstText > 0 && firstText < ci, 'explanation before the code');
    assert.ok(types.lastIndexOf('response.output_text.delta') > ci, 'explanation after the code');
    assert.ok(types.filter((t) => t === 'response.code_interpreter_call_code.delta').length > 20, 'code in many deltas');
    for (const t of ['.interpreting', '.completed']) {
      assert.ok(types.indexOf(`response.code_interpreter_call${t}`) > ci);
    }
    const ciDone = events.find(
      (e) => e.type === 'response.output_item.done' && (e.item as Ev).type === 'code_interpreter_call',
    )!;
    assert.deepEqual(((ciDone.item as Ev).outputs as Ev[])[0]!.type, 'logs');
    const text = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    assert.match(text, /“How do list comprehensions work\?”/);

    const ann = events.find((e) => e.type === 'response.output_text.annotation.added')!.annotation as Ev;
    const done = events.filter((e) => e.type === 'response.output_text.done').at(-1)!;
    assert.equal((done.text as string).slice(ann.start_index as number, ann.end_index as number), 'sandbox:/mnt/data/squares.csv');
    const file = await client.containers.files.content.retrieve(ann.file_id as string, {
      container_id: ann.container_id as string,
    });
    assert.match(await file.text(), /^n,square\r\n1,1\r\n/);

    const completed = events.at(-1)!.response as Ev;
    assert.equal(completed.status, 'completed');
    assert.equal((completed.output as unknown[]).length, 5);
  });

  test('the recorded CSV of the code-interpreter fixture is served from its container', async () => {
    const res = await client.containers.files.content.retrieve('cfile_68c2e7084ab48191a67824aa1f4c90f1', {
      container_id: 'cntr_68c2e6f380d881908a57a82d394434ff02f484f5344062e9',
    });
    const rows = (await res.text()).trim().split('\r\n');
    assert.equal(rows.length, 10001);
    assert.equal(rows.slice(1).reduce((a, b) => a + Number(b), 0), 69868);
  });

  test('previous_response_id is honoured and recorded; an unknown id is a 400', async () => {
    const first = await client.responses.create({ model: 'gpt-5-nano', input: 'first question' });
    assert.equal(first.status, 'completed');
    const second = await collect('second question', { previous_response_id: first.id });
    const req = server.requests.filter((r) => r.path === '/v1/responses').at(-1)!;
    assert.equal((req.body as Ev).previous_response_id, first.id);
    assert.equal((second[0]!.response as Ev).previous_response_id, first.id);
    assert.match(second.filter((e) => e.type === 'response.output_text.done')[0]!.text as string, /turn 2/);

    await assert.rejects(
      client.responses.create({ model: 'gpt-5-nano', input: 'x', previous_response_id: 'resp_nope' }),
      (err: unknown) => err instanceof OpenAI.BadRequestError && /not found/.test(err.message),
    );
  });

  test('401 and 429 surface as the SDK APIError with the right status and code', async () => {
    server.script('error-401');
    await assert.rejects(collect('x'), (err: unknown) => {
      assert.ok(err instanceof OpenAI.AuthenticationError);
      assert.equal(err.status, 401);
      assert.equal(err.code, 'invalid_api_key');
      return true;
    });
    await assert.rejects(collect('x [scenario:error-429]'), (err: unknown) => {
      assert.ok(err instanceof OpenAI.RateLimitError);
      assert.equal(err.status, 429);
      assert.equal(err.code, 'rate_limit_exceeded');
      return true;
    });
    await assert.rejects(collect('x [scenario:tool-unsupported]'), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.match(err.message, /code_interpreter/);
      return true;
    });
    const noKey = await fetch(`${server.url}/responses`, { method: 'POST', body: '{}' });
    assert.equal(noKey.status, 401);
  });

  test('a recorded error stream ends in the SDK as an APIError', async () => {
    server.script('fixture:openai-error.1');
    await assert.rejects(collect('x'), (err: unknown) => err instanceof OpenAI.APIError && /quota/.test(err.message));
  });

  test('plot: the image output is a real PNG chart as a data URL', async () => {
    const events = await collect('plot a sine [scenario:plot]');
    assertWellFormed(events);
    const item = events.find(
      (e) => e.type === 'response.output_item.done' && (e.item as Ev).type === 'code_interpreter_call',
    )!.item as Ev;
    const image = (item.outputs as Ev[]).find((o) => o.type === 'image')!;
    const m = /^data:image\/png;base64,(.+)$/.exec(image.url as string)!;
    const png = Buffer.from(m[1]!, 'base64');
    assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
    assert.ok(png.readUInt32BE(16) >= 32 && png.readUInt32BE(20) >= 32, 'not a 1x1 pixel');
  });

  test('function-call: get_selection, then the follow-up quotes the tool output', async () => {
    const first = await collect('explain this [scenario:function-call]');
    const call = (first.at(-1)!.response as Ev).output as Ev[];
    assert.equal(call[0]!.type, 'function_call');
    assert.equal(call[0]!.name, 'get_selection');
    const responseId = (first.at(-1)!.response as Ev).id as string;
    const second = await collect('', {
      previous_response_id: responseId,
      input: [{ type: 'function_call_output', call_id: call[0]!.call_id, output: 'for i in range(3): print(i)' }],
    });
    const text = second.find((e) => e.type === 'response.output_text.done')!.text as string;
    assert.match(text, /for i in range\(3\): print\(i\)/);
    await assert.rejects(
      collect('', { previous_response_id: responseId, input: [{ type: 'function_call_output', call_id: 'call_x', output: '' }] }),
      (err: unknown) => err instanceof OpenAI.BadRequestError,
    );
  });

  test('completed-only: no deltas, everything in response.completed', async () => {
    const events = await collect('[scenario:completed-only] hi');
    assert.deepEqual(
      events.map((e) => e.type),
      ['response.created', 'response.in_progress', 'response.completed'],
    );
    assert.equal(((events[2]!.response as Ev).output as unknown[]).length, 3);
  });

  test('a client abort mid-stream is recorded', async () => {
    server.script({ scenario: 'slow', delayMs: 40 });
    const stream = await client.responses.create({ model: 'gpt-5-nano', input: 'stop me', stream: true });
    let n = 0;
    for await (const _ of stream) {
      if (++n === 3) {
        break; // the SDK aborts the request
      }
    }
    const rec = await server.waitFor((r) => r.path === '/v1/responses' && r.aborted, 2000);
    assert.equal(rec.scenario, 'slow');
  });
});

describe('fake server: Assistants API', () => {
  async function setup(question: string): Promise<{ assistantId: string; threadId: string }> {
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o-mini',
      name: 'Tutor',
      tools: [{ type: 'code_interpreter' }],
    });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: question }] });
    return { assistantId: assistant.id, threadId: thread.id };
  }

  async function events(stream: AsyncIterable<unknown>): Promise<{ event: string; data: Ev }[]> {
    const out: { event: string; data: Ev }[] = [];
    for await (const e of stream) {
      out.push(e as { event: string; data: Ev });
    }
    return out;
  }

  test('runs.create stream:true through the SDK: code with logs and an image, text, completed', async () => {
    const { assistantId, threadId } = await setup('What is a square root?');
    const evs = await events(await client.beta.threads.runs.create(threadId, { assistant_id: assistantId, stream: true }));
    const names = evs.map((e) => e.event);
    assert.deepEqual(names.slice(0, 3), ['thread.run.created', 'thread.run.queued', 'thread.run.in_progress']);
    assert.equal(names.at(-1), 'thread.run.completed');
    const code = evs
      .filter((e) => e.event === 'thread.run.step.delta')
      .map((e) => ((e.data.delta as Ev).step_details as { tool_calls: { code_interpreter?: { input?: string } }[] }).tool_calls[0]!)
      .map((c) => c.code_interpreter?.input ?? '')
      .join('');
    assert.match(code, /math\.sqrt/);
    const done = evs.find((e) => e.event === 'thread.run.step.completed' && e.data.type === 'tool_calls')!;
    const outputs = ((done.data.step_details as Ev).tool_calls as { code_interpreter: { outputs: Ev[] } }[])[0]!.code_interpreter
      .outputs;
    assert.deepEqual(outputs.map((o) => o.type), ['logs', 'image']);
    const fileId = (outputs[1]!.image as Ev).file_id as string;
    const png = Buffer.from(await (await client.files.content(fileId)).arrayBuffer());
    assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
    const text = evs
      .filter((e) => e.event === 'thread.message.delta')
      .flatMap((e) => (e.data.delta as { content: Ev[] }).content)
      .map((p) => (p.type === 'text' ? ((p.text as Ev).value as string) : ''))
      .join('');
    assert.match(text, /What is a square root\?/);
    const messages = await client.beta.threads.messages.list(threadId);
    assert.equal(messages.data[0]!.role, 'assistant');
  });

  test('assistants:fixture replays the recording verbatim', async () => {
    const { assistantId, threadId } = await setup('solve 3x + 11 = 14');
    server.script('assistants:fixture');
    const res = await fetch(`${server.url}/threads/${threadId}/runs`, {
      method: 'POST',
      headers: { authorization: 'Bearer test', 'content-type': 'application/json', 'openai-beta': 'assistants=v2' },
      body: JSON.stringify({ assistant_id: assistantId, stream: true }),
    });
    assert.equal(await res.text(), readAssistantsFixture());
  });

  test('requires_action, then submit_tool_outputs streams the rest of the run', async () => {
    const { assistantId, threadId } = await setup('explain my selection [scenario:assistants:requires-action]');
    const first = await events(await client.beta.threads.runs.create(threadId, { assistant_id: assistantId, stream: true }));
    const action = first.at(-1)!;
    assert.equal(action.event, 'thread.run.requires_action');
    const call = ((action.data.required_action as Ev).submit_tool_outputs as { tool_calls: { id: string; function: Ev }[] })
      .tool_calls[0]!;
    assert.equal(call.function.name, 'get_selection');
    const rest = await events(
      await client.beta.threads.runs.submitToolOutputs(action.data.id as string, {
        thread_id: threadId,
        tool_outputs: [{ tool_call_id: call.id, output: 'let x = 42;' }],
        stream: true,
      }),
    );
    assert.equal(rest.at(-1)!.event, 'thread.run.completed');
    const completedMessage = rest.find((e) => e.event === 'thread.message.completed')!;
    assert.match(JSON.stringify(completedMessage.data.content), /let x = 42;/);
  });

  test('assistants:no-stream refuses stream:true with 400; create + poll completes', async () => {
    const { assistantId, threadId } = await setup('[scenario:assistants:no-stream] hello');
    await assert.rejects(
      client.beta.threads.runs.create(threadId, { assistant_id: assistantId, stream: true }),
      (err: unknown) => err instanceof OpenAI.BadRequestError && err.param === 'stream',
    );
    const run = await client.beta.threads.runs.createAndPoll(threadId, { assistant_id: assistantId }, { pollIntervalMs: 5 });
    assert.equal(run.status, 'completed');
    const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: threadId });
    assert.ok(steps.data.some((s) => s.type === 'tool_calls'));
    const messages = await client.beta.threads.messages.list(threadId);
    const fromRun = messages.data.filter((m) => m.run_id === run.id);
    assert.equal(fromRun.length, 2);
    assert.match(JSON.stringify(fromRun.at(-1)!.content), /You asked: “hello”/);
  });

  test('cancel during a streamed run ends the stream with thread.run.cancelled', async () => {
    const { assistantId, threadId } = await setup('a long one');
    server.script({ scenario: 'assistants:slow', delayMs: 20 });
    const stream = await client.beta.threads.runs.create(threadId, { assistant_id: assistantId, stream: true });
    const seen: string[] = [];
    let runId = '';
    for await (const e of stream) {
      seen.push(e.event);
      if (e.event === 'thread.run.created') {
        runId = e.data.id;
      }
      if (seen.length === 4) {
        const r = await client.beta.threads.runs.cancel(runId, { thread_id: threadId });
        assert.equal(r.status, 'cancelling');
      }
    }
    assert.equal(seen.at(-1), 'thread.run.cancelled');
    assert.ok(seen.length < 20);
  });

  test('DashScope shape under /api/v1: content is an object, code_interpreter has arguments/output', async () => {
    const ds = new OpenAI({ baseURL: `${server.origin}/api/v1`, apiKey: 'sk-ds', maxRetries: 0 });
    const assistant = await ds.beta.assistants.create({ model: 'qwen-plus', tools: [{ type: 'code_interpreter' }] });
    const thread = await ds.beta.threads.create({ messages: [{ role: 'user', content: 'plot a sine' }] });
    const evs = await events(await ds.beta.threads.runs.create(thread.id, { assistant_id: assistant.id, stream: true }));
    const delta = evs.find((e) => e.event === 'thread.message.delta')!.data;
    assert.equal(typeof delta.request_id, 'string');
    assert.equal(delta.status_code, 200);
    assert.ok(!Array.isArray((delta.delta as Ev).content));
    const args = evs
      .filter((e) => e.event === 'thread.run.step.delta')
      .map((e) => ((e.data.delta as Ev).step_details as { tool_calls: { code_interpreter: Ev }[] }).tool_calls[0]!.code_interpreter)
      .map((c) => `${c.arguments as string}${c.output as string}`)
      .join('');
    assert.match(args, /math\.sqrt[\s\S]*sqrt\(2\) = 1\.414/);
  });
});

describe('fake server: control over HTTP and the CLI', () => {
  test('POST /__script, GET /__requests, POST /__reset', async () => {
    const bad = await fetch(`${server.origin}/__script`, { method: 'POST', body: JSON.stringify({ scenario: 'nope' }) });
    assert.equal(bad.status, 400);
    const ok = await fetch(`${server.origin}/__script`, { method: 'POST', body: JSON.stringify(['error-500']) });
    assert.equal(ok.status, 200);
    await assert.rejects(collect('x'), (err: unknown) => err instanceof OpenAI.InternalServerError);
    const list = (await (await fetch(`${server.origin}/__requests`)).json()) as { path: string; scenario: string; status: number }[];
    assert.deepEqual(
      list.map((r) => [r.path, r.scenario, r.status]),
      [['/v1/responses', 'error-500', 500]],
    );
    await fetch(`${server.origin}/__reset`, { method: 'POST' });
    assert.equal(server.requests.length, 0);
  });

  test('main.ts prints its URL and serves until killed', async () => {
    const root = path.resolve(__dirname, '../..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fake/main.ts', '--port', '0'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          const m = /^listening (http:\/\/127\.0\.0\.1:\d+\/v1)$/m.exec(out);
          if (m) {
            resolve(m[1]!);
          }
        });
        child.once('exit', () => reject(new Error(`exited early: ${out}`)));
      });
      const other = new OpenAI({ baseURL: url, apiKey: 'test', maxRetries: 0 });
      const r = await other.responses.create({ model: 'm', input: 'hello from the CLI test' });
      assert.equal(r.status, 'completed');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
