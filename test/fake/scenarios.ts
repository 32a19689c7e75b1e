/**
 * The fake server's scenario catalogue: names, which endpoint family each one answers, pacing defaults,
 * HTTP failures in OpenAI's error shape, the `[scenario:NAME]` / `[delay:MS]` markers and the script queue.
 */
import { CHAT_SCENARIOS } from './chatScenarios';
import { responsesFixtureNames } from './fixtures';
import { TUTOR_SCENARIOS } from './interactiveScenarios';
import { openAiError, type HttpFailure, type WireEvent } from './wire';

/** Which requests a scenario can answer: a Responses create, an Assistants run, a chat completion, or any. */
export type ScenarioKind = 'responses' | 'assistants' | 'chat' | 'any';

export interface ScenarioInfo {
  readonly name: string;
  readonly kind: ScenarioKind;
  readonly description: string;
  /** Pacing between events when neither the script nor a marker sets one. */
  readonly delayMs?: number;
}

/** Pacing between events unless something else says otherwise (small, so unit tests stay quick). */
export const DEFAULT_DELAY_MS = 10;
export const SLOW_DELAY_MS = 250;

/** HTTP failures, with the bodies and headers OpenAI sends. */
export const FAILURES: Readonly<Record<string, HttpFailure>> = {
  'error-401': {
    status: 401,
    body: openAiError(
      'Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.',
      'invalid_request_error',
      'invalid_api_key',
    ),
  },
  'error-429': {
    status: 429,
    body: openAiError(
      'Rate limit reached for gpt-5-nano in organization org-fake on tokens per min (TPM): Limit 200000, ' +
        'Used 199500, Requested 1200. Please try again in 210ms. Visit https://platform.openai.com/account/rate-limits to learn more.',
      'tokens',
      'rate_limit_exceeded',
    ),
    headers: { 'retry-after': '1', 'retry-after-ms': '210', 'x-ratelimit-remaining-tokens': '500' },
  },
  'error-500': {
    status: 500,
    body: openAiError('The server had an error while processing your request. Sorry about that!', 'server_error', null),
  },
  'tool-unsupported': {
    status: 400,
    body: openAiError(
      "Tool 'code_interpreter' is not supported with this model.",
      'invalid_request_error',
      'unsupported_value',
      'tools',
    ),
  },
};

const BUILT_IN: readonly ScenarioInfo[] = [
  { name: 'tutor', kind: 'responses', description: 'default: text, one code_interpreter call with logs, text citing a CSV' },
  { name: 'plot', kind: 'responses', description: 'code whose outputs include a real PNG (data URL) and a PNG container file' },
  { name: 'slow', kind: 'responses', description: 'tutor with a longer text and 250 ms between events (Stop tests)', delayMs: SLOW_DELAY_MS },
  { name: 'function-call', kind: 'responses', description: 'a function_call to get_selection; the follow-up quotes the tool output' },
  { name: 'completed-only', kind: 'responses', description: 'no deltas: everything only in response.completed' },
  { name: 'error-401', kind: 'any', description: 'HTTP 401 invalid_api_key' },
  { name: 'error-429', kind: 'any', description: 'HTTP 429 rate_limit_exceeded (retry-after-ms 210)' },
  { name: 'error-500', kind: 'any', description: 'HTTP 500 server_error' },
  { name: 'tool-unsupported', kind: 'any', description: "HTTP 400: tool 'code_interpreter' not supported" },
  { name: 'assistants:tutor', kind: 'assistants', description: 'OpenAI shape: text, code with logs and an image, text with image_file' },
  { name: 'assistants:fixture', kind: 'assistants', description: 'the recorded Assistants v2 run stream, verbatim' },
  { name: 'dashscope:tutor', kind: 'assistants', description: 'DashScope shape: content object, code_interpreter arguments/output' },
  {
    name: 'dashscope:openai-outputs',
    kind: 'assistants',
    description: 'DashScope deltas (logs as `output` line by line); the completed step carries OpenAI `outputs[]` (logs + image)',
  },
  {
    name: 'dashscope:both-outputs',
    kind: 'assistants',
    description: 'DashScope deltas, each `output` repeating all logs so far; the completed step carries `output` AND `outputs[]`',
  },
  {
    name: 'assistants:dashscope-output',
    kind: 'assistants',
    description: 'OpenAI deltas (logs line by line, image); the completed step in the DashScope shape (`arguments` / `output`)',
  },
  { name: 'assistants:both-outputs', kind: 'assistants', description: 'OpenAI deltas; the completed step carries `outputs[]` AND `output`' },
  { name: 'assistants:requires-action', kind: 'assistants', description: 'get_selection function call → requires_action → submit → completes' },
  { name: 'assistants:no-stream', kind: 'assistants', description: 'stream:true refused with 400; create + poll works' },
  { name: 'assistants:slow', kind: 'assistants', description: 'assistants:tutor, longer, 250 ms between events', delayMs: SLOW_DELAY_MS },
  { name: 'solution', kind: 'responses', description: 'ignores hint mode: a complete 15-line solution in a fence, then run by the interpreter' },
  { name: 'assistants:solution', kind: 'assistants', description: 'solution, as an Assistants run' },
  { name: 'solution-indented', kind: 'responses', description: 'ignores hint mode: the 15-line solution as an indented code block, then a list item with an indented paragraph' },
];

