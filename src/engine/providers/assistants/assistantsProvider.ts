/**
 * The I/O shell of the Assistants run protocol (OpenAI's shape and DashScope's): create or reuse the tutor
 * assistant, one thread per chat, a streamed run (thread-and-run for a new chat), function tool rounds through
 * submit tool outputs, file downloads, cancellation on the server as well as the socket, and — for servers that
 * refuse to stream — create + poll, whose snapshots go through the same pure mapper.
 */
import type { StreamEvent } from '../../../shared/events';
import { isAbortError, networkError, redactSecrets } from '../../errors';
import type { NetOptions } from '../../net/guardedFetch';
import { defaultRetryPolicy, type RetryPolicy, withRetries } from '../../net/retryPolicy';
import { FileResolver, readCapped } from '../../files';
import type { MapperEvent, SseMessage } from '../../mapperEvents';
import { type ConnectionOptions, type Provider, type RunRequest, questionText, tutorInstructions } from '../../provider';
import { runToolCall } from '../../tools/functionTool';
import { AssistantsClient, AssistantsHttpError, type Json, type StreamStart, type ToolOutput } from './assistantsClient';
import { AssistantsMapper } from './assistantsMapper';
import { rewindThread } from './threadRewind';

export interface AssistantsProviderOptions extends ConnectionOptions {
  /** An existing assistant to use (`codeTutor.assistantId`); otherwise one is created and remembered by the chat. */
  readonly assistantId?: string;
  /** Poll interval for the create-and-poll fallback. */
  readonly pollIntervalMs?: number;
  readonly fetch?: typeof fetch;
  readonly retryPolicy?: RetryPolicy;
}

/** How long a Stop waits for the server to confirm the cancel before the run ends anyway. */
export const cancelTimeoutMs = 1500;

