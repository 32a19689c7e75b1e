/**
 * A long chat reaches its view in pages: the snapshot holds the newest turns, which the view draws at once, and the
 * older ones follow in `olderTurns` messages, newest first, each put above what is shown. One message of a 500-turn
 * chat was 1.6 MB that the webview had to receive and check in one task before it could draw anything.
 * No `vscode` import: unit tests drive it as it is.
 */
import { turnsPerPage, type ChatSnapshot, type HostToWebview, type UiStrings, type ViewSettings } from '../shared/protocol';

/** The messages that show `chat` in a view: a snapshot, then its older turns (snapshot `id`, a counter per view). */
export function snapshotMessages(id: number, chat: ChatSnapshot, strings: UiStrings, settings: ViewSettings): HostToWebview[] {
  const { turns } = chat;
  if (turns.length <= turnsPerPage) return [{ type: 'snapshot', chat, strings, settings }];
  let cut = turns.length - turnsPerPage;
  const out: HostToWebview[] = [{ type: 'snapshot', chat: { ...chat, turns: turns.slice(cut) }, strings, settings, page: { id, older: cut } }];
  while (cut > 0) {
    const from = Math.max(0, cut - turnsPerPage);
    out.push({ type: 'olderTurns', page: id, turns: turns.slice(from, cut) });
    cut = from;
  }
  return out;
}
