/**
 * Issue 9's hostile server: Responses streams that carry an injection corpus through every channel a server
 * controls (text streamed token by token and final in one piece, fence info strings and bodies, code and its
 * language, logs, cited file names, function names, arguments, error messages), and failures that echo the API key
 * back. Built with the same ResponseBuilder as the other scenarios, handed to the fake server as script entries
 * (`server.script(...)`), so the server itself needs no new code.
 */
import { ResponseBuilder } from './responsesScenarios';
import type { ScriptEntry } from './scenarios';
import { openAiError, typedEvent } from './wire';

/** The code item's id is made longer than the webview→host door allows (issue 9: Insert/Copy/Save did nothing). */
export const LONG_ID_LENGTH = 320;

export interface HostileOptions {
  readonly payloads: readonly string[];
  /** Function calls to make, each named by a payload (the extension answers them as unknown tools). */
  readonly toolNames: readonly string[];
}

/** One answer holding every payload in every server-controlled channel, then the follow-up after the tool calls. */
export function hostileAnswer(opts: HostileOptions): ScriptEntry[] {
  const b = new ResponseBuilder({ model: 'gpt-5-mini', stream: true });
  const prose = opts.payloads.map((p, i) => `Payload ${i}: ${p}\n\n`).join('');
  const fences = opts.payloads.map((p, i) => `\`\`\`${p.split('\n')[0]}\nfence_${i} = 1\n\`\`\`\n\n\`\`\`python\n${p}\n\`\`\`\n\n`).join('');
  const cited = opts.payloads.slice(0, 40).map((p, i) => b.file(`${p.replace(/[\n\r]/g, ' ').slice(0, 120)}_${i}.csv`, 'text/csv', Buffer.from('a,b\n1,2\n')));
  const citeText = cited.map((f) => `[${f.filename}](sandbox:/mnt/data/${f.filename})`).join('\n\n');
  const code = opts.payloads.join('\n');
  b.start().message(prose).message(fences).codeInterpreter(code, [{ type: 'logs', logs: code }]).message(citeText, cited);
  for (const name of opts.toolNames) b.functionCall(name, JSON.stringify({ path: name }));
  const plan = b.complete();
  // Give the code item an id longer than the door allows: its Insert must still work.
  const codeId = /"(ci_[0-9a-f]+)"/.exec(plan.events.map((e) => e.data).join('\n'))?.[1];
  const longId = `ci_${'9'.repeat(LONG_ID_LENGTH - 3)}`;
  const events = plan.events.map((e) => ({ event: e.event, data: codeId ? e.data.split(codeId).join(longId) : e.data }));
  const followUp = new ResponseBuilder({ model: 'gpt-5-mini', stream: true }).start().message('Those tools do not exist. Done.').complete();
  return [
    { scenario: 'hostile', kind: 'responses', events, delayMs: 0 },
    { scenario: 'hostile:follow-up', kind: 'responses', events: followUp.events.map((e) => ({ event: e.event, data: e.data })), delayMs: 0 },
  ];
}

/** Failures that echo the key (whole, and as a 14-character masked prefix) with payloads around it. */
export function keyEchoFailures(key: string, payloads: readonly string[]): ScriptEntry[] {
  const masked = `${key.slice(0, 14)}************${key.slice(-4)}`;
  const some = payloads.slice(0, 20).join(' ');
  const created = typedEvent({ type: 'response.created', sequence_number: 0, response: { id: 'resp_echo', object: 'response', status: 'in_progress', output: [] } });
  return [
    // An HTTP 401 that quotes the key, as OpenAI's does (masked there; whole here).
    { scenario: 'echo-401', failure: { status: 401, body: openAiError(`Incorrect API key provided: ${key}. Also ${masked}. ${some}`, 'invalid_request_error', 'invalid_api_key') } },
    // A stream `error` event that quotes the key.
    {
      scenario: 'echo-stream-error',
      kind: 'responses',
      delayMs: 0,
      events: [created, typedEvent({ type: 'error', sequence_number: 1, code: 'server_error', message: `upstream rejected key ${key} (${masked}) ${some}`, param: null })],
    },
    // A failed response whose error quotes the masked key.
    {
      scenario: 'echo-failed',
      kind: 'responses',
      delayMs: 0,
      events: [
        created,
        typedEvent({
          type: 'response.failed',
          sequence_number: 1,
          response: { id: 'resp_echo', object: 'response', status: 'failed', output: [], error: { code: 'server_error', message: `key ${masked} was refused; full key ${key}; ${some}` } },
        }),
      ],
    },
  ];
}
