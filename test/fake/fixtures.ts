/**
 * The recorded streams under the shared fixtures folder, replayed verbatim: each `*.chunks.txt` line is one
 * Responses event (framed here as `event: <type>` + `data: <line>`), the Assistants `*.sse.txt` is raw SSE.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { WireEvent } from './wire';

/** Where the recordings live: `$CODE_TUTOR_FIXTURES`, else the copies in `test/fixtures/recorded` (see its README). */
export function fixturesDir(): string {
  return process.env.CODE_TUTOR_FIXTURES || path.resolve(__dirname, '../fixtures/recorded');
}

/** The names of the Responses recordings, e.g. `openai-code-interpreter-tool.1` (without `.chunks.txt`). */
export function responsesFixtureNames(): string[] {
  const dir = path.join(fixturesDir(), 'openai-responses');
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.chunks.txt'))
    .map((f) => f.slice(0, -'.chunks.txt'.length))
    .sort();
}

/** The raw lines of a Responses recording (blank lines dropped; the text of each line is kept byte for byte). */
export function readResponsesFixtureLines(name: string): string[] {
  const file = path.join(fixturesDir(), 'openai-responses', `${name}.chunks.txt`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0);
}

/** A Responses recording as SSE events: `event:` is the line's `type`, `data:` the line unchanged. */
export function responsesFixtureEvents(name: string): WireEvent[] {
  return readResponsesFixtureLines(name).map((line) => {
    const type = (JSON.parse(line) as { type?: unknown }).type;
    return { event: typeof type === 'string' ? type : undefined, data: line };
  });
}

export const ASSISTANTS_FIXTURE =
  'openai-assistants/openllmetry.test_streaming_new_assistant_with_events_with_content.run-stream.sse.txt';

/** The Assistants v2 run stream recording, raw SSE text. */
export function readAssistantsFixture(): string {
  return readFileSync(path.join(fixturesDir(), ASSISTANTS_FIXTURE), 'utf8');
}

/** Splits raw SSE text into events (only `event:` and `data:` fields; enough for the recordings we hold). */
export function parseSse(text: string): WireEvent[] {
  const out: WireEvent[] = [];
  for (const block of text.replace(/\r\n/g, '\n').split('\n\n')) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) {
        event = line.slice(6).trimStart();
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }
    }
    if (data.length > 0) {
      out.push({ event, data: data.join('\n') });
    }
  }
  return out;
}
