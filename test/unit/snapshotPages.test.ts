/**
 * A long chat reaches its view in pages (src/views/snapshotPages.ts): the snapshot with the newest turns, then the
 * older ones, newest page first. The real chat view must end with every turn, in the chat's order, drawn; pages of a
 * snapshot it has since replaced must change nothing; and the messages must pass the webview's door.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { isHostToWebview, turnsPerPage, type HostToWebview, type Turn } from '../../src/shared/protocol';
import { snapshotMessages } from '../../src/views/snapshotPages';
import { chatHarness, loadChatView, strings } from './support/chatHarness';

before(loadChatView);

function chatOf(n: number, prefix = 't'): Turn[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    question: { text: `Question ${i}` },
    run: { status: 'completed', error: null, items: [{ type: 'text', id: `${prefix}${i}-a`, text: `Answer **${i}**.` }] },
  })) as unknown as Turn[];
}

const settings = { typewriter: false };

function shownTurns(h: ReturnType<typeof chatHarness>): string[] {
  return Array.from(h.doc.querySelectorAll('.turns > .turn')).map((el) => (el as HTMLElement).dataset.turnId ?? '?');
}

describe('a long chat is sent in pages', () => {
  it('a short chat is one snapshot, as before', () => {
    const turns = chatOf(turnsPerPage);
    const m = snapshotMessages(1, { chatId: 'c', turns, runningTurnId: null }, strings, settings);
    assert.equal(m.length, 1);
    assert.deepEqual(m[0], { type: 'snapshot', chat: { chatId: 'c', turns, runningTurnId: null }, strings, settings });
  });

  it('a long one: the newest page first, then older pages newest first, every turn once, each message through the door', () => {
    const turns = chatOf(3 * turnsPerPage + 7);
    const m = snapshotMessages(4, { chatId: 'c', turns, runningTurnId: null }, strings, settings);
    assert.equal(m.length, 4); // 30 newest, then 30, 30 and 7
    const first = m[0] as Extract<HostToWebview, { type: 'snapshot' }>;
    assert.deepEqual(first.page, { id: 4, older: turns.length - turnsPerPage });
    assert.deepEqual(first.chat.turns, turns.slice(-turnsPerPage));
    const pages = m.slice(1) as Array<Extract<HostToWebview, { type: 'olderTurns' }>>;
    assert.ok(pages.every((p) => p.type === 'olderTurns' && p.page === 4));
    assert.deepEqual([...pages].reverse().flatMap((p) => p.turns).concat(first.chat.turns), turns);
    for (const x of m) assert.ok(isHostToWebview(JSON.parse(JSON.stringify(x))), x.type);
  });

  it('the door refuses a page that is empty, too long, or not a count', () => {
    const turns = chatOf(turnsPerPage + 1);
    assert.equal(isHostToWebview({ type: 'olderTurns', page: 1, turns: [] }), false);
    assert.equal(isHostToWebview({ type: 'olderTurns', page: 1, turns }), false);
    assert.equal(isHostToWebview({ type: 'olderTurns', page: -1, turns: turns.slice(0, 1) }), false);
    assert.equal(isHostToWebview({ type: 'olderTurns', page: '1', turns: turns.slice(0, 1) }), false);
    assert.equal(isHostToWebview({ type: 'snapshot', chat: { chatId: 'c', turns: [], runningTurnId: null }, strings, settings, page: { id: 1, older: 1.5 } }), false);
  });

  it('the real chat view ends with every turn in order, drawn, and busy for screen readers only until then', () => {
    const h = chatHarness();
    const turns = chatOf(2 * turnsPerPage + 5);
    const [snapshot, ...pages] = snapshotMessages(1, { chatId: 'c', turns, runningTurnId: null }, strings, settings);
    h.send(snapshot!);
    h.frame();
    assert.deepEqual(shownTurns(h), turns.slice(-turnsPerPage).map((t) => t.id));
    const list = h.doc.querySelector('.turns')!;
    assert.equal(list.getAttribute('aria-busy'), 'true', 'older turns are still coming');
    for (const p of pages) h.send(p);
    h.frame();
    assert.deepEqual(shownTurns(h), turns.map((t) => t.id));
    assert.equal(list.getAttribute('aria-busy'), null);
    // Every turn drawn: its answer's text is in the DOM.
    for (const t of [turns[0]!, turns[turnsPerPage]!, turns.at(-1)!]) {
      const el = h.doc.querySelector(`.turn[data-turn-id="${t.id}"] .md-text`);
      assert.match(el?.textContent ?? '', new RegExp(`Answer ${t.id.slice(1)}\\.`));
    }
    assert.equal(h.doc.querySelectorAll('.turn.latest').length, 1);
    assert.equal((h.doc.querySelector('.turn.latest') as HTMLElement).dataset.turnId, turns.at(-1)!.id);
  });

  it('pages of a replaced snapshot change nothing, and a page of turns already shown adds none twice', () => {
    const h = chatHarness();
    const a = snapshotMessages(1, { chatId: 'a', turns: chatOf(turnsPerPage + 3, 'a'), runningTurnId: null }, strings, settings);
    const bTurns = chatOf(turnsPerPage + 2, 'b');
    const b = snapshotMessages(2, { chatId: 'b', turns: bTurns, runningTurnId: null }, strings, settings);
    h.send(a[0]!);
    h.send(b[0]!);
    h.send(a[1]!); // late: belongs to snapshot 1
    h.send(b[1]!);
    h.send(b[1]!); // again: nothing more is owed
    h.frame();
    assert.deepEqual(shownTurns(h), bTurns.map((t) => t.id));
  });
});
