/**
 * Regenerate and Edit and resend (issue 8): after either, the server's context is the conversation without the
 * dropped exchange. Real ChatSessions (only `vscode` replaced) with the real Assistants and chat-completions providers
 * over HTTP against the fake server; the threads are read back with the real `openai` package, and the fake records
 * which messages each run saw (RecordedRequest.thread).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import OpenAI from 'openai';
import type { ChatSession as ChatSessionType, RunSetup } from '../../src/chat/chatSession';
import { createProvider } from '../../src/engine/createProvider';
import type { Protocol } from '../../src/engine/provider';
import { droppedFrom } from '../../src/engine/providers/assistants/threadRewind';
import { type FakeServer, type RecordedRequest, startFakeServer } from '../fake/server';
import { installVscodeApi, memoryLog } from '../fake/vscodeApi';

installVscodeApi();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ChatSession } = require('../../src/chat/chatSession') as { ChatSession: typeof ChatSessionType };

let server: FakeServer;
let noDelete: FakeServer;
before(async () => {
  server = await startFakeServer({ delayMs: 0 });
  noDelete = await startFakeServer({ delayMs: 0, messageDeletion: 'none' });
});
after(async () => {
  await server.close();
  await noDelete.close();
});
beforeEach(() => {
  server.reset();
  noDelete.reset();
});

function session(protocol: Protocol, baseUrl: string) {
  const log = memoryLog();
  const setup: RunSetup = {
    log: log as unknown as RunSetup['log'],
    tools: () => [],
    provider: async () => createProvider({ protocol, apiKey: 'sk-test', baseUrl, model: 'gpt-4o-mini', pollIntervalMs: 10 }),
  };
  return { s: new ChatSession(undefined, setup), log, setup };
}

/** Runs `start` and waits for the run it starts to finish. */
async function run(s: ChatSessionType, start: () => Promise<boolean>, status = 'completed'): Promise<void> {
  const done = new Promise<void>((resolve) => {
    const sub = s.onDidChange((c) => {
      if (c.type === 'event' && c.event.kind === 'run.finished') {
        sub.dispose();
        resolve();
      }
    });
  });
  assert.equal(await start(), true);
  await done;
  assert.equal(s.toRecord().turns.at(-1)?.run.status, status, JSON.stringify(s.toRecord().turns.at(-1)?.run.error));
}

const openai = (baseURL: string) => new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 });

/** A thread's messages, oldest first, as the openai package reads them. */
async function thread(baseURL: string, threadId: string) {
  const out: { id: string; role: string; text: string; runId: string | null; metadata: unknown }[] = [];
  for await (const m of openai(baseURL).beta.threads.messages.list(threadId, { order: 'asc', limit: 100 })) {
    const text = m.content
      .flatMap((c) => (c.type === 'text' ? [c.text.value] : []))
      .join('\n\n');
    out.push({ id: m.id, role: m.role, text, runId: m.run_id || null, metadata: m.metadata });
  }
  return out;
}

/** The runs started (streamed thread-and-run or run on a thread), in order. */
const runRequests = (f: FakeServer): RecordedRequest[] => f.requests.filter((r) => r.method === 'POST' && /\/threads\/(runs|[^/]+\/runs)$/.test(r.path));

test('Assistants, regenerate: the dropped question and answer are deleted; the rerun sees the kept exchange and the question once', async () => {
  const { s, log } = session('assistants', server.url);
  await run(s, () => s.ask({ text: 'What is a list?' }));
  await run(s, () => s.ask({ text: 'How do tuples differ?' }));
  const threadId = s.toRecord().conversation.threadId!;
  const before = await thread(server.url, threadId);
  const droppedRun = s.toRecord().turns[1].run.runId;
  const dropped = before.filter((m) => m.runId === droppedRun);
  assert.ok(dropped.length >= 1, 'the second run wrote answer messages');
  const question = before.findLast((m) => m.role === 'user')!;
  assert.equal(question.text, 'How do tuples differ?');

  await run(s, () => s.regenerate());
  const rerun = runRequests(server).at(-1)!;
  assert.equal(rerun.path, `/v1/threads/${threadId}/runs`, 'the same thread');
  const seen = rerun.thread!;
  const kept = before.slice(0, before.indexOf(question));
  assert.deepEqual(
    seen.map((m) => m.id),
    [...kept.map((m) => m.id), seen.at(-1)!.id],
    'the rerun sees the kept exchange, then the question',
  );
  assert.equal(seen.at(-1)!.text, 'How do tuples differ?');
  assert.equal(seen.filter((m) => m.text.includes('tuples')).length, 1, 'the question once');
  for (const m of [question, ...dropped]) assert.ok(!seen.some((x) => x.id === m.id), `the run does not see ${m.id}`);
  const deletes = server.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
  assert.deepEqual(deletes.sort(), [question, ...dropped].map((m) => `/v1/threads/${threadId}/messages/${m.id}`).sort());

  const afterwards = await thread(server.url, threadId);
  for (const m of [question, ...dropped]) assert.ok(!afterwards.some((x) => x.id === m.id), `${m.id} is gone from the thread`);
  assert.equal(afterwards.filter((m) => m.role === 'user').length, 2);
  assert.equal(s.turnCount, 2);
  const conversation = s.toRecord().conversation;
  assert.equal(conversation.threadId, threadId);
  assert.equal(conversation.rewind, undefined, 'the rewind is done and forgotten');
  assert.ok(log.lines.some((l) => /removed the dropped exchange/.test(l)));
  s.dispose();
});

