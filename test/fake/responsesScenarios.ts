/**
 * Responses API scenarios, built event by event in the shape of the real recording
 * `openai-responses/openai-code-interpreter-tool.1.chunks.txt`: the same event types, field order,
 * gap-free `sequence_number`, `output_index`, item ids (`rs_`, `msg_`, `ci_`, `fc_`), `obfuscation` on every delta,
 * outputs only in `output_item.done` and `response.completed`, a `container_file_citation` after the last text delta.
 */
import { makeChartPng } from './png';
import { ids, nowSeconds, obfuscation, quoteOf, tokenize, typedEvent, type WireEvent } from './wire';

type Json = Record<string, unknown>;

/** A file a scenario's code "wrote" into its container; served at /v1/containers/{c}/files/{f}/content. */
export interface ContainerFile {
  readonly containerId: string;
  readonly fileId: string;
  readonly filename: string;
  readonly mime: string;
  readonly bytes: Buffer;
}

/** What a Responses scenario sees of the request. */
export interface ResponsesContext {
  readonly body: Json;
  /** The learner's latest question, with any `[scenario:…]` marker removed. */
  readonly question: string;
  /** 1 for a fresh conversation, n for the n-th response of a `previous_response_id` chain. */
  readonly turn: number;
  /** `function_call_output` items of the request (the answer to a `function-call` scenario). */
  readonly toolOutputs: readonly { readonly call_id: string; readonly output: string }[];
}

/** What a scenario produced: the SSE events, the final Response (for stream:false and storage), its files. */
export interface ResponsesPlan {
  readonly events: WireEvent[];
  readonly response: Json | undefined;
  readonly files: ContainerFile[];
}

type Annotation = Json & { readonly type: string };

/** Builds one response's stream and its final Response object together, so they always agree. */
export class ResponseBuilder {
  readonly id = ids.response();
  readonly containerId = ids.container();
  readonly events: WireEvent[] = [];
  readonly output: Json[] = [];
  readonly files: ContainerFile[] = [];
  private seq = 0;
  private readonly createdAt = nowSeconds();
  private outputTokens = 0;

  /** @param quiet only `response.created`, `response.in_progress` and `response.completed` are emitted. */
  constructor(
    private readonly body: Json,
    private readonly quiet = false,
  ) {}

  /** The Response object as the API returns it, with the request's own settings echoed. */
  snapshot(status: string, extra: Json = {}): Json {
    const b = this.body;
    return {
      id: this.id,
      object: 'response',
      created_at: this.createdAt,
      status,
      background: false,
      error: null,
      incomplete_details: null,
      instructions: b.instructions ?? null,
      max_output_tokens: b.max_output_tokens ?? null,
      max_tool_calls: null,
      model: typeof b.model === 'string' ? b.model : 'gpt-5-nano-2025-08-07',
      output: status === 'in_progress' ? [] : this.output,
      parallel_tool_calls: true,
      previous_response_id: b.previous_response_id ?? null,
      prompt_cache_key: null,
      reasoning: { effort: 'medium', summary: null },
      safety_identifier: null,
      service_tier: status === 'in_progress' ? 'auto' : 'default',
      store: b.store ?? true,
      temperature: 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: b.tool_choice ?? 'auto',
      tools: Array.isArray(b.tools) ? b.tools : [],
      top_logprobs: 0,
      top_p: 1,
      truncation: 'disabled',
      usage: null,
      user: null,
      metadata: b.metadata ?? {},
      ...extra,
    };
  }

  private emit(type: string, fields: Json, always = false): void {
    if (this.quiet && !always) {
      return;
    }
    this.events.push(typedEvent({ type, sequence_number: this.seq++, ...fields }));
  }

  start(): this {
    this.emit('response.created', { response: this.snapshot('in_progress') }, true);
    this.emit('response.in_progress', { response: this.snapshot('in_progress') }, true);
    return this;
  }

  reasoning(): this {
    const index = this.output.length;
    const item = { id: ids.reasoning(), type: 'reasoning', summary: [] };
    this.output.push(item);
    this.emit('response.output_item.added', { output_index: index, item });
    this.emit('response.output_item.done', { output_index: index, item });
    this.outputTokens += 64;
    return this;
  }

