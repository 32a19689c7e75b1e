/**
 * Interpreter "local" on a Responses server without a hosted interpreter: run_python is offered as a function tool
 * (no code_interpreter), its `code` argument streams into a code block, the code runs for real (test-only python3),
 * and the output goes back as `function_call_output`. Real `openai` package, real HTTP, the fake server.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ResponsesProvider } from '../../src/engine/providers/responses/responsesProvider';
import { RunStream } from '../../src/engine/runStream';
import type { StreamEvent } from '../../src/shared/events';
import { tutorCode } from '../fake/chatScenarios';
import { Python3TestInterpreter } from '../fake/python3Interpreter';
import { ResponseBuilder } from '../fake/responsesScenarios';
import { type FakeServer, startFakeServer } from '../fake/server';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- request bodies, read freely

let server: FakeServer;
const py = new Python3TestInterpreter();
before(async () => {
  server = await startFakeServer({ delayMs: 1 });
});
after(async () => {
  py.dispose();
  await server.close();
});

test('Responses + interpreter local: run_python instead of code_interpreter, streamed as code, run here, output sent back', async () => {
  const plan = new ResponseBuilder({ model: 'llama3.2', tools: [] }).start().functionCall('run_python', JSON.stringify({ code: tutorCode })).complete();
  server.script({ events: plan.events.map((e) => ({ event: e.event, data: JSON.parse(e.data) })), kind: 'responses' });
  const provider = new ResponsesProvider({ apiKey: 'sk-test', baseUrl: server.url, model: 'llama3.2' });
  const events: StreamEvent[] = [];
  const run = RunStream.start(provider, { question: { text: 'squares' }, localInterpreter: py }).on('event', (e) => events.push(e));
  const t = await run.done();
  assert.equal(t.status, 'completed', JSON.stringify(t.error));
  const code = t.items.find((i) => i.type === 'code');
  assert.ok(code && code.type === 'code');
  assert.equal(code.code, tutorCode);
  assert.equal(code.runtime, 'python');
  assert.equal(code.status, 'done');
  assert.deepEqual(code.outputs, [
    { type: 'logs', text: 'squares: [1, 4, 9, 16, 25]\n' },
    { type: 'logs', text: 'sum: 55\n' },
  ]);
  assert.ok(events.filter((e) => e.kind === 'code.delta').length > 3, 'the code streamed while the arguments did');
  assert.equal(t.items.filter((i) => i.type === 'tool').length, 0, 'shown as code, not as a tool call');

  const bodies = server.requests.filter((r) => r.path === '/v1/responses').map((r) => r.body as Json);
  assert.equal(bodies.length, 2);
  assert.deepEqual(
    bodies[0].tools.map((x: Json) => x.type === 'function' ? x.name : x.type),
    ['run_python'],
  );
  assert.deepEqual(bodies[0].include, []);
  const output = bodies[1].input.find((i: Json) => i.type === 'function_call_output');
  assert.match(output.output, /sum: 55/);
  // The follow-up text quotes what Python really printed.
  assert.match(JSON.stringify(t.items.at(-1)), /squares: \[1, 4, 9, 16, 25\]/);
});
