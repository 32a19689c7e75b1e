/**
 * Assistants v2 run scenarios, in the shape of the recorded run stream
 * (`openai-assistants/…run-stream.sse.txt`: run created/queued/in_progress, steps, step deltas, message deltas,
 * run completed, `event: done` / `data: [DONE]`), in two flavours:
 *
 * - `openai`: `delta.content` is an array of parts; code_interpreter deltas carry `input` and `outputs[]`
 *   (logs, and `image` parts with a `file_id`); the message has an `image_file` part.
 * - `dashscope` (Alibaba's Assistant API): `delta.content` is ONE object, code_interpreter carries `arguments`
 *   and `output` strings, and every payload has `request_id` and `status_code`.
 */
import { randomUUID } from 'node:crypto';
import { ids, nowSeconds, quoteOf, tokenize, type WireEvent } from './wire';

type Json = Record<string, unknown>;

export type AssistantsFlavour = 'openai' | 'dashscope';

/** A file a run produced, served at /v1/files/{id}/content. */
export interface StoredFile {
  readonly id: string;
  readonly filename: string;
  readonly mime: string;
  readonly bytes: Buffer;
}

/** How a code step streams its logs and in which shape it closes (see `RunBuilder.code`). */
export interface CodeStepOptions {
  readonly final?: AssistantsFlavour | 'both';
  readonly logs?: 'lines' | 'cumulative';
}

/** A function call the run waits on (requires_action). */
export interface PendingCall {
  readonly stepId: string;
  readonly callId: string;
  readonly name: string;
  readonly arguments: string;
}