test('Assistants, edit and resend: the old question is gone, the new one is there', async () => {
  const { s } = session('assistants', server.url);
  await run(s, () => s.ask({ text: 'What is a list?' }));
  await run(s, () => s.ask({ text: 'How do tuples differ?' }));
  const threadId = s.toRecord().conversation.threadId!;
  await run(s, () => s.editLast('How do sets differ?'));
  const seen = runRequests(server).at(-1)!.thread!;
  assert.ok(!seen.some((m) => m.text.includes('tuples')), JSON.stringify(seen));
  assert.equal(seen.at(-1)!.text, 'How do sets differ?');
  assert.deepEqual(
    seen.filter((m) => m.role === 'user').map((m) => m.text),
    ['What is a list?', 'How do sets differ?'],
  );
  const messages = await thread(server.url, threadId);
  assert.ok(!messages.some((m) => m.text.includes('tuples')), 'no trace of the old question or its answer (which quoted it)');
  assert.ok(messages.some((m) => m.role === 'assistant' && m.text.includes('sets differ')), 'the new answer quotes the new question');

  // A follow-up after the edit continues the same thread with the edited exchange in it.
  await run(s, () => s.ask({ text: 'And dicts?' }));
  assert.deepEqual(
    runRequests(server)
      .at(-1)!
      .thread!.filter((m) => m.role === 'user')
      .map((m) => m.text),
    ['What is a list?', 'How do sets differ?', 'And dicts?'],
  );
  s.dispose();
});

test('Assistants: only the dropped exchange goes; a kept question that failed stays as the model saw it', async () => {
  const { s } = session('assistants', server.url);
  await run(s, () => s.ask({ text: 'What is a list?' }));
  server.script('error-401'); // the question is in the thread, its run is refused
  await run(s, () => s.ask({ text: 'Why did that fail?' }), 'failed');
  await run(s, () => s.ask({ text: 'How do tuples differ?' }));
  const before = runRequests(server).at(-1)!.thread!;
  await run(s, () => s.regenerate());
  const seen = runRequests(server).at(-1)!.thread!;
  assert.deepEqual(
    seen.map((m) => m.id).slice(0, -1),
    before.map((m) => m.id).slice(0, -1),
    'the rerun sees what the dropped run saw, up to its question',
  );
  assert.deepEqual(
    seen.filter((m) => m.role === 'user').map((m) => m.text),
    ['What is a list?', 'Why did that fail?', 'How do tuples differ?'],
  );
  s.dispose();
});

test('Assistants, regenerating the only question starts a new thread (nothing to delete)', async () => {
  const { s } = session('assistants', server.url);
  await run(s, () => s.ask({ text: 'What is a list?' }));
  const first = s.toRecord().conversation.threadId;
  await run(s, () => s.regenerate());
  const rerun = runRequests(server).at(-1)!;
  assert.equal(rerun.path, '/v1/threads/runs', 'thread and run');
  assert.deepEqual(
    rerun.thread!.map((m) => m.text),
    ['What is a list?'],
  );
  assert.notEqual(s.toRecord().conversation.threadId, first);
  assert.equal(server.requests.filter((r) => r.method === 'DELETE').length, 0);
  s.dispose();
});

