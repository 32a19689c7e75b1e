/**
 * Chat Completions for the fake server: `POST /v1/chat/completions` with `stream: true`, chunks in the shape of the
 * recorded gpt-4o streams (test/fixtures/recorded/openai-chat: `chat.completion.chunk`, `service_tier`,
 * `system_fingerprint`, `logprobs: null`, `obfuscation`, a usage chunk with `choices: []`, `data: [DONE]`), and
 * every quirk local and hosted servers are known for, one scenario each.
 *
 * Stateless like the real API: each request carries the conversation, and a scenario answers from it — a fresh
 * question gets a tool call, a request whose last message is a tool result gets the text that follows. The server
 * checks the conversation as OpenAI does (a tool message must answer a preceding tool call; every tool call must be
 * answered), so a client that drops or reorders history gets the real 400.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fixturesDir } from './fixtures';
import { alnum, nowSeconds, obfuscation, openAiError, quoteOf, tokenize, type HttpFailure, type WireEvent } from './wire';

type Json = Record<string, unknown>;

/** A chat scenario's answer to one request: events to stream, or an HTTP failure. */
export type ChatPlan = { readonly events: WireEvent[]; readonly delayMs?: number } | { readonly failure: HttpFailure };

export interface ChatScenarioInfo {
  readonly name: string;
  readonly description: string;
  readonly delayMs?: number;
}

export const CHAT_SCENARIOS: readonly ChatScenarioInfo[] = [
  { name: 'chat:tutor', description: 'default for chat: text, a run_python call streamed in small pieces, then text quoting the tool output' },
  { name: 'chat:rounds', description: 'three run_python rounds (state kept between them), then text quoting the last output' },
  { name: 'chat:no-index', description: 'tool-call deltas without `index` (the id only on the first)' },
  { name: 'chat:no-id', description: 'tool-call deltas without `id`; later chunks carry an empty `name`' },
  { name: 'chat:whole-args', description: 'the whole arguments string in one chunk' },
  { name: 'chat:deepseek', description: 'reasoning_content deltas; the follow-up is refused (400) unless the tool turn carries reasoning_content back' },
  { name: 'chat:think', description: '<think>…</think> at the start of the content, split across chunks' },
  {
    name: 'chat:think-unopened',
    description: 'reasoning at the start of the content with no <think>, ended by a </think> split across chunks, then the answer (an R1 distill whose template opened the tag)',
  },
  { name: 'chat:think-close-only', description: 'a `reasoning` field, then content that starts with a stray </think> before the answer' },
  { name: 'chat:reasoning', description: 'a `reasoning` field (OpenRouter/Ollama style), then the answer' },
  { name: 'chat:length', description: 'text, then finish_reason length' },
  { name: 'chat:content-filter', description: 'text, then finish_reason content_filter' },
  { name: 'chat:ignores-tools', description: 'tools ignored: the model writes its tool call into the text, finish stop' },
  { name: 'chat:rejects-tools', description: 'HTTP 400 "does not support tools" when `tools` is sent; plain text without' },
  { name: 'chat:function-call', description: 'a get_selection function call, then text quoting its result' },
  { name: 'chat:plot', description: 'run_python writing a PNG under /mnt/data with pure Python, then text' },
  { name: 'chat:slow', description: 'chat:tutor with a long text and 250 ms between chunks (Stop tests)', delayMs: 250 },
  { name: 'chat:echo', description: 'text only: how many user/assistant/tool messages the request carried' },
  { name: 'chat:remember', description: 'run_python setting `x = 41` (state for a later question), then text' },
  { name: 'chat:recall', description: 'run_python printing `x + 1` (needs the state an earlier question left), then text' },
  { name: 'chat:mpl', description: 'run_python drawing a matplotlib line chart and calling plt.show() (needs real matplotlib: the learner\'s own Python)' },
  { name: 'chat:forever', description: 'run_python with `while True: pass` (a runaway cell for Stop and time-limit tests)' },
  ...chatFixtureNames().map((f) => ({ name: `chat:fixture:${f}`, description: `replays openai-chat/${f} verbatim` })),
];

