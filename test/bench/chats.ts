/**
 * Chats and history figures (`npm run bench`; figures, never assertions):
 *   - host → webview messages per second for a stream of ~2,000 deltas/s, one message per event (before) and
 *     coalesced per ~16 ms frame by EventBatcher (after), with the bytes posted;
 *   - the time to open a saved chat of 200 turns: load from the store (images from their files), build and serialize
 *     the snapshot the host posts, and render it once in the real webview renderer (happy-dom);
 *   - extension-host heap for a history of 100 saved chats (the store's summaries, as the manager keeps them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Window } from 'happy-dom';
import { ChatStore } from '../../src/chat/chatStore';
import type { ChatRecord } from '../../src/chat/storedChat';
import { type HostToWebview, type LiveMessage, type Turn, type UiStrings, uiStringKeys } from '../../src/shared/protocol';
import { EventBatcher } from '../../src/views/eventBatcher';
import { makeChartPng } from '../fake/png';
import type { Gc } from './measure';
import { median } from './measure';
import { num, printTable } from './table';

const png = makeChartPng(320, 200).toString('base64');

function bigTurn(i: number): Turn {
  const text = `Step ${i}: ` + 'A list comprehension builds a list from an iterable in one expression. '.repeat(25);
  return {
    id: `turn_${i}`,
    question: { text: `Question ${i}: how do comprehensions compare with loops?` },
    run: {
      status: 'completed',
      error: null,
      responseId: `resp_${i}`,
      items: [
        { type: 'text', id: `t${i}a`, text },
        {
          type: 'code',
          id: `c${i}`,
          language: 'python',
          code: `squares = [n * n for n in range(${i + 10})]\nprint(sum(squares))\n`.repeat(4),
          status: 'done',
          outputs: [{ type: 'logs', text: `${i * 385}\n`.repeat(5) }, ...(i % 10 === 0 ? [{ type: 'image' as const, mime: 'image/png', base64: png }] : [])],
        },
        { type: 'text', id: `t${i}b`, text: 'So the comprehension is shorter, and usually a little faster. '.repeat(8) },
      ],
    },
  };
}

export function savedChat(id: string, turns: number): ChatRecord {
  return { id, createdAt: Date.now(), updatedAt: Date.now(), turns: Array.from({ length: turns }, (_, i) => bigTurn(i)), conversation: { responseId: 'resp_x' }, state: { mode: 'explain' } };
}

/** Replays `seconds` of a stream at ~2,000 deltas/s in real time through the batcher; counts what is posted. */
async function coalescing(seconds: number): Promise<{ events: number; before: { messages: number; bytes: number }; after: { messages: number; bytes: number } }> {
  const after = { messages: 0, bytes: 0 };
  const before = { messages: 0, bytes: 0 };
  const batcher = new EventBatcher({
    post: (m: HostToWebview) => {
      after.messages++;
      after.bytes += JSON.stringify(m).length;
    },
    snapshot: () => undefined,
  });
  let events = 0;
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    // Node's timers tick at 1 ms: two deltas per tick is ~2,000 a second.
    for (let k = 0; k < 2; k++) {
      const m: LiveMessage = { type: 'event', turnId: 'turn_1', event: { kind: 'text.delta', id: 'msg_1', delta: 'abcd'.slice(0, 1 + (n++ % 4)) } };
      before.messages++;
      before.bytes += JSON.stringify(m).length;
      batcher.push(m);
      events++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  batcher.flush();
  const elapsed = seconds;
  return {
    events,
    before: { messages: before.messages / elapsed, bytes: before.bytes / elapsed },
    after: { messages: after.messages / elapsed, bytes: after.bytes / elapsed },
  };
}

async function renderSnapshot(turns: readonly Turn[]): Promise<number> {
  const { ChatView } = (await import(join(__dirname, '../../webview/render/chatView.ts'))) as {
    ChatView: new (deps: unknown) => { handle(m: HostToWebview): void; flush(): void };
  };
  const window = new Window();
  const doc = window.document;
  const root = doc.createElement('div');
  doc.body.append(root);
  const strings = Object.fromEntries(uiStringKeys.map((k) => [k, k])) as UiStrings;
  const view = new ChatView({ doc, root, post: () => undefined, now: () => 0, requestFrame: () => undefined, reducedMotion: () => true });
  const t0 = performance.now();
  view.handle({ type: 'snapshot', chat: { chatId: 'chat_big', turns, runningTurnId: null }, strings, settings: { typewriter: false } });
  view.flush();
  const ms = performance.now() - t0;
  await window.happyDOM.close();
  return ms;
}

export async function benchChats(gc: Gc | undefined): Promise<void> {
  const c = await coalescing(2);
  printTable(
    'Host → webview messages while streaming ~2,000 deltas/s (2 s, real timers)',
    ['', 'messages/s', 'KB/s posted'],
    [
      ['one message per event (before)', num(c.before.messages, 0), num(c.before.bytes / 1024, 1)],
      ['coalesced per ~16 ms frame (after)', num(c.after.messages, 0), num(c.after.bytes / 1024, 1)],
    ],
    [`${c.events} events; ${num(c.before.messages / c.after.messages, 1)}x fewer messages, each carrying ${num(c.events / (c.after.messages * 2), 1)} events on average`],
  );

  const dir = mkdtempSync(join(tmpdir(), 'ct-bench-chats-'));
  try {
    const store = new ChatStore(dir);
    const big = savedChat('chat_big', 200);
    await store.save(big);
    const loads: number[] = [];
    const snapshots: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 7; i++) {
      const fresh = new ChatStore(dir); // no cache of earlier loads
      const t0 = performance.now();
      const r = await fresh.load('chat_big');
      const t1 = performance.now();
      if (!('record' in r)) throw new Error(r.problem.reason);
      const json = JSON.stringify({ type: 'snapshot', chat: { chatId: r.record.id, turns: r.record.turns, runningTurnId: null } });
      snapshots.push(performance.now() - t1);
      loads.push(t1 - t0);
      bytes = json.length;
    }
    const renders: number[] = [];
    renders.push(await renderSnapshot(big.turns)); // one pass: happy-dom is much slower than a browser
    printTable(
      'Opening a saved chat of 200 turns (20 images)',
      ['step', 'median ms'],
      [
        ['load from the store (JSON + image files)', num(median(loads), 1)],
        ['build + serialize the snapshot message', num(median(snapshots), 1)],
        ['render it once in the webview renderer (happy-dom, not a browser)', num(median(renders), 0)],
      ],
      [`snapshot message ${num(bytes / 1024, 0)} KB`],
    );

    // 100 saved chats of 20 turns each; the manager keeps their summaries, and the chats it shows.
    for (let i = 0; i < 100; i++) await store.save(savedChat(`chat_h${i}`, 20));
    const heap = () => {
      gc?.collect();
      gc?.collect();
      return process.memoryUsage().heapUsed;
    };
    const heap0 = heap();
    const fresh = new ChatStore(dir);
    const t0 = performance.now();
    const listed = await fresh.list();
    const listMs = performance.now() - t0;
    const heap1 = heap();
    const opened: ChatRecord[] = [];
    for (const s of listed.summaries) {
      const r = await fresh.load(s.id);
      if ('record' in r) opened.push(r.record);
    }
    const heap2 = heap();
    printTable(
      'History of 100 saved chats of 20 turns (+ the 200-turn one), extension-host side',
      ['', 'value'],
      [
        ['list (read + validate every file)', `${num(listMs, 0)} ms`],
        ['heap retained by the history (summaries, what the manager keeps)', gc ? `${num((heap1 - heap0) / 1024, 0)} KB` : 'no gc: not measured'],
        ['heap if every chat were open at once (images inlined)', gc ? `${num((heap2 - heap0) / 1024 / 1024, 1)} MB` : 'no gc: not measured'],
      ],
      [`${listed.summaries.length} chats listed, ${listed.problems.length} problems, ${opened.length} opened`],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