/** Token usage in the recorded shape. */
function usage(prompt: number, completion: number): Json {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_token_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

export const DONE_EVENT: WireEvent = { event: 'done', data: '[DONE]' };

/**
 * One run: its current snapshot, its steps and messages, and the events that told the story so far.
 * The server keeps the builder while a run waits for tool outputs and continues it afterwards.
 */
export class RunBuilder {
  readonly steps: Json[] = [];
  readonly messages: Json[] = [];
  readonly files: StoredFile[] = [];
  pending: PendingCall[] = [];
  private events: WireEvent[] = [];
  private readonly requestId = randomUUID();

  constructor(
    readonly run: Json,
    readonly flavour: AssistantsFlavour,
  ) {}

  get id(): string {
    return this.run.id as string;
  }

  get status(): string {
    return this.run.status as string;
  }

  /** The events produced since the last call. */
  take(): WireEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  private emit(event: string, data: Json): void {
    const payload = this.flavour === 'dashscope' ? { ...data, request_id: this.requestId, status_code: 200 } : data;
    this.events.push({ event, data: JSON.stringify(payload) });
  }

  /** Moves the run to a status and emits `thread.run.<status>`. */
  setStatus(status: string, extra: Json = {}): this {
    Object.assign(this.run, { status, ...extra });
    if (status === 'in_progress' && this.run.started_at === null) {
      this.run.started_at = nowSeconds();
    }
    if (status === 'completed') {
      Object.assign(this.run, { completed_at: nowSeconds(), expires_at: null, required_action: null });
    }
    this.emit(`thread.run.${status}`, { ...this.run });
    return this;
  }

  created(): this {
    this.emit('thread.run.created', { ...this.run });
    return this;
  }

  private step(type: 'tool_calls' | 'message_creation', details: Json): Json {
    const step: Json = {
      id: ids.step(),
      object: 'thread.run.step',
      created_at: nowSeconds(),
      run_id: this.run.id,
      assistant_id: this.run.assistant_id,
      thread_id: this.run.thread_id,
      type,
      status: 'in_progress',
      cancelled_at: null,
      completed_at: null,
      expires_at: this.run.expires_at,
      failed_at: null,
      last_error: null,
      step_details: details,
      usage: null,
    };
    this.steps.push(step);
    this.emit('thread.run.step.created', { ...step });
    this.emit('thread.run.step.in_progress', { ...step });
    return step;
  }

  private completeStep(step: Json, details: Json): void {
    Object.assign(step, {
      status: 'completed',
      completed_at: nowSeconds(),
      step_details: details,
      usage: usage(154, 62),
    });
    this.emit('thread.run.step.completed', { ...step });
  }

  private stepDelta(step: Json, toolCall: Json): void {
    this.emit('thread.run.step.delta', {
      id: step.id,
      object: 'thread.run.step.delta',
      delta: { step_details: { type: 'tool_calls', tool_calls: [toolCall] } },
    });
  }

  /** A message_creation step: the message streamed in deltas, optionally led by an image_file part. */
  message(text: string, imageFileId?: string): this {
    const id = ids.threadMessage();
    const step = this.step('message_creation', { type: 'message_creation', message_creation: { message_id: id } });
    const message: Json = {
      id,
      object: 'thread.message',
      created_at: nowSeconds(),
      assistant_id: this.run.assistant_id,
      thread_id: this.run.thread_id,
      run_id: this.run.id,
      status: 'in_progress',
      incomplete_details: null,
      incomplete_at: null,
      completed_at: null,
      role: 'assistant',
      content: [],
      attachments: [],
      metadata: {},
    };
    this.emit('thread.message.created', { ...message });
    this.emit('thread.message.in_progress', { ...message });
    const content: Json[] = [];
    let index = 0;
    if (imageFileId !== undefined && this.flavour === 'openai') {
      const part = { type: 'image_file', image_file: { file_id: imageFileId } };
      content.push(part);
      this.emit('thread.message.delta', {
        id,
        object: 'thread.message.delta',
        delta: { content: [{ index, ...part }] },
      });
      index++;
    }
    tokenize(text).forEach((value, i) => {
      const textDelta = i === 0 ? { value, annotations: [] } : { value };
      const delta =
        this.flavour === 'dashscope'
          ? { content: { type: 'text', text: { value, annotations: [] } }, role: 'assistant' }
          : { content: [{ index, type: 'text', text: textDelta }] };
      this.emit('thread.message.delta', { id, object: 'thread.message.delta', delta });
    });
    content.push({ type: 'text', text: { value: text, annotations: [] } });
    Object.assign(message, { status: 'completed', completed_at: nowSeconds(), content });
    this.messages.push(message);
    this.emit('thread.message.completed', { ...message });
    this.completeStep(step, { type: 'message_creation', message_creation: { message_id: id } });
    return this;
  }

  /**
   * A code_interpreter step: code in many deltas, then its outputs (logs, and an image in the OpenAI shape).
   * `opts.final` closes the step in the other shape than the deltas used, or in both at once (DashScope's completed
   * step can carry OpenAI's `outputs[]`); `opts.logs` streams the logs line by line, as appended pieces or (DashScope)
   * each `output` repeating the whole text so far.
   */
  code(code: string, logs: string, image?: StoredFile, opts: CodeStepOptions = {}): this {
    const step = this.step('tool_calls', { type: 'tool_calls', tool_calls: [] });
    const callId = ids.callId();
    if (image !== undefined) {
      this.files.push(image);
    }
    const lines = opts.logs === undefined ? [logs] : (logs.match(/[^\n]*\n|[^\n]+$/g) ?? [logs]);
    const openaiFinal: Json[] = [{ type: 'logs', logs }, ...(image !== undefined ? [{ type: 'image', image: { file_id: image.id } }] : [])];
    const final = opts.final ?? this.flavour;
    const finalCall: Json = {
      ...(final !== 'openai' ? { arguments: code, output: logs } : {}),
      ...(final !== 'dashscope' ? { input: code, outputs: openaiFinal } : {}),
    };
    if (this.flavour === 'dashscope') {
      this.stepDelta(step, { index: 0, id: callId, type: 'code_interpreter', code_interpreter: { arguments: '', output: '' } });
      for (const chunk of tokenize(code)) {
        this.stepDelta(step, { index: 0, type: 'code_interpreter', code_interpreter: { arguments: chunk, output: '' } });
      }
      let sofar = '';
      for (const line of lines) {
        sofar += line;
        const output = opts.logs === 'cumulative' ? sofar : line;
        this.stepDelta(step, { index: 0, type: 'code_interpreter', code_interpreter: { arguments: '', output } });
      }
      this.completeStep(step, { type: 'tool_calls', tool_calls: [{ id: callId, type: 'code_interpreter', code_interpreter: finalCall }] });
      return this;
    }
    this.stepDelta(step, { index: 0, id: callId, type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } });
    for (const chunk of tokenize(code)) {
      this.stepDelta(step, { index: 0, type: 'code_interpreter', code_interpreter: { input: chunk } });
    }
    for (const line of lines) {
      this.stepDelta(step, {
        index: 0,
        type: 'code_interpreter',
        code_interpreter: { outputs: [{ index: 0, type: 'logs', logs: line }] },
      });
    }
    if (image !== undefined) {
      this.stepDelta(step, {
        index: 0,
        type: 'code_interpreter',
        code_interpreter: { outputs: [{ index: 1, type: 'image', image: { file_id: image.id } }] },
      });
    }
    this.completeStep(step, { type: 'tool_calls', tool_calls: [{ id: callId, type: 'code_interpreter', code_interpreter: finalCall }] });
    return this;
  }

  /** A function tool call; the run then waits in `requires_action` (the stream ends there). */
  functionCall(name: string, args: string): this {
    const step = this.step('tool_calls', { type: 'tool_calls', tool_calls: [] });
    const callId = ids.callId();
    this.stepDelta(step, { index: 0, id: callId, type: 'function', function: { name, arguments: '', output: null } });
    for (const chunk of tokenize(args)) {
      this.stepDelta(step, { index: 0, type: 'function', function: { arguments: chunk } });
    }
    this.pending = [{ stepId: step.id as string, callId, name, arguments: args }];
    this.setStatus('requires_action', {
      required_action: {
        type: 'submit_tool_outputs',
        submit_tool_outputs: {
          tool_calls: [{ id: callId, type: 'function', function: { name, arguments: args } }],
        },
      },
    });
    return this;
  }

  /** Resolves the pending calls with the submitted outputs and completes their step. */
  resolve(outputs: readonly { readonly tool_call_id: string; readonly output: string }[]): void {
    const byStep = new Map<string, PendingCall[]>();
    for (const p of this.pending) {
      byStep.set(p.stepId, [...(byStep.get(p.stepId) ?? []), p]);
    }
    for (const [stepId, calls] of byStep) {
      const step = this.steps.find((s) => s.id === stepId);
      if (step === undefined) {
        continue;
      }
      this.completeStep(step, {
        type: 'tool_calls',
        tool_calls: calls.map((c) => ({
          id: c.callId,
          type: 'function',
          function: {
            name: c.name,
            arguments: c.arguments,
            output: outputs.find((o) => o.tool_call_id === c.callId)?.output ?? null,
          },
        })),
      });
    }
    this.pending = [];
  }

  complete(): this {
    this.setStatus('completed', {
      usage: usage(381, 89),
    });
    return this;
  }
}

