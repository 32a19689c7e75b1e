/**
 * Mode and course rules reach every request's instructions, for each protocol, over real HTTP to the fake server:
 * Responses (`instructions`, also on a follow-up; DashScope's system message), Assistants (the run's
 * `instructions`, thread-and-run and a run on an existing thread). The guard's placeholder arrives through both.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createProvider } from '../../src/engine/createProvider';
import { RunStream } from '../../src/engine/runStream';
import { parseCourseRules } from '../../src/tutor/courseRules';
import { guardedProvider, tutorRequest } from '../../src/tutor/tutorRun';
import { type FakeServer, startFakeServer } from '../fake/server';
import { SOLUTION_CODE } from '../fake/tutorScenarios';

let server: FakeServer;
before(async () => {
  server = await startFakeServer({ port: 0, delayMs: 0 });
});
after(() => server?.close());

const parsed = parseCourseRules(JSON.stringify({ course: 'CS101', level: 'beginner', avoid: ['list comprehension'], context: 'Assignment 3: write is_prime(n).', interpreter: true }));
assert.ok(parsed.ok);
const tutor = { mode: 'hint' as const, rules: parsed.rules };

function expectRules(instructions: unknown, where: string): void {
  assert.equal(typeof instructions, 'string', `${where}: instructions sent`);
  const s = instructions as string;
  for (const re of [/Mode: HINT/, /Course: CS101/, /Learner level: beginner/, /"list comprehension"/, /Assignment 3: write is_prime\(n\)\./]) assert.match(s, re, where);
}

async function ask(protocol: 'responses' | 'assistants', question: string, conversation = {}, extra: { baseUrl?: string; instructionsAsMessage?: boolean } = {}) {
  const provider = createProvider({ protocol, apiKey: 'sk-test', baseUrl: extra.baseUrl ?? server.url, model: 'gpt-5-mini', instructionsAsMessage: extra.instructionsAsMessage, pollIntervalMs: 10 });
  const run = RunStream.start(guardedProvider(provider, tutor).provider, tutorRequest({ question: { text: question }, conversation }, tutor));
  return run.done();
}

test('Responses: the instructions carry mode and rules on the first request and on a follow-up', async () => {
  server.reset();
  const first = await ask('responses', '[scenario:solution] solve it');
  assert.equal(first.status, 'completed');
  assert.deepEqual(first.items.map((i) => i.type), ['text', 'withheld', 'text', 'code', 'text']);
  assert.ok(!JSON.stringify(first.items).includes('divisor_to_try'), 'no solution line in the transcript');
  const second = await ask('responses', 'and why?', { responseId: first.responseId });
  assert.equal(second.status, 'completed');
  const posts = server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/responses'));
  assert.equal(posts.length, 2);
  expectRules((posts[0].body as { instructions?: unknown }).instructions, 'first');
  expectRules((posts[1].body as { instructions?: unknown }).instructions, 'follow-up');
  assert.equal((posts[1].body as { previous_response_id?: string }).previous_response_id, first.responseId);
});

test('Responses as DashScope (instructions as a system message): the rules are in the system message', async () => {
  server.reset();
  const t = await ask('responses', 'hello', {}, { instructionsAsMessage: true });
  assert.equal(t.status, 'completed');
  const body = server.requests.find((r) => r.path.endsWith('/responses'))!.body as { input: Array<{ role: string; content: string }>; instructions?: string };
  assert.equal(body.instructions, undefined);
  assert.equal(body.input[0].role, 'system');
  expectRules(body.input[0].content, 'system message');
});

test('Assistants: the run carries the instructions, on a new thread and on a continued one', async () => {
  server.reset();
  const first = await ask('assistants', '[scenario:solution] solve it');
  assert.equal(first.status, 'completed', JSON.stringify(first.error));
  assert.ok(first.items.some((i) => i.type === 'withheld'), 'the text block is withheld');
  const code = first.items.find((i) => i.type === 'code');
  assert.ok(code?.type === 'code' && code.withheld?.lines === 15 && code.code === '', 'the interpreter code is folded');
  assert.ok(!JSON.stringify(first.items).includes(SOLUTION_CODE.split('\n')[8].trim()));
  const second = await ask('assistants', 'and why?', { threadId: first.threadId, assistantId: first.assistantId });
  assert.equal(second.status, 'completed', JSON.stringify(second.error));
  const runs = server.requests.filter((r) => r.method === 'POST' && /\/threads(\/[^/]+)?\/runs$/.test(r.path));
  assert.equal(runs.length, 2, runs.map((r) => r.path).join());
  expectRules((runs[0].body as { instructions?: unknown }).instructions, 'thread and run');
  expectRules((runs[1].body as { instructions?: unknown }).instructions, 'run on the thread');
});
