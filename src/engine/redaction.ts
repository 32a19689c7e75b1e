/**
 * Keeping the API key out of everything a server's words reach (the chat, the logs, stored chats, the CLI).
 *
 * Servers echo a rejected key, whole or masked (`sk-proj-AbCdEfGh****…`), in HTTP errors, stream `error` events,
 * an Assistants run's `last_error`, even in the answer itself. The Redactor removes the key and any run of
 * `minRun` (8) or more of its characters, so a 14-character masked prefix is caught too, plus anything shaped like
 * a key. `redactEvents` applies it to a provider's whole event stream: createProvider wraps every provider with
 * it, so a new protocol is covered without doing anything.
 */
import type { CodeOutput, RunError, StreamEvent } from '../shared/events';

export const minRun = 8;
const mask = '***';
/** Key-shaped strings, whoever's key they are. */
const keyShaped = /\b(sk-[A-Za-z0-9_*-]{2,}|sk_[A-Za-z0-9_*-]{8,}|Bearer\s+\S+)/g;

/** Rolling hash of `minRun` chars (mod 2^32). */
const BASE = 257;
let basePow = 1;
for (let i = 0; i < minRun - 1; i++) basePow = Math.imul(basePow, BASE);

export class Redactor {
  /** Hashes of every `minRun`-character run of the key. */
  private readonly hashes = new Set<number>();
  private readonly runs = new Set<string>();

  constructor(secret: string | undefined) {
    if (!secret || secret.length < minRun) return;
    for (let i = 0; i + minRun <= secret.length; i++) {
      const run = secret.slice(i, i + minRun);
      this.runs.add(run);
      this.hashes.add(hashOf(run, 0));
    }
  }

  /** Where (start, end) the key's runs occur in `text`, merged. One pass, no allocation unless a hash hits. */
  spans(text: string): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    if (this.runs.size === 0 || text.length < minRun) return out;
    let h = hashOf(text, 0);
    for (let i = 0; ; i++) {
      if (this.hashes.has(h) && this.runs.has(text.slice(i, i + minRun))) {
        const last = out[out.length - 1];
        if (last && i <= last[1]) last[1] = i + minRun;
        else out.push([i, i + minRun]);
      }
      if (i + minRun >= text.length) break;
      h = (Math.imul(h - Math.imul(text.charCodeAt(i), basePow), BASE) + text.charCodeAt(i + minRun)) | 0;
    }
    return out;
  }

  redact(text: string): string {
    let out = text;
    const spans = this.spans(text);
    if (spans.length > 0) {
      let s = '';
      let from = 0;
      for (const [a, b] of spans) {
        s += text.slice(from, a) + mask;
        from = b;
      }
      out = s + text.slice(from);
    }
    return out.replace(keyShaped, mask);
  }

  redactError(e: RunError): RunError {
    const message = this.redact(e.message);
    const code = e.code === undefined ? undefined : this.redact(e.code);
    return message === e.message && code === e.code ? e : { ...e, message, ...(code !== undefined ? { code } : {}) };
  }
}

function hashOf(s: string, from: number): number {
  let h = 0;
  for (let i = from; i < from + minRun && i < s.length; i++) h = (Math.imul(h, BASE) + s.charCodeAt(i)) | 0;
  return h;
}

function redactOutput(r: Redactor, o: CodeOutput): CodeOutput {
  if (o.type === 'logs') {
    const text = r.redact(o.text);
    return text === o.text ? o : { ...o, text };
  }
  if (o.type === 'file') {
    const name = r.redact(o.name);
    return name === o.name ? o : { ...o, name };
  }
  return o;
}

/**
 * A provider's events with the key taken out of every string a server wrote. Streamed text is checked across
 * delta boundaries: a key split over two deltas is caught when its second half arrives, and the item's text is then
 * re-sent whole and redacted (`text.done` / `code.done` replace what the deltas built).
 */
export async function* redactEvents(events: AsyncIterable<StreamEvent>, secret: string | undefined): AsyncGenerator<StreamEvent, void, undefined> {
  const r = new Redactor(secret);
  /** What was shown per text/code item, to re-send it redacted when a key straddles two deltas. */
  const shown = new Map<string, string>();
  const delta = (id: string, d: string): { delta?: string; whole?: string } => {
    const before = shown.get(id) ?? '';
    const tail = before.slice(-(minRun - 1));
    const joined = tail + d;
    const spans = r.spans(joined);
    if (spans.some(([a]) => a < tail.length)) {
      const whole = r.redact(before + d);
      shown.set(id, whole);
      return { whole };
    }
    const clean = r.redact(d);
    shown.set(id, before + clean);
    return { delta: clean };
  };
  for await (const e of events) {
    switch (e.kind) {
      case 'text.delta': {
        const x = delta(e.id, e.delta);
        yield x.whole !== undefined ? { kind: 'text.done', id: e.id, text: x.whole, ...(e.refusal ? { refusal: e.refusal } : {}) } : { ...e, delta: x.delta ?? '' };
        break;
      }
      case 'text.done': {
        const text = r.redact(e.text);
        shown.set(e.id, text);
        yield text === e.text ? e : { ...e, text };
        break;
      }
      case 'code.delta': {
        const x = delta(e.id, e.delta);
        yield x.whole !== undefined ? { kind: 'code.done', id: e.id, code: x.whole } : { ...e, delta: x.delta ?? '' };
        break;
      }
      case 'code.done': {
        const code = r.redact(e.code);
        shown.set(e.id, code);
        yield code === e.code ? e : { ...e, code };
        break;
      }
      case 'code.output':
        yield { ...e, output: redactOutput(r, e.output) };
        break;
      case 'tool.call':
        yield { ...e, call: { ...e.call, name: r.redact(e.call.name), arguments: r.redact(e.call.arguments) } };
        break;
      case 'tool.result':
        yield { ...e, output: r.redact(e.output) };
        break;
      case 'run.retrying':
        yield { ...e, reason: r.redact(e.reason) };
        break;
      case 'run.finished':
        yield {
          ...e,
          ...(e.error ? { error: r.redactError(e.error) } : {}),
          ...(e.reason !== undefined ? { reason: r.redact(e.reason) } : {}),
        };
        break;
      default:
        yield e;
    }
  }
}