/** A fresh run object in the recorded shape. */
export function newRun(fields: {
  threadId: string;
  assistant: Json;
  body: Json;
}): Json {
  const { assistant, body } = fields;
  const created = nowSeconds();
  const instructions =
    typeof body.instructions === 'string'
      ? body.instructions
      : `${typeof assistant.instructions === 'string' ? assistant.instructions : ''}${
          typeof body.additional_instructions === 'string' ? `\n${body.additional_instructions}` : ''
        }`;
  return {
    id: ids.run(),
    object: 'thread.run',
    created_at: created,
    assistant_id: assistant.id,
    thread_id: fields.threadId,
    status: 'queued',
    started_at: null,
    expires_at: created + 600,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    required_action: null,
    last_error: null,
    model: typeof body.model === 'string' ? body.model : assistant.model,
    instructions,
    tools: Array.isArray(body.tools) ? body.tools : assistant.tools,
    tool_resources: { code_interpreter: { file_ids: [] } },
    metadata: body.metadata ?? {},
    temperature: 1,
    top_p: 1,
    reasoning_effort: null,
    max_completion_tokens: null,
    max_prompt_tokens: null,
    truncation_strategy: { type: 'auto', last_messages: null },
    incomplete_details: null,
    usage: null,
    response_format: 'auto',
    tool_choice: 'auto',
    parallel_tool_calls: true,
  };
}

export const ASSISTANT_TUTOR_CODE = `import math

values = [math.sqrt(n) for n in range(1, 6)]
for n, root in zip(range(1, 6), values):
    print(f"sqrt({n}) = {root:.3f}")
`;

export const ASSISTANT_TUTOR_LOGS =
  'sqrt(1) = 1.000\nsqrt(2) = 1.414\nsqrt(3) = 1.732\nsqrt(4) = 2.000\nsqrt(5) = 2.236\n';

/** Intro text, code with logs (and an image in the OpenAI shape), then an explanation. Ends completed. */
export function runTutor(b: RunBuilder, question: string, image: StoredFile | undefined, long = false, code?: CodeStepOptions): void {
  b.setStatus('in_progress');
  b.message(`You asked: “${quoteOf(question || 'a question')}”. Let me try it in Python.`);
  // An image is in the OpenAI shape only: it reaches a DashScope run through a final step in the OpenAI shape.
  b.code(ASSISTANT_TUTOR_CODE, ASSISTANT_TUTOR_LOGS, b.flavour === 'openai' || (code?.final ?? 'dashscope') !== 'dashscope' ? image : undefined, code);
  const more = long
    ? ' A list comprehension builds the list in one line; zip pairs each n with its root; the :.3f format ' +
      'keeps three decimals so the columns line up. Change range(1, 6) to try more numbers.'
    : '';
  b.message(
    `The square roots grow more slowly than the numbers themselves: sqrt(4) is exactly 2.${more}` +
      (b.flavour === 'openai' && image !== undefined ? ' The chart above shows the same idea.' : ''),
    b.flavour === 'openai' ? image?.id : undefined,
  );
  b.complete();
}

/** Starts a function call to `get_selection` and stops in requires_action. */
export function runRequiresAction(b: RunBuilder): void {
  b.setStatus('in_progress');
  b.functionCall('get_selection', '{}');
}

/** After submit_tool_outputs: the run continues and answers quoting the tool output. */
export function continueAfterTools(
  b: RunBuilder,
  outputs: readonly { readonly tool_call_id: string; readonly output: string }[],
): void {
  b.setStatus('queued', { required_action: null });
  b.setStatus('in_progress');
  b.resolve(outputs);
  const text = outputs.map((o) => o.output).join('\n');
  b.message(`Thanks, I read your selection: “${quoteOf(text, 80)}”. Let me walk through it line by line.`);
  b.complete();
}