test('Assistants, a server that refuses to delete: a new thread seeded with the kept turns, saved with the chat and logged', async () => {
  const { s, log, setup } = session('assistants', noDelete.url);
  await run(s, () => s.ask({ text: 'What is a list?' }));
  await run(s, () => s.ask({ text: 'How do tuples differ?' }));
  const old = s.toRecord().conversation.threadId!;
  const oldMessages = await thread(noDelete.url, old);
  await run(s, () => s.regenerate());

  const deletes = noDelete.requests.filter((r) => r.method === 'DELETE');
  assert.equal(deletes.length, 1, 'one refused delete, then no more tries');
  assert.equal(deletes[0].status, 405);
  const conversation = s.toRecord().conversation;
  assert.notEqual(conversation.threadId, old, 'the chat moved to a new thread');
  assert.equal(conversation.rewind, undefined);
  assert.equal(s.toRecord().turns[1].run.threadId, conversation.threadId, 'the rerun ran there');
  assert.ok(log.lines.some((l) => l.includes(`new thread ${conversation.threadId}`) && l.includes(old)), log.lines.join('\n'));

  const seen = runRequests(noDelete).at(-1)!.thread!;
  const keptAnswer = oldMessages.filter((m) => m.role === 'assistant' && m.runId === s.toRecord().turns[0].run.runId).map((m) => m.text);
  assert.deepEqual(
    seen.map((m) => [m.role, m.text]),
    [['user', 'What is a list?'], ...keptAnswer.map((t) => ['assistant', t]), ['user', 'How do tuples differ?']],
    'the kept question and its answer text, then the question again: nothing of the dropped answer',
  );
  const seeded = await thread(noDelete.url, conversation.threadId!);
  assert.ok(seeded.slice(0, 1 + keptAnswer.length).every((m) => (m.metadata as { codetutor?: string }).codetutor === 'seed'));
  assert.deepEqual(await thread(noDelete.url, old), oldMessages, 'the old thread is left as it was');

  // Regenerating again on the seeded thread keeps the seed (it is not part of the dropped exchange).
  await run(s, () => s.regenerate());
  assert.deepEqual(
    runRequests(noDelete)
      .at(-1)!
      .thread!.map((m) => m.text),
    seen.map((m) => m.text),
  );

  // The switch is part of the saved chat: a chat restored from its record continues on the new thread.
  const now = s.toRecord().conversation.threadId!;
  const restored = new ChatSession(JSON.parse(JSON.stringify(s.toRecord())), setup);
  await run(restored, () => restored.ask({ text: 'And dicts?' }));
  assert.equal(runRequests(noDelete).at(-1)!.path, `/v1/threads/${now}/runs`);
  restored.dispose();
  s.dispose();
});

test('DashScope shape (no message deletion, learner messages only): the kept turns seed a new thread as one message', async () => {
  const base = `${server.origin}/api/v1`;
  const { s, log } = session('assistants', base);
  await run(s, () => s.ask({ text: '什么是列表?' }));
  await run(s, () => s.ask({ text: '元组有什么不同?' }));
  const old = s.toRecord().conversation.threadId!;
  const firstAnswer = (await thread(base, old)).filter((m) => m.role === 'assistant' && m.runId === s.toRecord().turns[0].run.runId);
  await run(s, () => s.editLast('集合有什么不同?'));

  const deletes = server.requests.filter((r) => r.method === 'DELETE');
  assert.equal(deletes.length, 1);
  assert.equal(deletes[0].status, 404);
  const seen = runRequests(server).at(-1)!.thread!;
  assert.equal(seen.length, 2, JSON.stringify(seen));
  assert.equal(seen[0].role, 'user');
  assert.match(seen[0].text, /Learner: 什么是列表\?/);
  for (const a of firstAnswer) assert.ok(seen[0].text.includes(a.text), 'the kept answer is in the seed');
  assert.ok(!seen[0].text.includes('元组'), 'nothing of the dropped exchange');
  assert.equal(seen[1].text, '集合有什么不同?');
  assert.notEqual(s.toRecord().conversation.threadId, old);
  assert.ok(log.lines.some((l) => /one learner message/.test(l)));
  s.dispose();
});

