/**
 * The chat-completions provider over real HTTP: the real `openai` package talks to the fake server, and run_python
 * calls run for real in a test-only python3 interpreter (test/fake/python3Interpreter.ts). Covers the tool loop
 * (several rounds, bounded), every quirk scenario, reasoning, the notices, function tools, the stateless
 * conversation and its trimming, Stop, and errors.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ConversationRef, RunRequest } from '../../src/engine/provider';
import { type ChatMessage, estimateTokens, forHistory, trimHistory } from '../../src/engine/providers/chat/chatHistory';
import { ChatProvider } from '../../src/engine/providers/chat/chatProvider';
import { RunStream } from '../../src/engine/runStream';
import type { FunctionTool } from '../../src/engine/tools/functionTool';
import type { StreamEvent } from '../../src/shared/events';
import { type CodeItem, type RunTranscript, toTranscriptJson } from '../../src/shared/transcript';
import { checkMessages, plotCode, roundCodes, tutorCode } from '../fake/chatScenarios';
import { Python3TestInterpreter } from '../fake/python3Interpreter';
import { type FakeServer, startFakeServer } from '../fake/server';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- request bodies, read freely

let server: FakeServer;
const interpreters: Python3TestInterpreter[] = [];

before(async () => {
  server = await startFakeServer({ delayMs: 1 });
});
after(async () => {
  for (const i of interpreters) i.dispose();
  await server.close();
});
afterEach(() => server.reset());

/** One python3 process for the tests that do not look at its cells (a process start is slow on a busy machine). */
let sharedInterpreter: Python3TestInterpreter | undefined;
function shared(): Python3TestInterpreter {
  sharedInterpreter ??= interpreter();
  return sharedInterpreter;
}

function interpreter(): Python3TestInterpreter {
  const i = new Python3TestInterpreter();
  interpreters.push(i);
  return i;
}

interface Outcome {
  t: RunTranscript;
  events: StreamEvent[];
  conversation: ConversationRef | undefined;
  requests: Json[];
}

async function ask(
  text: string,
  opts: Partial<RunRequest> & { historyTokens?: number; maxToolRounds?: number; apiKey?: string; model?: string; stopWhen?: (e: StreamEvent) => boolean } = {},
): Promise<Outcome> {
  const provider = new ChatProvider({
    apiKey: opts.apiKey ?? 'sk-test-key-123456',
    baseUrl: server.url,
    model: opts.model ?? 'qwen2.5-coder:7b',
    historyTokens: opts.historyTokens,
    maxToolRounds: opts.maxToolRounds,
  });
  let conversation: ConversationRef | undefined;
  const events: StreamEvent[] = [];
  const before = server.requests.length;
  const run = RunStream.start(provider, {
    question: { text },
    ...opts,
    onConversation: (c) => {
      assert.equal(conversation, undefined, 'the conversation is reported once');
      conversation = c;
    },
  });
  run.on('event', (e) => {
    events.push(e);
    if (opts.stopWhen?.(e)) run.abort();
  });
  const t = await run.done();
  const requests = server.requests
    .slice(before)
    .filter((r) => r.path === '/v1/chat/completions')
    .map((r) => r.body as Json);
  return { t, events, conversation, requests };
}

const codeItems = (t: RunTranscript): CodeItem[] => t.items.filter((i): i is CodeItem => i.type === 'code');
const logsOf = (c: CodeItem): string =>
  c.outputs
    .filter((o) => o.type === 'logs')
    .map((o) => (o.type === 'logs' ? o.text : ''))
    .join('');

