/**
 * Item ids as the webview sees them. A server may name an item with an id of any length, but the host's door
 * (src/shared/protocol.ts) takes ids of at most `maxIdLength` characters back from the webview. So an id longer
 * than that is sent to the webview as a short stable stand-in (`~` + SHA-256 prefix), and a stand-in coming back
 * is mapped to the real id by looking it up among the turn's items. Ids within the limit travel unchanged.
 */
import { createHash } from 'node:crypto';
import type { StreamEvent } from '../shared/events';
import { maxIdLength, type HostToWebview, type LiveMessage, type Turn } from '../shared/protocol';

/** The id the webview gets for `id`. */
export function wireId(id: string): string {
  return id.length <= maxIdLength ? id : `~${createHash('sha256').update(id).digest('hex').slice(0, 48)}`;
}

function turnForWire(turn: Turn): Turn {
  if (!turn.run.items.some((i) => i.id.length > maxIdLength)) return turn;
  return { ...turn, run: { ...turn.run, items: turn.run.items.map((i) => (i.id.length > maxIdLength ? { ...i, id: wireId(i.id) } : i)) } };
}

function eventForWire(event: StreamEvent): StreamEvent {
  return 'id' in event && typeof event.id === 'string' && event.id.length > maxIdLength ? { ...event, id: wireId(event.id) } : event;
}

/** `m` with every long item id replaced by its stand-in (the same object when there is none). */
export function messageForWire(m: HostToWebview): HostToWebview {
  switch (m.type) {
    case 'snapshot':
      return { ...m, chat: { ...m.chat, turns: m.chat.turns.map(turnForWire) } };
    case 'olderTurns':
      return { ...m, turns: m.turns.map(turnForWire) };
    case 'turnStarted': {
      const turn = turnForWire(m.turn);
      return turn === m.turn ? m : { ...m, turn };
    }
    case 'event': {
      // Called for every streamed event: no copy unless an id really is too long.
      const event = eventForWire(m.event);
      return event === m.event ? m : { ...m, event };
    }
    case 'events': {
      // A batch of live messages: each is mapped as it would be on its own; no copy when no id is too long.
      const messages = m.messages.map((x) => messageForWire(x) as LiveMessage);
      return messages.every((x, i) => x === m.messages[i]) ? m : { ...m, messages };
    }
    default:
      return m;
  }
}

/** The real id of the item the webview calls `wire` in turn `turnId`, if there is one. */
export function realItemId(turns: readonly Turn[], turnId: string, wire: string): string | undefined {
  const turn = turns.find((t) => t.id === turnId);
  if (!turn) return undefined;
  for (const item of turn.run.items) if (item.id === wire || wireId(item.id) === wire) return item.id;
  return undefined;
}
