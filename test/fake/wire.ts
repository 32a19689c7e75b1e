/**
 * Small pieces shared by the fake server's scenarios: the SSE frame type, id makers in the real formats,
 * a tokenizer that cuts text into model-like deltas, `obfuscation` padding and OpenAI's error bodies.
 */
import { randomBytes } from 'node:crypto';

/** One server-sent event, exactly as it goes on the wire. `data` is the raw text after `data: `. */
export interface WireEvent {
  /** The `event:` line; absent: no `event:` line is written. */
  readonly event?: string;
  readonly data: string;
}

/** An HTTP failure instead of a stream: status, JSON body, extra headers. */
export interface HttpFailure {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Frames one event as SSE text. Multi-line data is split over several `data:` lines, as the spec says. */
export function frameSse(e: WireEvent): string {
  const head = e.event === undefined ? '' : `event: ${e.event}\n`;
  return `${head}${e.data
    .split('\n')
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/** A JSON event whose `event:` name is its `type` (the Responses API frames every event this way). */
export function typedEvent(data: { readonly type: string; readonly [field: string]: unknown }): WireEvent {
  return { event: data.type, data: JSON.stringify(data) };
}

/** Random lower-case hex of the given length. */
export function hex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random letters and digits, like the Assistants ids (`run_hFJhXcOawW0kPuGK732XjIt9`). */
export function alnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) {
    out += ALNUM[b % ALNUM.length];
  }
  return out;
}

/** Ids in the shapes the real APIs use. */
export const ids = {
  response: (): string => `resp_${hex(50)}`,
  reasoning: (): string => `rs_${hex(50)}`,
  message: (): string => `msg_${hex(50)}`,
  codeCall: (): string => `ci_${hex(50)}`,
  functionItem: (): string => `fc_${hex(50)}`,
  callId: (): string => `call_${alnum(24)}`,
  container: (): string => `cntr_${hex(50)}`,
  containerFile: (): string => `cfile_${hex(32)}`,
  assistant: (): string => `asst_${alnum(24)}`,
  thread: (): string => `thread_${alnum(24)}`,
  run: (): string => `run_${alnum(24)}`,
  step: (): string => `step_${alnum(24)}`,
  threadMessage: (): string => `msg_${alnum(24)}`,
  file: (): string => `file-${alnum(22)}`,
  request: (): string => `req_${hex(32)}`,
};

/**
 * `obfuscation` as the 2025 captures carry it on every delta: random padding so that a short delta plus its
 * padding is 16 characters; long deltas get an empty string.
 */
export function obfuscation(delta: string): string {
  const n = 16 - [...delta].length;
  return n > 0 ? alnum(n) : '';
}

/**
 * Cuts text into pieces the size of model tokens (a word with its leading space, a run of punctuation, a
 * newline). Joining the pieces gives the text back exactly.
 */
export function tokenize(text: string): string[] {
  const pieces = text.match(/ ?[A-Za-z_]+| ?\d{1,3}|\n+| +|[^\sA-Za-z_\d]{1,2}|\s/gu) ?? [];
  if (pieces.join('') !== text) {
    // Never lose a character: fall back to fixed-size slices.
    const out: string[] = [];
    for (let i = 0; i < text.length; i += 4) {
      out.push(text.slice(i, i + 4));
    }
    return out;
  }
  return pieces;
}

/** OpenAI's error body: `{ error: { message, type, param, code } }`. */
export function openAiError(message: string, type: string, code: string | null, param: string | null = null): unknown {
  return { error: { message, type, param, code } };
}

/** Seconds since the epoch, as every `created_at` is. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The first `max` characters of the learner's question on one line, for quoting it back. */
export function quoteOf(question: string, max = 60): string {
  const oneLine = question.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
