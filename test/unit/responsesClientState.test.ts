/**
 * Responses with the conversation kept on the client (servers that keep no responses: Ollama, OpenRouter): the whole
 * input in every request with `store: false` and no `previous_response_id`, trimmed by whole exchanges; `auto` moving
 * a chat to the client after a refused previous_response_id; regenerate dropping the last exchange; the state kept
 * with the chat on disk. Real `openai` package, real HTTP, the fake server's `/stateless/v1`, run_python run for real
 * (test-only python3).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ChatSession as ChatSessionType, RunSetup } from '../../src/chat/chatSession';
import { ChatStore } from '../../src/chat/chatStore';
import type { ChatRecord } from '../../src/chat/storedChat';
import { createProvider } from '../../src/engine/createProvider';
import { conversationStateFor } from '../../src/engine/presets';
import type { ConversationRef } from '../../src/engine/provider';
import { type ConversationState, type InputItem, ResponseOutputs, forInputHistory, keptOutputItem, previousResponseRefused, trimInput } from '../../src/engine/providers/responses/clientConversation';
import { ResponsesProvider } from '../../src/engine/providers/responses/responsesProvider';
import { RunStream } from '../../src/engine/runStream';
import type { RunTranscript } from '../../src/shared/transcript';
import { Python3TestInterpreter } from '../fake/python3Interpreter';
import { type FakeServer, startFakeServer } from '../fake/server';
import { memoryLog, installVscodeApi } from '../fake/vscodeApi';

installVscodeApi();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ChatSession } = require('../../src/chat/chatSession') as { ChatSession: typeof ChatSessionType };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- request bodies, read freely

const key = 'sk-test-STATELESS-SECRET-0123456789';
let server: FakeServer;
const interpreters: Python3TestInterpreter[] = [];
const dirs: string[] = [];
before(async () => {
  server = await startFakeServer({ delayMs: 0 });
});
after(async () => {
  for (const p of interpreters) p.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await server.close();
});

const statelessUrl = () => `${server.origin}/stateless/v1`;
const py = () => {
  const p = new Python3TestInterpreter();
  interpreters.push(p);
  return p;
};
const posts = (from = 0) => server.requests.slice(from).filter((r) => r.method === 'POST' && r.path.endsWith('/responses'));
const lastText = (t: RunTranscript) => {
  const item = t.items.filter((i) => i.type === 'text').at(-1);
  return item?.type === 'text' ? item.text : '';
};
const userTexts = (input: Json[]) => input.filter((i) => i.role === 'user').map((i) => i.content as string);

async function ask(state: ConversationState, question: string, conversation: ConversationRef, historyTokens?: number) {
  const provider = new ResponsesProvider({ apiKey: key, baseUrl: statelessUrl(), model: 'qwen3', conversationState: state, historyTokens });
  let reported: ConversationRef | undefined;
  const from = server.requests.length;
  const t = await RunStream.start(provider, {
    question: { text: question },
    conversation,
    localInterpreter: py(),
    onConversation: (c) => (reported = { ...conversation, ...c }),
  }).done();
  return { t, conversation: reported ?? conversation, requests: posts(from) };
}

test('auto on a preset known to keep no responses is the client; elsewhere auto stays auto', () => {
  assert.equal(conversationStateFor('auto', 'ollama'), 'client');
  assert.equal(conversationStateFor('auto', 'openrouter'), 'client');
  assert.equal(conversationStateFor('auto', 'llamacpp'), 'client');
  assert.equal(conversationStateFor('auto', 'openai'), 'auto');
  assert.equal(conversationStateFor('server', 'ollama'), 'server');
});

test('what of a response is kept: text, calls without server ids, reasoning only with encrypted content', () => {
  assert.deepEqual(keptOutputItem({ id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hi', annotations: [{ type: 'x' }] }, { type: 'output_text', text: '!' }] }), {
    type: 'message',
    role: 'assistant',
    content: 'Hi!',
  });
  assert.deepEqual(keptOutputItem({ id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'run_python', arguments: '{"code":"1"}' }), {
    type: 'function_call',
    call_id: 'call_1',
    name: 'run_python',
    arguments: '{"code":"1"}',
  });
  assert.equal(keptOutputItem({ id: 'rs_1', type: 'reasoning', summary: [] }), undefined, 'reasoning without encrypted content is dropped');
  assert.deepEqual(keptOutputItem({ id: 'rs_2', type: 'reasoning', summary: [], encrypted_content: 'gAAA' }), { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: 'gAAA' });
  assert.equal(keptOutputItem({ id: 'ci_1', type: 'code_interpreter_call', code: 'x' }), undefined);
  // The final response's output wins over the items seen one by one (a server may send only response.completed).
  const outputs = new ResponseOutputs();
  outputs.observe({ type: 'response.output_item.done', output_index: 1, item: { type: 'message', role: 'assistant', content: 'b' } });
  outputs.observe({ type: 'response.output_item.done', output_index: 0, item: { type: 'message', role: 'assistant', content: 'a' } });
  assert.deepEqual(outputs.items().map((i) => i.content), ['a', 'b']);
  outputs.observe({ type: 'response.completed', response: { output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'c' }] }] } });
  assert.deepEqual(outputs.items().map((i) => i.content), ['c']);
  // What counts as a server refusing previous_response_id.
  assert.equal(previousResponseRefused(400, "Previous response with id 'resp_1' not found. previous_response_id"), true);
  assert.equal(previousResponseRefused(404, 'Response not found'), true);
  assert.equal(previousResponseRefused(400, 'Invalid tools'), false);
  assert.equal(previousResponseRefused(500, 'previous_response_id'), false);
});

test('two questions with a run_python round on a stateless server: every request carries the whole conversation', async () => {
  const one = await ask('client', 'Square some numbers', {});
  assert.equal(one.t.status, 'completed', JSON.stringify(one.t.error));
  assert.equal(one.requests.length, 2, 'the question, then the tool round');
  for (const r of one.requests) {
    assert.equal(r.status, 200);
    assert.equal((r.body as Json).store, false);
    assert.equal('previous_response_id' in (r.body as Json), false);
  }
  // The tool round sends the whole input too: the question, the assistant's words, the call, its output.
  const round = (one.requests[1].body as Json).input as Json[];
  assert.deepEqual(round.map((i) => i.type), ['message', 'message', 'function_call', 'function_call_output']);
  assert.equal(round[0].content, 'Square some numbers');
  assert.equal(round[2].name, 'run_python');
  assert.equal(round[3].call_id, round[2].call_id);
  assert.match(round[3].output, /turn 1 squares: \[1, 4, 9\]/, 'the output Python really printed');

  const two = await ask('client', 'And what did we compute before?', one.conversation);
  assert.equal(two.t.status, 'completed', JSON.stringify(two.t.error));
  const first = (two.requests[0].body as Json).input as Json[];
  assert.equal((two.requests[0].body as Json).store, false);
  assert.equal('previous_response_id' in (two.requests[0].body as Json), false);
  assert.deepEqual(userTexts(first), ['Square some numbers', 'And what did we compute before?']);
  assert.deepEqual(first.map((i) => i.type), ['message', 'message', 'function_call', 'function_call_output', 'message', 'message']);
  assert.equal(first[1].role, 'assistant');
  assert.equal(first[4].role, 'assistant');
  assert.match(first[4].content, /^Turn 1\. You asked: «Square some numbers»/, 'the first answer is part of the conversation');
  assert.ok(first.every((i) => i.id === undefined), 'no server ids: nothing was stored');
  // The server answers from the whole input only: the answer proves the model saw the first turn and its output.
  const answer = lastText(two.t);
  assert.match(answer, /You asked: «Square some numbers» \| «And what did we compute before\?»/);
  assert.match(answer, /turn 1 squares: \[1, 4, 9\]/);
  assert.match(answer, /turn 2 squares: \[1, 4, 9, 16\]/);
  assert.equal(two.conversation.clientState, undefined, 'client by setting, not by a fallback');
});

test('trimming keeps whole exchanges: a function_call always goes with its output', async () => {
  let conversation: ConversationRef = {};
  for (let i = 1; i <= 4; i++) conversation = (await ask('client', `question ${i} ${'x'.repeat(700)}`, conversation, 600)).conversation;
  const r = await ask('client', 'last question', conversation, 600);
  assert.equal(r.t.status, 'completed', JSON.stringify(r.t.error));
  const input = (r.requests[0].body as Json).input as Json[];
  const asked = userTexts(input).map((q) => q.slice(0, 11));
  assert.ok(asked.length < 5, `older exchanges were dropped (sent: ${asked.join(', ')})`);
  assert.equal(asked.at(-1), 'last questi');
  assert.equal(input[0].role, 'user', 'the conversation starts at a question');
  const calls = input.filter((i) => i.type === 'function_call').map((i) => i.call_id);
  const outputs = input.filter((i) => i.type === 'function_call_output').map((i) => i.call_id);
  assert.deepEqual(calls, outputs);
  assert.ok(calls.length >= 1);
  // The same with a budget that would cut between a call and its output: the whole older exchange goes.
  const items: InputItem[] = [
    { type: 'message', role: 'user', content: 'a'.repeat(400) },
    { type: 'function_call', call_id: 'c1', name: 'run_python', arguments: '{"code":"print(1)"}' },
    { type: 'function_call_output', call_id: 'c1', output: 'o'.repeat(2400) },
    { type: 'message', role: 'user', content: 'b' },
    { type: 'message', role: 'assistant', content: 'c' },
  ];
  assert.deepEqual(trimInput(items, 600).map((i) => i.content), ['b', 'c']);
  assert.equal(trimInput(items, 2000).length, 5);
  assert.deepEqual(forInputHistory([items[0], items[1]]).map((i) => i.type), ['message'], 'a call without its output is not kept');
});

test('auto: a refused previous_response_id is sent again once with the whole conversation, and the chat stays on the client', async () => {
  const one = await ask('auto', 'Square some numbers', {});
  assert.equal(one.t.status, 'completed', JSON.stringify(one.t.error));
  assert.deepEqual(one.requests.map((r) => r.status), [200, 400, 200], 'the tool round was refused once, then sent whole');
  assert.equal(typeof (one.requests[1].body as Json).previous_response_id, 'string');
  assert.equal((one.requests[2].body as Json).store, false);
  assert.equal('previous_response_id' in (one.requests[2].body as Json), false);
  assert.deepEqual(((one.requests[2].body as Json).input as Json[]).map((i) => i.type), ['message', 'message', 'function_call', 'function_call_output']);
  assert.equal(one.conversation.clientState, true);
  assert.match(lastText(one.t), /turn 1 squares/);

  // The next question goes straight to the client-held conversation, even with a response id in the chat.
  const two = await ask('auto', 'And before?', { ...one.conversation, responseId: one.t.responseId });
  assert.equal(two.t.status, 'completed', JSON.stringify(two.t.error));
  assert.deepEqual(two.requests.map((r) => r.status), [200, 200]);
  assert.deepEqual(userTexts((two.requests[0].body as Json).input), ['Square some numbers', 'And before?']);
  assert.match(lastText(two.t), /turn 1 squares: \[1, 4, 9\]/);

  // `server` is the learner's word: no fallback, the refusal is shown.
  const strict = await ask('server', 'Square some numbers', {});
  assert.equal(strict.t.status, 'failed');
  assert.deepEqual(strict.requests.map((r) => r.status), [200, 400]);
  assert.match(strict.t.error?.message ?? '', /previous_response_id/);
});

function session(stored?: ChatRecord) {
  const setup: RunSetup = {
    log: memoryLog() as unknown as RunSetup['log'],
    tools: () => [],
    provider: async () => createProvider({ protocol: 'responses', apiKey: key, baseUrl: statelessUrl(), model: 'qwen3', conversationState: conversationStateFor('auto', 'ollama') }),
    interpreter: { mode: () => 'local', create: () => py() },
  };
  return new ChatSession(stored, setup);
}

function finished(s: ChatSessionType): Promise<void> {
  return new Promise((resolve) => {
    const sub = s.onDidChange((c) => {
      if (c.type === 'event' && c.event.kind === 'run.finished') {
        sub.dispose();
        resolve();
      }
    });
  });
}

async function askIn(s: ChatSessionType, text: string) {
  const done = finished(s);
  assert.equal(await s.ask({ text }), true);
  await done;
}

test('a chat: regenerate drops the last exchange from the input, and the conversation survives a save and load', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ct-stateless-'));
  dirs.push(dir);
  const s = session();
  await askIn(s, 'first question');
  await askIn(s, 'second question');
  let from = server.requests.length;
  const done = finished(s);
  assert.equal(await s.regenerate(), true);
  await done;
  const regen = posts(from);
  assert.deepEqual(userTexts((regen[0].body as Json).input), ['first question', 'second question'], 'the dropped answer is not sent again');
  assert.equal(((regen[0].body as Json).input as Json[]).filter((i) => i.type === 'function_call').length, 1, 'only the first exchange\'s call');
  assert.deepEqual(userTexts(s.toRecord().conversation.input as Json[]), ['first question', 'second question']);

  // Edit and resend drops it as well.
  from = server.requests.length;
  const edited = finished(s);
  assert.equal(await s.editLast('second question, edited'), true);
  await edited;
  assert.deepEqual(userTexts((posts(from)[0].body as Json).input), ['first question', 'second question, edited']);

  const store = new ChatStore(dir);
  await store.save(s.toRecord());
  await store.flush();
  const file = readFileSync(join(dir, `${s.id}.json`), 'utf8');
  assert.ok(!file.includes(key), 'the key is never stored with the chat');
  const loaded = await new ChatStore(dir).load(s.id);
  assert.ok('record' in loaded, JSON.stringify(loaded));
  s.dispose();
  const again = session(loaded.record);
  from = server.requests.length;
  await askIn(again, 'third question');
  const req = posts(from);
  assert.deepEqual(req.map((r) => r.status), [200, 200]);
  assert.deepEqual(userTexts((req[0].body as Json).input), ['first question', 'second question, edited', 'third question']);
  const t = again.snapshot().turns.at(-1)!.run;
  assert.equal(t.status, 'completed', JSON.stringify(t.error));
  assert.match(lastText(t), /«first question» \| «second question, edited» \| «third question»/);
  assert.match(lastText(t), /turn 1 squares.*turn 2 squares.*turn 3 squares/s);
  again.dispose();
});