/** The recorded chat streams (file names) in test/fixtures/recorded/openai-chat. */
export function chatFixtureNames(): string[] {
  try {
    return readdirSync(path.join(fixturesDir(), 'openai-chat'))
      .filter((f) => f.endsWith('.chunks.txt') || f.endsWith('.sse.txt'))
      .sort();
  } catch {
    return [];
  }
}

/** A recorded chat stream as SSE events: `.sse.txt` data lines as they are, `.chunks.txt` one line per event, then [DONE]. */
export function chatFixtureEvents(name: string): WireEvent[] {
  const text = readFileSync(path.join(fixturesDir(), 'openai-chat', name), 'utf8');
  if (name.endsWith('.sse.txt')) {
    return text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => ({ data: l.slice('data: '.length) }));
  }
  return [...text.split('\n').filter((l) => l.trim() !== '').map((data) => ({ data })), { data: '[DONE]' }];
}

function asObject(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof asObject(p).text === 'string' ? String(asObject(p).text) : '')).join('');
  return '';
}

function badRequest(message: string, param: string | null = 'messages'): HttpFailure {
  return { status: 400, body: openAiError(message, 'invalid_request_error', null, param) };
}

/** The checks OpenAI makes on a conversation; undefined when it is valid. */
export function checkMessages(messages: readonly Json[]): HttpFailure | undefined {
  if (messages.length === 0) return badRequest("Invalid 'messages': empty array. Expected an array with minimum length 1.");
  let open: Set<string> | undefined;
  for (const [i, m] of messages.entries()) {
    const role = m.role;
    if (role === 'tool') {
      const id = String(m.tool_call_id ?? '');
      if (!open?.has(id)) {
        return badRequest(`Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`, `messages.[${i}].role`);
      }
      open.delete(id);
      continue;
    }
    if (open && open.size > 0) {
      return badRequest(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`,
        `messages.[${i}].role`,
      );
    }
    open = undefined;
    if (role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
      open = new Set(m.tool_calls.map((c) => String(asObject(c).id)));
    } else if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'developer') {
      return badRequest(`Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'tool', and 'developer'.`, `messages[${i}].role`);
    }
  }
  if (open && open.size > 0) {
    return badRequest(`An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`);
  }
  return undefined;
}

/** What a scenario sees of a request. */
export interface ChatContext {
  readonly body: Json;
  readonly messages: readonly Json[];
  /** The latest user message, markers removed. */
  readonly question: string;
  /** How many user messages the request carries (1 for a fresh conversation). */
  readonly userTurns: number;
  /** Tool results after the latest user message, in order. */
  readonly toolResults: readonly string[];
  /** Whether the request offered tools (and which). */
  readonly toolNames: readonly string[];
}

export function chatContext(body: Json, cleanedQuestion: string): ChatContext {
  const messages = (Array.isArray(body.messages) ? body.messages : []).map(asObject);
  const lastUser = messages.map((m) => m.role).lastIndexOf('user');
  return {
    body,
    messages,
    question: cleanedQuestion,
    userTurns: messages.filter((m) => m.role === 'user').length,
    toolResults: messages.slice(lastUser + 1).filter((m) => m.role === 'tool').map((m) => contentText(m.content)),
    toolNames: (Array.isArray(body.tools) ? body.tools : []).map((t) => String(asObject(asObject(t).function).name)),
  };
}

/** The latest user message's text (where the `[scenario:…]` marker is). */
export function lastUserText(body: Json): string {
  const messages = (Array.isArray(body.messages) ? body.messages : []).map(asObject);
  const last = [...messages].reverse().find((m) => m.role === 'user');
  return last ? contentText(last.content) : '';
}

/** Builds one completion's chunks in the recorded shape. */
class ChunkBuilder {
  readonly id = `chatcmpl-${alnum(29)}`;
  readonly events: WireEvent[] = [];
  private readonly created = nowSeconds();
  private tokens = 0;

  constructor(private readonly model: string) {}

  chunk(delta: Json, finish: string | null = null, extra: Json = {}): this {
    const text = typeof delta.content === 'string' ? delta.content : '';
    this.tokens++;
    this.events.push({
      data: JSON.stringify({
        id: this.id,
        object: 'chat.completion.chunk',
        created: this.created,
        model: this.model,
        service_tier: 'default',
        system_fingerprint: 'fp_fake0chat',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        obfuscation: obfuscation(text),
        ...extra,
      }),
    });
    return this;
  }

  /** The opening chunk (`role`, empty content, `refusal: null`), as OpenAI sends it. */
  open(): this {
    return this.chunk({ role: 'assistant', content: '', refusal: null });
  }

  text(text: string): this {
    for (const piece of tokenize(text)) this.chunk({ content: piece });
    return this;
  }

  /** Usage with `choices: []`, then `[DONE]`. */
  close(finish: string): WireEvent[] {
    this.chunk({}, finish);
    this.events.push({
      data: JSON.stringify({
        id: this.id,
        object: 'chat.completion.chunk',
        created: this.created,
        model: this.model,
        service_tier: 'default',
        system_fingerprint: 'fp_fake0chat',
        choices: [],
        usage: { prompt_tokens: 100, completion_tokens: this.tokens, total_tokens: 100 + this.tokens },
        obfuscation: '',
      }),
    });
    this.events.push({ data: '[DONE]' });
    return this.events;
  }
}

interface CallShape {
  /** Leave out `index` on every delta. */
  readonly noIndex?: boolean;
  /** Leave out `id` on every delta; later deltas carry `name: ""`. */
  readonly noId?: boolean;
  /** All arguments in the first chunk. */
  readonly whole?: boolean;
  readonly index?: number;
}

/** A function call streamed as OpenAI does: id/type/name with `arguments: ""`, then the arguments in pieces. */
function streamCall(b: ChunkBuilder, name: string, args: string, shape: CallShape = {}): void {
  const index = shape.index ?? 0;
  const head: Json = { ...(shape.noIndex ? {} : { index }), ...(shape.noId ? {} : { id: `call_${alnum(24)}` }), type: 'function', function: { name, arguments: shape.whole ? args : '' } };
  b.chunk({ tool_calls: [head] });
  if (shape.whole) return;
  for (let i = 0; i < args.length; i += 7) {
    const piece = args.slice(i, i + 7);
    const fn: Json = shape.noId ? { name: '', arguments: piece } : { arguments: piece };
    b.chunk({ tool_calls: [{ ...(shape.noIndex ? {} : { index }), ...(shape.noId ? { type: 'function' } : {}), function: fn }] });
  }
}

export const tutorCode = ['squares = [n * n for n in range(1, 6)]', 'print("squares:", squares)', 'print("sum:", sum(squares))', ''].join('\n');
export const roundCodes = ['counter = 1\nprint("round", counter)\n', 'counter += 1\nprint("round", counter)\n', 'counter += 1\nprint("round", counter, "done")\n'];
/** Writes a real 2×2 PNG under /mnt/data with zlib and struct only (no matplotlib needed). */
export const plotCode = [
  'import struct, zlib, os',
  'os.makedirs("/mnt/data", exist_ok=True)',
  'def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)',
  'raw = b"".join(b"\\x00" + bytes([255, 0, 0] * 2) for _ in range(2))',
  'png = b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")',
  'open("/mnt/data/red.png", "wb").write(png)',
  'print("wrote", len(png), "bytes")',
  '',
].join('\n');

/** Two cells of one notebook: the first leaves `x` in the namespace, the second reads it. */
export const rememberCode = 'x = 41\nprint("x is set to", x)\n';
export const recallCode = 'print("x + 1 =", x + 1)\n';
/** A real matplotlib plot: only the learner's own Python (with python3-matplotlib) can run it. */
export const mplCode = [
  'import matplotlib.pyplot as plt',
  'xs = list(range(1, 8))',
  'plt.plot(xs, [x * x for x in xs], marker="o")',
  'plt.title("squares")',
  'plt.show()',
  'print("plotted", len(xs), "points")',
  '',
].join('\n');
export const foreverCode = 'print("looping…", flush=True)\nwhile True:\n    pass\n';

function answerAfterTool(b: ChunkBuilder, ctx: ChatContext): WireEvent[] {
  const last = ctx.toolResults.at(-1) ?? '';
  return b.open().text(`The interpreter printed: ${quoteOf(last, 200)}. Do you see why?`).close('stop');
}

/** Plans the answer of one chat scenario (the name without a queued override). */
export function planChat(name: string, ctx: ChatContext): ChatPlan {
  const model = typeof ctx.body.model === 'string' ? ctx.body.model : 'gpt-4o-2024-08-06';
  const b = new ChunkBuilder(model);
  const afterTool = ctx.toolResults.length > 0;
  const hasRunPython = ctx.toolNames.includes('run_python');
  const codeTurn = (code: string, shape: CallShape = {}, intro = `Let's try it (turn ${ctx.userTurns}): ${quoteOf(ctx.question)}.`): WireEvent[] => {
    b.open().text(intro);
    streamCall(b, 'run_python', JSON.stringify({ code }), shape);
    return b.close('tool_calls');
  };
  if (name.startsWith('chat:fixture:')) return { events: chatFixtureEvents(name.slice('chat:fixture:'.length)) };
  switch (name) {
    case 'chat:tutor':
    case 'chat:slow':
      if (!hasRunPython) return { events: b.open().text(`No interpreter here (turn ${ctx.userTurns}): ${quoteOf(ctx.question)}.`).close('stop') };
      if (afterTool) return { events: name === 'chat:slow' ? b.open().text(`${'Long explanation. '.repeat(40)}Done.`).close('stop') : answerAfterTool(b, ctx) };
      return { events: codeTurn(name === 'chat:slow' ? 'import time\nfor i in range(100):\n    print(i)\n    time.sleep(0.05)\n' : tutorCode) };
    case 'chat:rounds':
      if (ctx.toolResults.length < roundCodes.length) {
        b.open().text(ctx.toolResults.length === 0 ? 'Step by step.' : '');
        streamCall(b, 'run_python', JSON.stringify({ code: roundCodes[ctx.toolResults.length] }));
        return { events: b.close('tool_calls') };
      }
      return { events: answerAfterTool(b, ctx) };
    case 'chat:no-index':
      return { events: afterTool ? answerAfterTool(b, ctx) : codeTurn(tutorCode, { noIndex: true }) };
    case 'chat:no-id':
      return { events: afterTool ? answerAfterTool(b, ctx) : codeTurn(tutorCode, { noId: true }) };
    case 'chat:whole-args':
      return { events: afterTool ? answerAfterTool(b, ctx) : codeTurn(tutorCode, { whole: true }) };
    case 'chat:deepseek': {
      if (afterTool) {
        const assistant = ctx.messages.filter((m) => m.role === 'assistant' && Array.isArray(m.tool_calls)).at(-1);
        if (!assistant || typeof assistant.reasoning_content !== 'string' || assistant.reasoning_content === '') {
          // DeepSeek's thinking mode with tools: the tool turn's reasoning must come back.
          return { failure: badRequest('Missing `reasoning_content` field in the assistant message at message index 2. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls', null) };
        }
        b.chunk({ role: 'assistant', content: null, reasoning_content: '' });
        for (const piece of tokenize('The output is in; now explain it.')) b.chunk({ content: null, reasoning_content: piece });
        return { events: [...b.text(`Result: ${quoteOf(ctx.toolResults.at(-1) ?? '', 200)}`).close('stop')] };
      }
      b.chunk({ role: 'assistant', content: null, reasoning_content: '' });
      for (const piece of tokenize('The learner asks about squares. I should run code to show them.')) b.chunk({ content: null, reasoning_content: piece });
      streamCall(b, 'run_python', JSON.stringify({ code: tutorCode }));
      return { events: b.close('tool_calls') };
    }
    case 'chat:think':
      b.open();
      for (const piece of ['<th', 'ink>\nThe learner', ' wants a list.\n</thi', 'nk>\n\n', 'A list holds ', 'items in order.']) b.chunk({ content: piece });
      return { events: b.close('stop') };
    case 'chat:think-unopened':
      b.open();
      for (const piece of ['Okay, the learner', ' asks about lists.\n', '</th', 'ink>\n', '\nA list holds ', 'items in order.']) b.chunk({ content: piece });
      return { events: b.close('stop') };
    case 'chat:think-close-only':
      b.open();
      for (const piece of tokenize('Think about lists first.')) b.chunk({ content: '', reasoning: piece });
      for (const piece of ['\n</think', '>\n\n', 'Lists keep order.']) b.chunk({ content: piece });
      return { events: b.close('stop') };
    case 'chat:reasoning':
      b.open();
      for (const piece of tokenize('Think about lists first.')) b.chunk({ content: '', reasoning: piece });
      return { events: b.text('Lists keep order.').close('stop') };
    case 'chat:length':
      return { events: b.open().text('This answer is cut off in the mid').close('length') };
    case 'chat:content-filter':
      return { events: b.open().text('I can').close('content_filter') };
    case 'chat:ignores-tools':
      return { events: b.open().text(`Let me run it.\n<tool_call>\n{"name": "run_python", "arguments": {"code": "print(1)"}}\n</tool_call>`).close('stop') };
    case 'chat:rejects-tools':
      if (Array.isArray(ctx.body.tools) && ctx.body.tools.length > 0) {
        return { failure: { status: 400, body: { error: { message: `registry.ollama.ai/library/${model} does not support tools`, type: 'api_error', param: null, code: null } } } };
      }
      return { events: b.open().text(`Without running code: ${quoteOf(ctx.question)}.`).close('stop') };
    case 'chat:function-call':
      if (afterTool) return { events: b.open().text(`Your selection: ${quoteOf(ctx.toolResults.at(-1) ?? '', 200)}`).close('stop') };
      b.open();
      streamCall(b, 'get_selection', '{}');
      return { events: b.close('tool_calls') };
    case 'chat:plot':
      return { events: afterTool ? answerAfterTool(b, ctx) : codeTurn(plotCode) };
    case 'chat:remember':
      return { events: afterTool ? answerAfterTool(b, ctx) : codeTurn(rememberCode) };
    case 'chat:recall':
      return { events: afterTool ? answerAfterTool(b, ctx) : codeTurn(recallCode) };
    case 'chat:mpl':
      return { events: afterTool ? answerAfterTool(b, ctx) : codeTurn(mplCode) };
    case 'chat:forever':
      return { events: afterTool ? answerAfterTool(b, ctx) : codeTurn(foreverCode) };
    case 'chat:echo': {
      const count = (role: string) => ctx.messages.filter((m) => m.role === role).length;
      return { events: b.open().text(`user=${count('user')} assistant=${count('assistant')} tool=${count('tool')} system=${count('system')}`).close('stop') };
    }
    default:
      return { failure: badRequest(`fake server: unknown chat scenario "${name}"`, null) };
  }
}

/** `GET /v1/models`, as OpenAI lists them. */
export function modelList(): Json {
  const created = 1_700_000_000;
  return {
    object: 'list',
    data: ['gpt-4o-2024-08-06', 'qwen2.5-coder:7b', 'llama3.2:3b'].map((id) => ({ id, object: 'model', created, owned_by: 'fake' })),
  };
}