test('chat completions: regenerate and edit send the kept messages without the dropped question and answer', async () => {
  const { s } = session('chat', server.url);
  const posts = () => server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/chat/completions'));
  type Msg = { role: string; content: string | null };
  const sent = () => (posts().at(-1)!.body as { messages: Msg[] }).messages.filter((m) => m.role !== 'system');
  await run(s, () => s.ask({ text: 'What is a list?' }));
  await run(s, () => s.ask({ text: 'How do tuples differ?' }));
  const secondAnswer = sent().length; // before the answer: list exchange + the question
  assert.equal(secondAnswer, 3);

  await run(s, () => s.regenerate());
  assert.deepEqual(
    sent().map((m) => m.role),
    ['user', 'assistant', 'user'],
  );
  assert.equal(sent().filter((m) => m.content?.includes('tuples')).length, 1, 'the question once, no dropped answer quoting it');

  await run(s, () => s.editLast('How do sets differ?'));
  assert.deepEqual(
    sent().map((m) => m.content?.includes('tuples') || false),
    [false, false, false],
  );
  assert.equal(sent().at(-1)!.content, 'How do sets differ?');

  // The next question carries the edited exchange only.
  await run(s, () => s.ask({ text: 'And dicts?' }));
  assert.deepEqual(
    sent()
      .filter((m) => m.role === 'user')
      .map((m) => m.content),
    ['What is a list?', 'How do sets differ?', 'And dicts?'],
  );
  s.dispose();
});

test('chat completions: regenerating a question that failed before any answer keeps the exchange before it', async () => {
  const { s } = session('chat', server.url);
  const posts = () => server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/chat/completions'));
  await run(s, () => s.ask({ text: 'What is a list?' }));
  server.script('error-401');
  await run(s, () => s.ask({ text: 'How do tuples differ?' }), 'failed');
  await run(s, () => s.regenerate());
  const messages = (posts().at(-1)!.body as { messages: { role: string; content: string | null }[] }).messages.filter((m) => m.role !== 'system');
  assert.deepEqual(
    messages.map((m) => m.role),
    ['user', 'assistant', 'user'],
    'the first exchange is still there',
  );
  assert.equal(messages[0].content, 'What is a list?');
  s.dispose();
});

test('droppedFrom: the dropped runs and their question; DashScope empty run ids; a damaged stored rewind drops no answer', () => {
  const q = (id: string, extra = {}) => ({ id, role: 'user', run_id: '', ...extra });
  const a = (id: string, run: string) => ({ id, role: 'assistant', run_id: run });
  const thread = [q('q1'), a('a1', 'run_1'), q('q2'), q('q3'), a('a3', 'run_3'), a('a3b', 'run_3')];
  assert.equal(droppedFrom(thread, { runIds: ['run_3'] }), 3, 'q3 and its answers; q2 (a kept failed question) stays');
  assert.equal(droppedFrom(thread.slice(0, 4), { runIds: [] }), 3, 'a question whose run never started');
  assert.equal(droppedFrom(thread.slice(0, 2), { runIds: [] }), 2, 'nothing of a kept answer');
  assert.equal(droppedFrom(thread, { runIds: 'run_3' } as never), 6, 'a damaged rewind: nothing');
  const seeded = [q('s1', { metadata: { codetutor: 'seed' } }), a('a', 'run_9')];
  assert.equal(droppedFrom(seeded, { runIds: ['run_9'] }), 1, 'a seed is never dropped');
});

test('Assistants: a rewind the server refused stays with the saved chat and is done by the next run', async () => {
  let refuse = false;
  const fetchImpl: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (refuse && (init?.method ?? 'GET') === 'GET' && /\/messages(\?|$)/.test(url)) {
      refuse = false;
      return Promise.resolve(new Response(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }), { status: 401 }));
    }
    return fetch(input, init);
  };
  const log = memoryLog();
  const setup: RunSetup = {
    log: log as unknown as RunSetup['log'],
    tools: () => [],
    provider: async () => createProvider({ protocol: 'assistants', apiKey: 'sk-test', baseUrl: server.url, model: 'gpt-4o-mini', fetch: fetchImpl }),
  };
  const s = new ChatSession(undefined, setup);
  await run(s, () => s.ask({ text: 'What is a list?' }));
  await run(s, () => s.ask({ text: 'How do tuples differ?' }));
  const droppedRun = s.toRecord().turns[1].run.runId!;
  refuse = true;
  await run(s, () => s.regenerate(), 'failed');
  assert.deepEqual(JSON.parse(JSON.stringify(s.toRecord().conversation)).rewind, { runIds: [droppedRun] }, 'still to do, and saved');
  assert.equal(server.requests.filter((r) => r.method === 'DELETE').length, 0);

  const restored = new ChatSession(JSON.parse(JSON.stringify(s.toRecord())), setup);
  await run(restored, () => restored.editLast('How do sets differ?'));
  assert.deepEqual(
    runRequests(server)
      .at(-1)!
      .thread!.filter((m) => m.role === 'user')
      .map((m) => m.text),
    ['What is a list?', 'How do sets differ?'],
  );
  assert.equal(restored.toRecord().conversation.rewind, undefined);
  restored.dispose();
  s.dispose();
});
