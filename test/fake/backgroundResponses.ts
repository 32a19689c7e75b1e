/**
 * Background responses (`background: true`) on the fake server: the stream of a scripted response re-shaped as the
 * API sends a background one (the response says `background: true`, `response.created` says `queued`, then a
 * `response.queued` event before `response.in_progress`, gap-free `sequence_number`s), kept so that
 * `GET /responses/{id}?stream=true&starting_after=N` can stream the events after N, and cancellable
 * (`POST /responses/{id}/cancel`): a stream still being written then ends with `response.cancelled`.
 */
import { typedEvent, type WireEvent } from './wire';

type Json = Record<string, unknown>;

function parse(e: WireEvent): Json | undefined {
  try {
    const v = JSON.parse(e.data) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** One background response: its whole stream (sequence numbers = indices) and whether it was cancelled. */
export class BackgroundResponse {
  readonly events: WireEvent[] = [];
  cancelled = false;
  /** Some stream carried the last event: the response is over and cannot be cancelled. */
  done = false;

  constructor(
    readonly id: string,
    scripted: readonly WireEvent[],
    /** The scenario's pacing, kept for resumed streams. */
    readonly delayMs: number,
  ) {
    let seq = 0;
    const push = (data: Json): void => void this.events.push(typedEvent({ ...(data as Json & { type: string }), sequence_number: seq++ }));
    for (const e of scripted) {
      const data = parse(e);
      if (data === undefined || typeof data.type !== 'string') {
        this.events.push(e); // not JSON: as scripted
        continue;
      }
      const response = typeof data.response === 'object' && data.response !== null ? { ...(data.response as Json), background: true } : undefined;
      if (data.type === 'response.created' && response) {
        const queued = { ...response, status: 'queued' };
        push({ ...data, response: queued });
        push({ type: 'response.queued', response: queued });
        continue;
      }
      push(response ? { ...data, response } : data);
    }
  }

  /** The events after sequence number `after` (-1: all of them). */
  after(after: number): WireEvent[] {
    return this.events.slice(Math.max(0, after + 1));
  }

  /** The event that ends a stream once the response was cancelled. */
  cancelledEvent(response: Json): WireEvent {
    return typedEvent({ type: 'response.cancelled', sequence_number: this.events.length, response: { ...response, status: 'cancelled', background: true, output: [] } });
  }
}
