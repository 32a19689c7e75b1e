/**
 * A Responses server that keeps no responses, like Ollama's and OpenRouter's `/v1/responses`: served under
 * `/stateless/v1`. `previous_response_id` is refused with a 400 (as such a server refuses it), nothing is stored
 * (`GET /responses/{id}` is a 404), an input item carrying a server id is refused (nothing was persisted to refer to),
 * and the conversation is checked as OpenAI checks it (every function_call_output answers a function_call before it,
 * every function_call is answered). The answer is built from the whole input only, so a test can prove what the
 * model saw: a fresh question gets a `run_python` call (when the tool is offered) printing the turn number; after the
 * outputs, a text that quotes every question and every output in the input.
 */
import { ResponseBuilder, type ResponsesPlan } from './responsesScenarios';
import { openAiError, type HttpFailure } from './wire';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function refuse(message: string, param: string | null, code: string | null = null): { failure: HttpFailure } {
  return { failure: { status: 400, body: openAiError(message, 'invalid_request_error', code, param) } };
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
}

/** The code the model runs for the n-th question. */
export function statelessCode(turn: number): string {
  return `squares = [n * n for n in range(1, ${turn + 3})]\nprint("turn ${turn} squares:", squares)\n`;
}

/** What the whole input holds, read as a model would: the questions, the calls, their outputs. */
function readInput(input: unknown): { items: Json[]; questions: string[]; outputs: string[] } | { failure: HttpFailure } {
  const items: Json[] = typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : Array.isArray(input) ? input.filter(isObject) : [];
  const questions: string[] = [];
  const outputs: string[] = [];
  const calls = new Set<string>();
  const answered = new Set<string>();
  for (const item of items) {
    const type = item.type ?? 'message';
    if (type !== 'reasoning' && typeof item.id === 'string') {
      return refuse(`Item with id '${item.id}' not found. Items are not persisted when \`store\` is set to false.`, 'input');
    }
    if (type === 'message') {
      if (item.role === 'user') questions.push(textOf(item.content));
    } else if (type === 'function_call') {
      if (typeof item.call_id !== 'string') return refuse('A function_call needs a call_id.', 'input');
      calls.add(item.call_id);
    } else if (type === 'function_call_output') {
      const id = String(item.call_id);
      if (!calls.has(id)) return refuse(`No tool call found for function call output with call_id ${id}.`, 'input');
      answered.add(id);
      outputs.push(typeof item.output === 'string' ? item.output : JSON.stringify(item.output));
    } else if (type === 'reasoning') {
      if (typeof item.encrypted_content !== 'string') return refuse('A reasoning item without encrypted_content cannot be sent with store: false.', 'input');
    } else {
      return refuse(`This server does not know input items of type '${String(type)}'.`, 'input');
    }
  }
  for (const id of calls) if (!answered.has(id)) return refuse(`No tool output found for function call ${id}.`, 'input');
  return { items, questions, outputs };
}

/** The stateless server's answer to one `POST /responses`. */
export function planStateless(body: Json): ResponsesPlan | { failure: HttpFailure } {
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    return refuse("previous_response_id is not supported: this server does not store responses ('store' must be false).", 'previous_response_id', 'unsupported_parameter');
  }
  const read = readInput(body.input);
  if ('failure' in read) return read;
  const turn = read.questions.length;
  if (turn === 0) return refuse('The input has no user message.', 'input');
  const last = read.items.at(-1);
  const offersRunPython = Array.isArray(body.tools) && body.tools.some((t) => isObject(t) && t.type === 'function' && t.name === 'run_python');
  const b = new ResponseBuilder(body).start();
  if (last?.type !== 'function_call_output' && offersRunPython) {
    b.message(`Turn ${turn}: let me run it.`).functionCall('run_python', JSON.stringify({ code: statelessCode(turn) }));
    return b.complete();
  }
  const asked = read.questions.map((q) => `«${q.trim()}»`).join(' | ');
  const printed = read.outputs.map((o) => `«${o.trim()}»`).join(' | ');
  b.message(`Turn ${turn}. You asked: ${asked}. Python printed: ${printed || 'nothing'}.`);
  return b.complete();
}