/** Every scenario name, the recorded Responses streams included (`fixture:<file name without .chunks.txt>`). */
export function listScenarios(): ScenarioInfo[] {
  const fixtures = responsesFixtureNames().map(
    (f): ScenarioInfo => ({ name: `fixture:${f}`, kind: 'responses', description: `replays ${f}.chunks.txt verbatim` }),
  );
  const chat = CHAT_SCENARIOS.map((c): ScenarioInfo => ({ ...c, kind: 'chat' }));
  return [...BUILT_IN, ...TUTOR_SCENARIOS, ...fixtures, ...chat];
}

export function findScenario(name: string): ScenarioInfo | undefined {
  return listScenarios().find((s) => s.name === name);
}

export function fits(kind: ScenarioKind, wanted: Exclude<ScenarioKind, 'any'>): boolean {
  return kind === 'any' || kind === wanted;
}

/** One queued answer (POST /__script). Either a named scenario, or raw events / a raw failure. */
export interface ScriptEntry {
  readonly scenario?: string;
  /** Raw SSE events to send as they are; `data` objects are JSON-encoded. */
  readonly events?: readonly { readonly event?: string; readonly data: unknown }[];
  readonly failure?: HttpFailure;
  readonly delayMs?: number;
  /** How many requests this entry answers (default 1), e.g. 3 for a 429 that the SDK retries. */
  readonly times?: number;
  /** For raw entries: which requests it answers (default `any`). */
  readonly kind?: ScenarioKind;
}

/** A script entry checked and resolved: what the server acts on. */
export interface Resolved {
  readonly name: string;
  readonly kind: ScenarioKind;
  readonly delayMs: number | undefined;
  readonly failure?: HttpFailure;
  readonly events?: WireEvent[];
}

/** Checks a script entry; throws an Error with a readable message when it is wrong. */
export function resolveEntry(entry: ScriptEntry): Resolved {
  if (typeof entry !== 'object' || entry === null) {
    throw new Error('a script entry must be an object or a scenario name');
  }
  const delayMs = typeof entry.delayMs === 'number' ? entry.delayMs : undefined;
  if (entry.failure !== undefined) {
    if (typeof entry.failure.status !== 'number') {
      throw new Error('failure.status must be a number');
    }
    return { name: entry.scenario ?? `failure-${entry.failure.status}`, kind: entry.kind ?? 'any', delayMs, failure: entry.failure };
  }
  if (entry.events !== undefined) {
    if (!Array.isArray(entry.events)) {
      throw new Error('events must be an array');
    }
    const events = entry.events.map((e) => ({
      event: e.event,
      data: typeof e.data === 'string' ? e.data : JSON.stringify(e.data),
    }));
    return { name: entry.scenario ?? 'custom', kind: entry.kind ?? 'any', delayMs, events };
  }
  if (typeof entry.scenario !== 'string') {
    throw new Error('a script entry needs `scenario`, `events` or `failure`');
  }
  const info = findScenario(entry.scenario);
  if (info === undefined) {
    throw new Error(`unknown scenario "${entry.scenario}"; GET /__scenarios lists them`);
  }
  return { name: info.name, kind: info.kind, delayMs: delayMs ?? info.delayMs, failure: FAILURES[info.name] };
}

const SCENARIO_MARKER = /\[scenario:([A-Za-z0-9_.:-]+)\]/;
const DELAY_MARKER = /\[delay:(\d+)\]/;

/** Finds `[scenario:NAME]` and `[delay:MS]` in the learner's text and returns the text without them. */
export function readMarkers(text: string): { scenario?: string; delayMs?: number; cleaned: string } {
  const s = SCENARIO_MARKER.exec(text);
  const d = DELAY_MARKER.exec(text);
  const cleaned = text.replace(new RegExp(SCENARIO_MARKER, 'g'), '').replace(new RegExp(DELAY_MARKER, 'g'), '').trim();
  return { scenario: s?.[1], delayMs: d ? Number(d[1]) : undefined, cleaned };
}

/** The queue of scripted answers; each request of a family takes the first entry that fits it. */
export class ScriptQueue {
  private entries: { resolved: Resolved; left: number }[] = [];

  push(entry: ScriptEntry): Resolved {
    const resolved = resolveEntry(entry);
    this.entries.push({ resolved, left: Math.max(1, Math.floor(entry.times ?? 1)) });
    return resolved;
  }

  /** The first entry for this family, without using it up. */
  peek(wanted: Exclude<ScenarioKind, 'any'>): Resolved | undefined {
    return this.entries.find((e) => fits(e.resolved.kind, wanted))?.resolved;
  }

  /** Uses up one answer of the first entry for this family. */
  take(wanted: Exclude<ScenarioKind, 'any'>): Resolved | undefined {
    const i = this.entries.findIndex((e) => fits(e.resolved.kind, wanted));
    if (i < 0) {
      return undefined;
    }
    const e = this.entries[i]!;
    if (--e.left <= 0) {
      this.entries.splice(i, 1);
    }
    return e.resolved;
  }

  clear(): void {
    this.entries = [];
  }

  get size(): number {
    return this.entries.length;
  }

  list(): { name: string; kind: ScenarioKind; left: number }[] {
    return this.entries.map((e) => ({ name: e.resolved.name, kind: e.resolved.kind, left: e.left }));
  }
}