  /**
   * An assistant message streamed in token-sized deltas. `cite` names files to cite: each becomes a
   * `container_file_citation` whose indices slice `sandbox:/mnt/data/<filename>` out of the final text.
   */
  message(text: string, cite: readonly ContainerFile[] = []): this {
    const index = this.output.length;
    const id = ids.message();
    const annotations: Annotation[] = [];
    for (const file of cite) {
      const target = `sandbox:/mnt/data/${file.filename}`;
      const start = text.indexOf(target);
      if (start >= 0) {
        annotations.push({
          type: 'container_file_citation',
          container_id: file.containerId,
          end_index: start + target.length,
          file_id: file.fileId,
          filename: file.filename,
          start_index: start,
        });
      }
    }
    this.emit('response.output_item.added', {
      output_index: index,
      item: { id, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
    });
    const emptyPart = { type: 'output_text', annotations: [], logprobs: [], text: '' };
    this.emit('response.content_part.added', { item_id: id, output_index: index, content_index: 0, part: emptyPart });
    for (const delta of tokenize(text)) {
      this.emit('response.output_text.delta', {
        item_id: id,
        output_index: index,
        content_index: 0,
        delta,
        logprobs: [],
        obfuscation: obfuscation(delta),
      });
    }
    annotations.forEach((annotation, i) =>
      this.emit('response.output_text.annotation.added', {
        item_id: id,
        output_index: index,
        content_index: 0,
        annotation_index: i,
        annotation,
      }),
    );
    this.emit('response.output_text.done', { item_id: id, output_index: index, content_index: 0, text, logprobs: [] });
    const part = { type: 'output_text', annotations, logprobs: [], text };
    this.emit('response.content_part.done', { item_id: id, output_index: index, content_index: 0, part });
    const item = { id, type: 'message', status: 'completed', content: [part], role: 'assistant' };
    this.output.push(item);
    this.emit('response.output_item.done', { output_index: index, item });
    this.outputTokens += tokenize(text).length;
    return this;
  }

  /** A code_interpreter call: code streamed in many deltas, `.interpreting`, then outputs in `output_item.done`. */
  codeInterpreter(code: string, outputs: readonly Json[]): this {
    const index = this.output.length;
    const id = ids.codeCall();
    this.emit('response.output_item.added', {
      output_index: index,
      item: { id, type: 'code_interpreter_call', status: 'in_progress', code: '', container_id: this.containerId, outputs: [] },
    });
    this.emit('response.code_interpreter_call.in_progress', { output_index: index, item_id: id });
    for (const delta of tokenize(code)) {
      this.emit('response.code_interpreter_call_code.delta', {
        output_index: index,
        item_id: id,
        delta,
        obfuscation: obfuscation(delta),
      });
    }
    this.emit('response.code_interpreter_call_code.done', { output_index: index, item_id: id, code });
    this.emit('response.code_interpreter_call.interpreting', { output_index: index, item_id: id });
    this.emit('response.code_interpreter_call.completed', { output_index: index, item_id: id });
    const item = { id, type: 'code_interpreter_call', status: 'completed', code, container_id: this.containerId, outputs };
    this.output.push(item);
    this.emit('response.output_item.done', { output_index: index, item });
    this.outputTokens += tokenize(code).length;
    return this;
  }

  /** A function tool call (shape of the recorded gpt-5.1 `function_call` stream). */
  functionCall(name: string, args: string, callId = ids.callId()): this {
    const index = this.output.length;
    const id = ids.functionItem();
    this.emit('response.output_item.added', {
      output_index: index,
      item: { id, type: 'function_call', status: 'in_progress', arguments: '', call_id: callId, name },
    });
    for (const delta of tokenize(args)) {
      this.emit('response.function_call_arguments.delta', {
        item_id: id,
        output_index: index,
        delta,
        obfuscation: obfuscation(delta),
      });
    }
    this.emit('response.function_call_arguments.done', { item_id: id, output_index: index, arguments: args });
    const item = { id, type: 'function_call', status: 'completed', arguments: args, call_id: callId, name };
    this.output.push(item);
    this.emit('response.output_item.done', { output_index: index, item });
    return this;
  }

  /** Adds a file the code wrote, in this response's container. */
  file(filename: string, mime: string, bytes: Buffer): ContainerFile {
    const f: ContainerFile = { containerId: this.containerId, fileId: ids.containerFile(), filename, mime, bytes };
    this.files.push(f);
    return f;
  }

  /** The final Response with usage. */
  final(): Json {
    const input = 1200;
    const output = this.outputTokens;
    return this.snapshot('completed', {
      usage: {
        input_tokens: input,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: output,
        output_tokens_details: { reasoning_tokens: 64 },
        total_tokens: input + output,
      },
    });
  }

  complete(): ResponsesPlan {
    const response = this.final();
    this.emit('response.completed', { response }, true);
    return { events: this.events, response, files: this.files };
  }
}

export const TUTOR_CODE = `import csv

squares = [n * n for n in range(1, 11)]
total = sum(squares)

with open('/mnt/data/squares.csv', 'w', newline='') as f:
    writer = csv.writer(f)
    writer.writerow(['n', 'square'])
    for n, sq in enumerate(squares, start=1):
        writer.writerow([n, sq])

print('squares:', squares)
print('total:', total)
`;

export const TUTOR_LOGS = 'squares: [1, 4, 9, 16, 25, 36, 49, 64, 81, 100]\ntotal: 385\n';

function squaresCsv(): Buffer {
  const rows = ['n,square'];
  for (let n = 1; n <= 10; n++) {
    rows.push(`${n},${n * n}`);
  }
  return Buffer.from(`${rows.join('\r\n')}\r\n`, 'utf8');
}

function intro(ctx: ResponsesContext, what: string): string {
  const again = ctx.turn > 1 ? `Continuing our conversation (turn ${ctx.turn}). ` : '';
  return `${again}You asked: “${quoteOf(ctx.question || 'a question')}”. ${what}`;
}

/** Default: a short explanation, one code_interpreter call with logs, more explanation citing a CSV. */
export function tutorScenario(ctx: ResponsesContext, long = false): ResponsesPlan {
  const b = new ResponseBuilder(ctx.body);
  const csv = b.file('squares.csv', 'text/csv', squaresCsv());
  b.start()
    .reasoning()
    .message(intro(ctx, 'Let me show the idea with a small experiment in Python first.'))
    .codeInterpreter(TUTOR_CODE, [{ type: 'logs', logs: TUTOR_LOGS }]);
  b.reasoning();
  const more = long
    ? '\n\nA list comprehension is a compact loop: read it as “n times n, for every n from 1 to 10”. ' +
      'range(1, 11) stops before 11, which is why the last square is 100. sum() walks the list once and adds ' +
      'each value to a running total. Writing the rows with csv.writer keeps the commas and line endings right, ' +
      'so the file opens cleanly in a spreadsheet. Each step is small on purpose: you can run it, look at the ' +
      'output, and change one thing at a time.'
    : '';
  b.message(
    'The code squares the numbers 1 to 10 with a list comprehension and adds them up: the total is 385, as the ' +
      `output shows.${more}\n\nYou can download the table here: [squares.csv](sandbox:/mnt/data/squares.csv)\n\n` +
      'Try changing range(1, 11) to range(1, 21) and run it again.',
    [csv],
  );
  return b.complete();
}

export const PLOT_CODE = `import numpy as np
import matplotlib.pyplot as plt

x = np.linspace(0, 4 * np.pi, 200)
y = np.sin(x)

fig, ax = plt.subplots(figsize=(4, 2.5))
ax.bar(np.arange(8) * np.pi / 2 + 0.4, [1, 2, 3, 4] * 2, width=1.0, color='tab:orange')
ax.plot(x, y * 2 + 2.5, color='tab:blue', linewidth=2)
ax.set_title('sin(x) over two periods')
fig.savefig('/mnt/data/sine.png')
plt.show()
print('saved /mnt/data/sine.png')
`;

/** Code whose outputs include a real PNG, both inline (`{type:'image', url:'data:…'}`) and as a container file. */
export function plotScenario(ctx: ResponsesContext): ResponsesPlan {
  const b = new ResponseBuilder(ctx.body);
  const bytes = makeChartPng();
  const png = b.file('sine.png', 'image/png', bytes);
  b.start()
    .reasoning()
    .message(intro(ctx, 'A picture helps here, so I will plot it.'))
    .codeInterpreter(PLOT_CODE, [
      { type: 'logs', logs: 'saved /mnt/data/sine.png\n' },
      { type: 'image', url: `data:image/png;base64,${bytes.toString('base64')}` },
    ]);
  b.message(
    'The blue curve is sin(x) over two full periods; the orange bars are there to compare heights. ' +
      'The curve crosses zero at every multiple of π.\n\nThe image is also saved: [sine.png](sandbox:/mnt/data/sine.png)',
    [png],
  );
  return b.complete();
}

/** The model asks for the `get_selection` function tool; no text. */
export function functionCallScenario(ctx: ResponsesContext): ResponsesPlan {
  return new ResponseBuilder(ctx.body).start().functionCall('get_selection', '{}').complete();
}

/** The answer after `function_call_output`: a text that quotes what the tool returned. */
export function functionFollowUpScenario(ctx: ResponsesContext): ResponsesPlan {
  const outputs = ctx.toolOutputs.map((o) => o.output).join('\n');
  const quote = quoteOf(outputs, 80);
  return new ResponseBuilder(ctx.body)
    .start()
    .message(
      `Thanks, I read your selection: “${quote}”. It ${outputs.includes('\n') ? 'spans several lines and ' : ''}` +
        'is what I will explain. Start from the first line and follow each name to where it is defined.',
    )
    .complete();
}

/** No deltas at all: everything arrives only in `response.completed`. */
export function completedOnlyScenario(ctx: ResponsesContext): ResponsesPlan {
  const b = new ResponseBuilder(ctx.body, true);
  b.start()
    .message(intro(ctx, 'Here is the whole answer at once.'))
    .codeInterpreter(TUTOR_CODE, [{ type: 'logs', logs: TUTOR_LOGS }])
    .message('The total of the first ten squares is 385.');
  return b.complete();
}