const terminalRunStatuses = new Set(['completed', 'incomplete', 'failed', 'cancelled', 'expired', 'requires_action']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class AssistantsProvider implements Provider {
  readonly protocol = 'assistants' as const;
  private readonly client: AssistantsClient;

  constructor(private readonly options: AssistantsProviderOptions & NetOptions) {
    this.client = new AssistantsClient({ apiKey: options.apiKey, baseUrl: options.baseUrl, headers: options.headers, fetch: options.fetch, net: options });
  }

  async *stream(request: RunRequest, signal?: AbortSignal): AsyncGenerator<StreamEvent, void, undefined> {
    const client = this.client;
    const tools = request.tools ?? [];
    const files = new FileResolver(async (ref, s) => readCapped(await client.getFileContent(ref.fileId, s)));
    const mapper = new AssistantsMapper();
    let threadId = request.conversation?.threadId;
    let runId: string | undefined;
    let finished = false;

    // Requests before the stream are retried by the shared policy (429, 5xx, a reset connection), each wait shown.
    const retry = { policy: this.options.retryPolicy ?? defaultRetryPolicy, signal };
    try {
      const assistantId =
        request.conversation?.assistantId ?? this.options.assistantId ?? (yield* withRetries(() => this.createAssistant(request, signal), retry));
      // An exchange the chat dropped (Regenerate, Edit and resend) leaves the thread before the question goes in.
      const rewind = request.conversation?.rewind;
      if (rewind) {
        if (threadId) {
          const tRewind = threadId;
          const done = yield* withRetries(() => rewindThread(client, tRewind, rewind, signal), retry);
          threadId = done.threadId;
          request.log?.(
            done.kind === 'deleted'
              ? `removed the dropped exchange from thread ${tRewind} (${done.messageIds.length} messages deleted)`
              : `the server cannot delete thread messages: continuing on ${done.threadId ? `a new thread ${done.threadId} seeded with the ${done.seeded} kept messages${done.asOneMessage ? ' (as one learner message)' : ''}` : 'a new thread (nothing was kept)'} instead of ${done.from}`,
          );
        }
        request.onConversation?.({ threadId, rewind: undefined });
      }
      const content = questionText(request.question);
      const runBody: Json = {
        assistant_id: assistantId,
        // The run's own instructions replace the assistant's for this run: mode and course rules on every request.
        ...(request.instructions ? { instructions: request.instructions } : {}),
        ...(request.codeInterpreter === false ? { tools: tools.map(functionSpec) } : {}),
      };
      const tId = threadId;
      const startRun = async function* (): AsyncGenerator<StreamEvent, StreamStart> {
        if (tId) {
          yield* withRetries(() => client.addMessage(tId, { content }, signal), retry);
          return yield* withRetries(() => client.streamRun(tId, runBody, signal), retry);
        }
        return yield* withRetries(() => client.streamThreadAndRun({ ...runBody, thread: { messages: [{ role: 'user', content }] } }, signal), retry);
      };

      let start: StreamStart | undefined;
      try {
        start = yield* startRun();
      } catch (e) {
        if (!(e instanceof AssistantsHttpError && e.refusesStreaming)) throw e;
      }

      // The events of one stream, or of the polled snapshots when the server does not stream.
      let messages: AsyncIterable<SseMessage> = start ? this.messagesOf(start) : this.poll(await this.createPolledRun(threadId, runBody, content, signal), signal);

      let recovered = false;
      let firstBreak: unknown;
      for (let round = 0; ; round++) {
        let action: Extract<MapperEvent, { kind: 'run.requires_action' }> | undefined;
        for (;;) {
          let broke: unknown;
          try {
            for await (const msg of messages) {
              for (const m of mapper.map(msg)) {
                if (m.kind === 'file.ref') {
                  yield* await files.resolve(m, signal);
                } else if (m.kind === 'run.requires_action') {
                  action = m;
                } else {
                  files.observe(m);
                  if (m.kind === 'run.started') {
                    threadId = m.threadId ?? threadId;
                    runId = m.runId ?? runId;
                    yield { ...m, assistantId };
                    continue;
                  }
                  if (m.kind === 'run.finished') finished = true;
                  yield m;
                }
              }
              if (finished || action) break;
            }
          } catch (e) {
            if (isAbortError(e, signal)) throw e;
            broke = e;
          }
          if (finished || action || signal?.aborted) break;
          // The stream broke, or ended before the run did. The run goes on on the server: follow it there (once),
          // through the same mapper, so what was shown is neither lost nor repeated.
          if (recovered || !threadId || !runId) {
            // The first break is what the learner must hear about, not a failed attempt to recover from it.
            if (broke !== undefined || firstBreak !== undefined) throw firstBreak ?? broke;
            break;
          }
          recovered = true;
          firstBreak = broke;
          try {
            messages = this.poll(await client.retrieveRun(threadId, runId, signal), signal, 60);
          } catch (e) {
            if (isAbortError(e, signal)) throw e;
            if (broke !== undefined) throw broke;
            break;
          }
        }
        if (signal?.aborted) throw signal.reason ?? new Error('aborted');
        if (finished) return;
        if (!action) {
          for (const m of mapper.end()) if (m.kind === 'run.finished') yield m;
          return;
        }
        // The run waits for our function outputs: run the tools, show their results, continue the same run.
        const tId = action.threadId ?? threadId;
        const rId = action.runId ?? runId;
        if (!tId || !rId) {
          yield { kind: 'run.finished', status: 'failed', error: { kind: 'protocol', message: 'the server asked for tool outputs without naming the run' } };
          return;
        }
        if (round >= (this.options.maxToolRounds ?? 8)) {
          await client.cancelRun(tId, rId, AbortSignal.timeout(cancelTimeoutMs)).catch(() => undefined);
          yield { kind: 'run.finished', status: 'incomplete', reason: 'too many tool rounds' };
          return;
        }
        const outputs: ToolOutput[] = [];
        for (const call of action.calls) {
          const outcome = await runToolCall(tools, call.name, call.arguments, signal);
          yield { kind: 'tool.result', id: call.itemId, output: outcome.output, isError: outcome.isError };
          outputs.push({ tool_call_id: call.callId, output: outcome.output });
        }
        mapper.continueRun();
        if (start) {
          messages = this.messagesOf(await client.streamSubmitToolOutputs(tId, rId, outputs, signal));
        } else {
          messages = this.poll(await client.submitToolOutputs(tId, rId, outputs, signal), signal);
        }
      }
    } catch (e) {
      if (isAbortError(e, signal)) {
        // Stop means stop on the server too, not only on our socket.
        // Bounded: a slow cancel endpoint must not hold the learner (or the CLI's exit) for long.
        if (threadId && runId) await this.client.cancelRun(threadId, runId, AbortSignal.timeout(cancelTimeoutMs)).catch(() => undefined);
        yield { kind: 'run.finished', status: 'cancelled' };
        return;
      }
      const error = e instanceof AssistantsHttpError ? e.toRunError() : networkError(e);
      yield { kind: 'run.finished', status: 'failed', error: { ...error, message: redactSecrets(error.message, this.options.apiKey) } };
    }
  }

  private async createAssistant(request: RunRequest, signal?: AbortSignal): Promise<string> {
    const created = await this.client.createAssistant(
      {
        model: this.options.model,
        name: 'Code Tutor',
        instructions: request.instructions ?? this.options.instructions ?? tutorInstructions,
        tools: [...(request.codeInterpreter === false ? [] : [{ type: 'code_interpreter' }]), ...(request.tools ?? []).map(functionSpec)],
      },
      signal,
    );
    const id = str(created.id);
    if (!id) throw new AssistantsHttpError(200, 'the server created an assistant without an id', undefined, 'protocol');
    return id;
  }

  /** A streamed start: SSE messages, or a server that answered with the run object (then poll it). */
  private messagesOf(start: StreamStart): AsyncIterable<SseMessage> {
    return start.type === 'sse' ? start.messages : this.poll(start.body);
  }

  private async createPolledRun(threadId: string | undefined, runBody: Json, content: string, signal?: AbortSignal): Promise<Json> {
    if (threadId) return this.client.createRun(threadId, runBody, signal); // the message was added before the refused stream
    return this.client.createThreadAndRun({ ...runBody, thread: { messages: [{ role: 'user', content }] } }, signal);
  }

  /**
   * Create + poll (the seeds' `Runs.wait` / `create_and_poll`): follow the run until it ends or needs action,
   * and turn what the server shows into the same messages a stream would carry, so one mapper serves both.
   */
  private async *poll(run: Json, signal?: AbortSignal, maxPolls = Infinity): AsyncGenerator<SseMessage> {
    const threadId = str(run.thread_id);
    const runId = str(run.id);
    if (!threadId || !runId) throw new AssistantsHttpError(200, 'the server returned a run without thread_id or id', undefined, 'protocol');
    yield { event: 'thread.run.created', data: JSON.stringify(run) };
    const stepStates = new Map<string, string>();
    let current = run;
    const messagesShown = new Set<string>();
    for (;;) {
      const status = str(current.status) ?? 'queued';
      const terminal = terminalRunStatuses.has(status);
      // The run's messages once it ended, each placed right after the step that wrote it, so an answer recovered
      // after a dropped stream reads in the order a stream would have shown it (the intro before the code).
      const messages = new Map<string, Json>();
      if (terminal && status !== 'requires_action') {
        const msgs = await this.client.listMessages(threadId, { order: 'asc', run_id: runId, limit: 100 }, signal);
        for (const m of msgs.data) if (m.role !== 'user' && str(m.id)) messages.set(str(m.id)!, m);
      }
      const message = function* (id: string | undefined): Generator<SseMessage> {
        const m = id === undefined || messagesShown.has(id) ? undefined : messages.get(id);
        if (!m || !id) return;
        messagesShown.add(id);
        yield { event: 'thread.message.completed', data: JSON.stringify(m) };
      };
      // Steps as they progress (code, then its outputs), each snapshot once per status.
      const steps = await this.client.listRunSteps(threadId, runId, { order: 'asc', limit: 100 }, signal);
      for (const step of steps.data) {
        const id = str(step.id);
        const st = str(step.status) ?? 'in_progress';
        if (id && stepStates.get(id) !== st) {
          stepStates.set(id, st);
          const event = st === 'completed' || st === 'failed' || st === 'cancelled' || st === 'expired' ? `thread.run.step.${st}` : 'thread.run.step.in_progress';
          yield { event, data: JSON.stringify(step) };
        }
        const details = step.step_details as Json | undefined;
        const created = details && typeof details === 'object' ? (details.message_creation as Json | undefined) : undefined;
        yield* message(created && typeof created === 'object' ? str(created.message_id) : undefined);
      }
      if (terminal) {
        for (const id of messages.keys()) yield* message(id);
        yield { event: `thread.run.${status}`, data: JSON.stringify(current) };
        return;
      }
      if (--maxPolls <= 0) throw new Error('the run did not finish on the server in time after the stream was lost');
      await sleep(this.options.pollIntervalMs ?? 500, signal);
      current = await this.client.retrieveRun(threadId, runId, signal);
    }
  }
}

function functionSpec(t: { name: string; description: string; parameters: Record<string, unknown> }) {
  return { type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } };
}