describe('chat provider: the local tool loop over HTTP', () => {
  it('streams the code, runs it locally, sends the real output back as the tool message, and continues', async () => {
    const py = interpreter();
    const { t, events, requests } = await ask('show me squares [scenario:chat:tutor]', { localInterpreter: py });
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    const [code] = codeItems(t);
    assert.equal(code.code, tutorCode);
    assert.equal(code.runtime, 'python');
    assert.equal(code.status, 'done');
    assert.equal(logsOf(code), 'squares: [1, 4, 9, 16, 25]\nsum: 55\n');
    assert.deepEqual(py.cells, [tutorCode]);
    // The code grew while the arguments streamed, before it ran.
    const deltas = events.filter((e) => e.kind === 'code.delta');
    assert.ok(deltas.length > 5, `code streamed in ${deltas.length} deltas`);
    const firstOutput = events.findIndex((e) => e.kind === 'code.output');
    const running = events.findIndex((e) => e.kind === 'code.status' && e.status === 'running');
    assert.ok(events.findIndex((e) => e.kind === 'code.delta') < running && running < firstOutput);
    // Request 1 offers run_python; request 2 carries the call and the real output.
    assert.equal(requests.length, 2);
    assert.deepEqual(
      requests[0].tools.map((x: Json) => x.function.name),
      ['run_python'],
    );
    assert.equal(requests[0].stream, true);
    const [system, user, assistant, tool] = requests[1].messages;
    assert.equal(system.role, 'system');
    assert.match(user.content, /show me squares/);
    assert.equal(assistant.role, 'assistant');
    assert.equal(assistant.tool_calls[0].function.name, 'run_python');
    assert.deepEqual(JSON.parse(assistant.tool_calls[0].function.arguments), { code: tutorCode });
    assert.equal(tool.role, 'tool');
    assert.equal(tool.tool_call_id, assistant.tool_calls[0].id);
    assert.match(tool.content, /sum: 55/);
    // The answer after the tool quotes what Python really printed.
    const texts = toTranscriptJson(t).items.filter((i) => i.type === 'text');
    assert.match(texts.at(-1)!.type === 'text' ? (texts.at(-1) as { text: string }).text : '', /squares: \[1, 4, 9, 16, 25\]/);
  });

  it('several rounds keep the interpreter state, and the loop is bounded', async () => {
    const py = interpreter();
    const { t, requests } = await ask('count [scenario:chat:rounds]', { localInterpreter: py });
    assert.equal(t.status, 'completed');
    assert.deepEqual(
      codeItems(t).map(logsOf),
      ['round 1\n', 'round 2\n', 'round 3 done\n'],
    );
    assert.deepEqual(py.cells, roundCodes);
    assert.equal(requests.length, 4);
    assert.equal(requests[3].messages.filter((m: Json) => m.role === 'tool').length, 3);

    const bounded = await ask('count [scenario:chat:rounds]', { localInterpreter: shared(), maxToolRounds: 2 });
    assert.equal(bounded.t.status, 'incomplete');
    assert.equal(bounded.t.reason, 'too many tool rounds');
    assert.equal(bounded.requests.length, 2);
  });

  for (const quirk of ['chat:no-index', 'chat:no-id', 'chat:whole-args']) {
    it(`${quirk}: the same code block, run, and answered`, async () => {
      const { t, requests } = await ask(`squares [scenario:${quirk}]`, { localInterpreter: shared() });
      assert.equal(t.status, 'completed', JSON.stringify(t.error));
      const [code] = codeItems(t);
      assert.equal(code.code, tutorCode);
      assert.equal(logsOf(code), 'squares: [1, 4, 9, 16, 25]\nsum: 55\n');
      // The server accepted the follow-up: the call id we sent back matches the tool message.
      assert.equal(requests.length, 2);
      const assistant = requests[1].messages.find((m: Json) => m.role === 'assistant');
      assert.equal(assistant.tool_calls[0].function.name, 'run_python');
      assert.ok(assistant.tool_calls[0].id);
    });
  }

  it('a PNG written under /mnt/data comes back as an image output', async () => {
    const { t } = await ask('plot [scenario:chat:plot]', { localInterpreter: shared() });
    const [code] = codeItems(t);
    assert.equal(code.code, plotCode);
    const image = code.outputs.find((o) => o.type === 'image');
    assert.ok(image && image.type === 'image');
    assert.deepEqual([...Buffer.from(image.base64, 'base64').subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('function tools the product has work through chat completions too', async () => {
    const selection: FunctionTool = {
      name: 'get_selection',
      description: 'the selection',
      parameters: { type: 'object', properties: {} },
      run: async () => JSON.stringify({ file: 'primes.py', text: 'def is_prime(n):' }),
    };
    const { t, requests } = await ask('explain [scenario:chat:function-call]', { tools: [selection], localInterpreter: shared() });
    assert.equal(t.status, 'completed');
    const tool = t.items.find((i) => i.type === 'tool');
    assert.ok(tool && tool.type === 'tool' && tool.name === 'get_selection' && tool.result?.includes('is_prime'));
    assert.deepEqual(
      requests[0].tools.map((x: Json) => x.function.name),
      ['run_python', 'get_selection'],
    );
    assert.match(JSON.stringify(t.items.at(-1)), /is_prime/);
  });

  it('the recorded gpt-4o tool turn and its follow-up, replayed over HTTP: the recorded call id goes back with the result', async () => {
    server.script('chat:fixture:issue-15789-step-1.chunks.txt', 'chat:fixture:issue-15789-step-2.chunks.txt');
    const weather: FunctionTool = { name: 'weather', description: 'weather', parameters: { type: 'object', properties: {} }, run: async () => 'sunny, 21 °C' };
    const { t, requests } = await ask('weather?', { tools: [weather] });
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    assert.deepEqual(
      toTranscriptJson(t).items,
      [
        { type: 'text', text: 'PRE_TOOL' },
        { type: 'text', text: 'POST_TOOL' },
      ],
    );
    const tool = t.items.find((i) => i.type === 'tool');
    assert.ok(tool && tool.type === 'tool' && tool.callId === 'call_NZa7xqfefoaMI2YYHowVXVlU' && tool.result === 'sunny, 21 °C');
    const sent = requests[1].messages;
    assert.equal(sent.at(-1).tool_call_id, 'call_NZa7xqfefoaMI2YYHowVXVlU');
    assert.equal(sent.at(-2).content, 'PRE_TOOL');
  });

  it('interpreter off: no run_python offered, no code runs', async () => {
    const { t, requests } = await ask('hi [scenario:chat:tutor]', { localInterpreter: shared(), codeInterpreter: false });
    assert.equal(t.status, 'completed');
    assert.equal(requests[0].tools, undefined);
    assert.equal(codeItems(t).length, 0);
  });
});

describe('chat provider: reasoning, notices and finish reasons', () => {
  it('DeepSeek: reasoning_content is a thinking block and goes back on the tool turn (the server refuses otherwise)', async () => {
    const { t, requests, conversation } = await ask('squares [scenario:chat:deepseek]', { localInterpreter: shared() });
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    const thinking = t.items.filter((i) => i.type === 'thinking');
    assert.equal(thinking.length, 2);
    assert.ok(t.items.every((i) => i.type !== 'text' || !i.text.includes('I should run code')));
    const sent = requests[1].messages.find((m: Json) => m.role === 'assistant');
    assert.equal(sent.reasoning_content, 'The learner asks about squares. I should run code to show them.');
    // Kept for the next question without the reasoning.
    assert.ok(conversation?.messages?.every((m) => m.role !== 'assistant' || m.reasoning_content === undefined));
  });

  it('<think> tags and a `reasoning` field become thinking, never the answer', async () => {
    for (const [scenario, thought, answer] of [
      ['chat:think', '\nThe learner wants a list.\n', 'A list holds items in order.'],
      ['chat:reasoning', 'Think about lists first.', 'Lists keep order.'],
    ]) {
      const { t } = await ask(`lists [scenario:${scenario}]`, { localInterpreter: shared() });
      assert.deepEqual(toTranscriptJson(t).items, [
        { type: 'thinking', text: thought },
        { type: 'text', text: answer },
      ]);
    }
  });

  it('a stray </think> without <think> (R1 distills whose template opened the tag): the text before it is thinking, never the answer', async () => {
    const { t, events, requests, conversation } = await ask('lists [scenario:chat:think-unopened]', { localInterpreter: shared(), model: 'deepseek-r1:7b' });
    assert.equal(requests[0].model, 'deepseek-r1:7b');
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    assert.deepEqual(toTranscriptJson(t).items, [
      { type: 'thinking', text: 'Okay, the learner asks about lists.\n' },
      { type: 'text', text: 'A list holds items in order.' },
    ]);
    // Never shown as the answer, not even for a moment: no text delta carries any of the reasoning or the tag.
    const shown = events.flatMap((e) => (e.kind === 'text.delta' ? [e.delta] : [])).join('');
    assert.equal(shown, 'A list holds items in order.');
    // And the reasoning is not sent back as what the assistant said.
    assert.deepEqual(
      conversation?.messages?.filter((m) => m.role === 'assistant').map((m) => m.content),
      ['A list holds items in order.'],
    );
  });

  it('a stray </think> at the start of the content after a `reasoning` field is dropped; a model not known to open its reasoning keeps its answer whole', async () => {
    const closeOnly = await ask('lists [scenario:chat:think-close-only]', { localInterpreter: shared(), model: 'deepseek-r1:7b' });
    assert.deepEqual(toTranscriptJson(closeOnly.t).items, [
      { type: 'thinking', text: 'Think about lists first.' },
      { type: 'text', text: 'Lists keep order.' },
    ]);
    // The safe side of the rule: the text was already the answer when `</think>` came, so it stays the answer.
    const unknown = await ask('lists [scenario:chat:think-unopened]', { localInterpreter: shared(), model: 'qwen2.5-coder:7b' });
    assert.deepEqual(toTranscriptJson(unknown.t).items, [{ type: 'text', text: 'Okay, the learner asks about lists.\n</think>\n\nA list holds items in order.' }]);
  });

  it('length and content_filter end the run incomplete, with the reason', async () => {
    const cut = await ask('x [scenario:chat:length]', { localInterpreter: shared() });
    assert.equal(cut.t.status, 'incomplete');
    assert.equal(cut.t.reason, 'max_output_tokens');
    const filtered = await ask('x [scenario:chat:content-filter]', { localInterpreter: shared() });
    assert.equal(filtered.t.status, 'incomplete');
    assert.equal(filtered.t.reason, 'content_filter');
  });

  it('a server that ignores tools (the call written as text): a notice that the model cannot run code, and the answer', async () => {
    const { t } = await ask('x [scenario:chat:ignores-tools]', { localInterpreter: shared() });
    assert.equal(t.status, 'completed');
    assert.deepEqual(
      t.items.map((i) => i.type),
      ['text', 'notice'],
    );
    assert.ok(t.items.some((i) => i.type === 'notice' && i.notice === 'noCodeTool'));
    // A normal answer without a tool call gets no notice.
    const plain = await ask('x [scenario:chat:echo]', { localInterpreter: shared() });
    assert.ok(plain.t.items.every((i) => i.type !== 'notice'));
  });

  it('a server that refuses tools (400 "does not support tools"): the notice, then the answer without tools', async () => {
    const { t, requests } = await ask('what is a loop [scenario:chat:rejects-tools]', { localInterpreter: shared() });
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    assert.equal(t.items[0].type, 'notice');
    assert.match(JSON.stringify(t.items[1]), /Without running code: what is a loop/);
    assert.equal(requests.length, 2);
    assert.ok(requests[0].tools);
    assert.equal(requests[1].tools, undefined);
  });

  it('HTTP 401 fails as auth, and the key never appears in the message', async () => {
    const { t } = await ask('x [scenario:error-401]', { apiKey: 'sk-test-key-123456' });
    assert.equal(t.status, 'failed');
    assert.equal(t.error?.kind, 'auth');
    assert.ok(!t.error?.message.includes('sk-test-key-123456'));
  });

  it('Stop while the code runs: the process is stopped, the cell and the run end stopped (not failed), what was said is kept', async () => {
    const py = interpreter();
    const { t, events, conversation } = await ask('slow [scenario:chat:slow] [delay:2]', {
      localInterpreter: py,
      stopWhen: (e) => e.kind === 'code.output' && e.output.type === 'logs' && e.output.text.includes('3'),
    });
    assert.equal(t.status, 'cancelled');
    const [code] = codeItems(t);
    assert.equal(code.status, 'stopped');
    // The cell itself reports it was stopped (the interpreter returned `cancelled`), before the run ends.
    const settled = events.filter((e) => e.kind === 'code.status' && e.id === code.id).map((e) => (e.kind === 'code.status' ? e.status : ''));
    assert.deepEqual(settled, ['running', 'stopped']);
    assert.equal(events.at(-1)?.kind, 'run.finished');
    assert.match(logsOf(code), /^0\n/);
    assert.ok(!logsOf(code).includes('99'), 'the loop did not run to its end');
    // The question and the text so far are kept; no tool call without its result.
    assert.deepEqual(
      conversation?.messages?.map((m) => m.role),
      ['user', 'assistant'],
    );
  });
});

describe('chat provider: the conversation is kept by the caller and trimmed', () => {
  it('a follow-up carries the first exchange (with its tool call and result) and the server accepts it', async () => {
    const py = interpreter();
    const first = await ask('squares [scenario:chat:tutor]', { localInterpreter: py });
    const messages = first.conversation?.messages;
    assert.ok(messages);
    assert.deepEqual(
      messages.map((m) => m.role),
      ['user', 'assistant', 'tool', 'assistant'],
    );
    const second = await ask('and now? [scenario:chat:echo]', { localInterpreter: py, conversation: first.conversation });
    assert.equal(second.t.status, 'completed');
    assert.deepEqual(toTranscriptJson(second.t).items, [{ type: 'text', text: 'user=2 assistant=2 tool=1 system=1' }]);
    assert.deepEqual(
      second.conversation?.messages?.map((m) => m.role),
      ['user', 'assistant', 'tool', 'assistant', 'user', 'assistant'],
    );
  });

  it('a small budget drops the oldest exchanges whole, and what is sent stays a valid conversation', async () => {
    const py = interpreter();
    let conversation: ConversationRef | undefined;
    for (let i = 0; i < 4; i++) conversation = (await ask(`question ${i} ${'x'.repeat(400)} [scenario:chat:tutor]`, { localInterpreter: py, conversation, historyTokens: 700 })).conversation;
    const sent = await ask('how many? [scenario:chat:echo]', { localInterpreter: py, conversation, historyTokens: 700 });
    assert.equal(sent.t.status, 'completed', JSON.stringify(sent.t.error));
    const body = sent.requests[0];
    assert.ok(estimateTokens(body.messages.slice(1)) <= 700, `sent ${estimateTokens(body.messages.slice(1))} tokens of history`);
    const users = body.messages.filter((m: Json) => m.role === 'user').length;
    assert.ok(users >= 2 && users < 5, `kept ${users} questions`);
    assert.equal(checkMessages(body.messages), undefined);
    assert.match(body.messages.at(-1).content, /how many\?/);
  });

  it('trimHistory keeps whole exchanges, newest first; forHistory drops reasoning and caps tool results', () => {
    const ex = (n: number, size: number): ChatMessage[] => [
      { role: 'user', content: `q${n}` },
      { role: 'assistant', content: null, tool_calls: [{ id: `c${n}`, type: 'function', function: { name: 'run_python', arguments: '{}' } }], reasoning_content: 'r' },
      { role: 'tool', tool_call_id: `c${n}`, content: 'o'.repeat(size) },
      { role: 'assistant', content: `a${n}` },
    ];
    const all = [...ex(1, 100), ...ex(2, 100), ...ex(3, 100)];
    const cost = estimateTokens(ex(3, 100));
    assert.deepEqual(trimHistory(all, cost * 2 + 1), [...ex(2, 100), ...ex(3, 100)]);
    assert.deepEqual(trimHistory(all, cost), ex(3, 100));
    assert.deepEqual(trimHistory(all, cost - 1), []);
    // A damaged history starting with a tool result is never sent half.
    assert.deepEqual(trimHistory(all.slice(2), 100_000), [...ex(2, 100), ...ex(3, 100)]);
    const kept = forHistory(ex(1, 20_000));
    assert.ok(kept.every((m) => m.role !== 'assistant' || m.reasoning_content === undefined));
    const tool = kept.find((m) => m.role === 'tool');
    assert.ok(tool && tool.content.length < 9_000);
  });
});
