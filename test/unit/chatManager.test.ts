/**
 * The chat manager with real sessions, a real store in a temp folder and the real Responses provider talking to the
 * fake server over HTTP (only the `vscode` module itself is replaced, by test/fake/vscodeApi.ts): saved while it
 * streams, restored chats continuing the server conversation, regenerate and edit-and-resend, rename, delete and
 * undo, search, the old memento chat migrated once, damaged files reported.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ChatManager as ChatManagerType } from '../../src/chat/chatManager';
import type { RunSetup } from '../../src/chat/chatSession';
import { ChatStore } from '../../src/chat/chatStore';
import { createProvider } from '../../src/engine/createProvider';
import { PyodideInterpreter } from '../../src/engine/interpreter/pyodide/pyodideInterpreter';
import { type FakeServer, startFakeServer } from '../fake/server';
import { MemoryMemento, installVscodeApi, memoryLog } from '../fake/vscodeApi';

installVscodeApi();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ChatManager } = require('../../src/chat/chatManager') as { ChatManager: typeof ChatManagerType };

const key = 'sk-test-MANAGER-SECRET-0123456789abcdef';
let server: FakeServer;
const dirs: string[] = [];
before(async () => {
  server = await startFakeServer();
});
after(async () => {
  await server.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function setup(): RunSetup {
  return {
    log: memoryLog() as unknown as RunSetup['log'],
    tools: () => [],
    provider: async () => createProvider({ protocol: 'responses', apiKey: key, baseUrl: server.url, model: 'gpt-5-mini' }),
  };
}

function newDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ct-manager-'));
  dirs.push(d);
  return d;
}

async function manager(dir: string, memento: MemoryMemento) {
  const m = new ChatManager(new ChatStore(dir), setup(), memento as never);
  const problems = await m.init();
  return { m, problems };
}

function finished(m: ChatManagerType, slot: 'sidebar' | 'panel' = 'sidebar'): Promise<void> {
  return new Promise((resolve) => {
    const sub = m[slot].session.onDidChange((c) => {
      if (c.type === 'event' && c.event.kind === 'run.finished') {
        sub.dispose();
        resolve();
      }
    });
  });
}

function stored(dir: string, id: string) {
  return JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as {
    chat: { title?: string; turns: { question: { text: string }; run: { status: string; responseId?: string; items: { type: string; text?: string }[] } }[] };
  };
}

const posts = () => server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/responses'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a chat is on disk while it streams (at least once a second) and complete at once when the run ends', async () => {
  const dir = newDir();
  const { m } = await manager(dir, new MemoryMemento());
  const s = m.sidebar.session;
  const done = finished(m);
  assert.equal(await s.ask({ text: 'Teach me slowly [delay:60]' }), true);
  // Events come 60 ms apart, so the run lasts several seconds: well before it ends, the file holds the answer so far.
  let mid: ReturnType<typeof stored> | undefined;
  for (let i = 0; i < 40 && !mid; i++) {
    await sleep(100);
    if (existsSync(join(dir, `${s.id}.json`))) {
      const j = stored(dir, s.id);
      if (j.chat.turns[0]?.run.items.some((it) => (it.text ?? '').length > 0)) mid = j;
    }
  }
  assert.ok(mid, 'saved while streaming');
  assert.equal(mid.chat.turns[0].run.status, 'in_progress');
  await done;
  // Saved when the run ends, without waiting for the next throttled save (no timing asserted: the machine is shared).
  let status = '';
  for (let i = 0; i < 100 && status !== 'completed'; i++) {
    await sleep(50);
    status = stored(dir, s.id).chat.turns[0].run.status;
  }
  assert.equal(status, 'completed', 'saved at the end of the run');
  assert.equal(m.list()[0].title, 'Teach me slowly [delay:60]');
  m.dispose();
});

test('the History is not redrawn while an answer streams: a new chat is listed when its first answer ends', async () => {
  const dir = newDir();
  const { m } = await manager(dir, new MemoryMemento());
  const s = m.sidebar.session;
  const redrawn: Array<{ running: boolean; titles: string[] }> = [];
  m.onDidChangeHistory(() => redrawn.push({ running: s.isRunning, titles: m.list().map((c) => c.title) }));
  const done = finished(m);
  // Events 60 ms apart: the run lasts seconds, so the chat is saved (and changes its History entry) while it streams.
  assert.equal(await s.ask({ text: 'Take your time [delay:60]' }), true);
  let savedMidRun = false;
  for (let i = 0; i < 40 && !savedMidRun; i++) {
    await sleep(100);
    savedMidRun = existsSync(join(dir, `${s.id}.json`)) && stored(dir, s.id).chat.turns[0].run.status === 'in_progress';
  }
  assert.ok(savedMidRun, 'saved while streaming');
  assert.deepEqual(redrawn, [], 'no History redraw while the answer streams');
  assert.equal(m.list()[0]?.title, 'Take your time [delay:60]', 'the list itself is current');
  await done;
  await m.flush();
  assert.deepEqual(redrawn.at(-1), { running: false, titles: ['Take your time [delay:60]'] }, 'redrawn with the save at the end of the run');
  m.dispose();
});

test('a restored chat continues the same server conversation; regenerate and edit-and-resend go back one answer', async () => {
  const dir = newDir();
  const memento = new MemoryMemento();
  const first = await manager(dir, memento);
  let done = finished(first.m);
  await first.m.sidebar.session.ask({ text: 'What is a closure?' });
  await done;
  const id = first.m.sidebar.session.id;
  await first.m.flush();
  first.m.dispose();
  const responseId = stored(dir, id).chat.turns[0].run.responseId;
  assert.match(responseId ?? '', /^resp_/);

  // "Restart": a new manager on the same folder and workspace state reopens the sidebar's chat.
  const { m } = await manager(dir, memento);
  assert.equal(m.sidebar.session.id, id);
  assert.equal(m.sidebar.session.turnCount, 1);
  const n = posts().length;
  done = finished(m);
  await m.sidebar.session.ask({ text: 'And a follow-up?' });
  await done;
  assert.equal((posts()[n].body as { previous_response_id?: string }).previous_response_id, responseId, 'the follow-up continues from the stored answer');
  const secondId = m.sidebar.session.toRecord().turns[1].run.responseId;

  done = finished(m);
  assert.equal(await m.sidebar.session.regenerate(), true);
  await done;
  assert.equal(m.sidebar.session.turnCount, 2, 'regenerate replaces the last answer');
  assert.equal((posts()[n + 1].body as { previous_response_id?: string }).previous_response_id, responseId, 'regenerate continues from the answer before');
  assert.notEqual(m.sidebar.session.toRecord().turns[1].run.responseId, secondId);

  done = finished(m);
  assert.equal(await m.sidebar.session.editLast('An edited follow-up'), true);
  await done;
  const turns = m.sidebar.session.toRecord().turns;
  assert.deepEqual(
    turns.map((t) => t.question.text),
    ['What is a closure?', 'An edited follow-up'],
  );
  assert.equal((posts()[n + 2].body as { previous_response_id?: string }).previous_response_id, responseId);
  assert.match(JSON.stringify(posts()[n + 2].body), /An edited follow-up/);
  await m.flush();
  assert.deepEqual(
    stored(dir, id).chat.turns.map((t) => t.question.text),
    ['What is a closure?', 'An edited follow-up'],
  );
  m.dispose();
});

test('many chats: new, open, rename, delete and restore, search; nothing stores the key', async () => {
  const dir = newDir();
  const { m } = await manager(dir, new MemoryMemento());
  const ids: string[] = [];
  for (const q of ['Loops in Python', 'What is a closure?', 'Plot a sine wave [scenario:plot]']) {
    const s = m.newChat(m.sidebar);
    const done = finished(m);
    await s.ask({ text: q });
    await done;
    ids.push(s.id);
  }
  await m.flush();
  assert.equal(new Set(ids).size, 3);
  assert.deepEqual(
    m.list().map((s) => s.title),
    ['Plot a sine wave [scenario:plot]', 'What is a closure?', 'Loops in Python'],
  );
  assert.equal(m.newChat(m.sidebar), m.newChat(m.sidebar), 'an empty new chat is reused, not piled up');
  assert.equal(await m.open(ids[0], m.sidebar), undefined);
  assert.equal(m.sidebar.session.id, ids[0]);
  assert.equal(await m.open(ids[2], m.panel), undefined);
  assert.equal(m.panel.session.id, ids[2]);

  await m.rename(ids[1], 'Closures lesson');
  assert.ok(m.list().some((s) => s.title === 'Closures lesson'));
  assert.equal(stored(dir, ids[1]).chat.title, 'Closures lesson');

  assert.deepEqual(
    (await m.search('closure')).map((s) => s.id),
    [ids[1]],
  );
  assert.deepEqual((await m.search('LOOPS python')).map((s) => s.id), [ids[0]]);

  assert.equal(await m.delete(ids[0]), true);
  assert.notEqual(m.sidebar.session.id, ids[0], 'the sidebar moved to a new chat');
  assert.equal(m.list().length, 2);
  assert.ok(!existsSync(join(dir, `${ids[0]}.json`)));
  assert.equal(await m.restore(ids[0]), true);
  assert.equal(m.list().length, 3);
  const back = await m.record(ids[0]);
  assert.ok('turns' in back && back.turns[0].question.text === 'Loops in Python');

  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
    assert.ok(!readFileSync(join(f.parentPath, f.name)).toString('latin1').includes(key.slice(0, 12)), `${f.name} holds the key`);
  }
  m.dispose();
});

test('the old memento chats move into the store once; a damaged file is reported by name and kept', async () => {
  const dir = newDir();
  const oldTurn = { id: 'turn_1', question: { text: 'Old question' }, run: { status: 'completed', error: null, responseId: 'resp_old', items: [{ type: 'text', id: 'm', text: 'Old answer' }] } };
  const memento = new MemoryMemento({
    'codeTutor.chat.sidebar': { version: 1, chatId: 'chat_old1', turns: [oldTurn], conversation: { responseId: 'resp_old' } },
    'codeTutor.chat.panel': { version: 1, chatId: 'chat_old2', turns: [], conversation: {} },
  });
  writeFileSync(join(dir, 'chat_bad.json'), '{"format":"code-tutor.chat","version":1,"chat":{"id":"chat_bad","turns":[');
  const { m, problems } = await manager(dir, memento);
  assert.deepEqual(
    problems.map((p) => p.file),
    ['chat_bad.json'],
  );
  assert.ok(existsSync(join(dir, 'chat_bad.json')), 'never deleted');
  assert.deepEqual(
    m.list().map((s) => s.id),
    ['chat_old1'],
    'the empty panel chat is not history',
  );
  assert.equal(m.sidebar.session.id, 'chat_old1');
  assert.equal(memento.get('codeTutor.chat.sidebar'), undefined);
  assert.equal(stored(dir, 'chat_old1').chat.turns[0].run.items[0].text, 'Old answer');
  m.dispose();

  // A second start does not migrate again (the old key could come back from a stale sync; it stays ignored).
  await memento.update('codeTutor.chat.sidebar', { version: 1, chatId: 'chat_old3', turns: [oldTurn], conversation: {} });
  const again = await manager(dir, memento);
  assert.deepEqual(
    again.m.list().map((s) => s.id),
    ['chat_old1'],
  );
  // The follow-up of a migrated chat continues its old conversation.
  const n = posts().length;
  const done = finished(again.m);
  await again.m.sidebar.session.ask({ text: 'Continue' });
  await done;
  assert.equal((posts()[n].body as { previous_response_id?: string }).previous_response_id, 'resp_old');
  again.m.dispose();
});

test('a question asked in a given mode (Review My Code) runs in that mode: review instructions, the hint guard on its text', async () => {
  const dir = newDir();
  const { m } = await manager(dir, new MemoryMemento());
  const s = m.sidebar.session;
  const before = server.requests.length;
  let done = finished(m);
  assert.equal(await s.ask({ text: 'Review my code [scenario:solution]' }, { mode: 'review' }), true);
  await done;
  const review = server.requests.slice(before).find((r) => r.path.endsWith('/responses'));
  assert.match(String((review?.body as { instructions?: string }).instructions), /Mode: REVIEW/);
  // The 15-line solution the scripted model writes is withheld in review mode too.
  const items = s.snapshot().turns[0].run.items;
  assert.ok(items.some((i) => i.type === 'withheld'), 'the guard withheld the long code');
  // Without the option, the chat's own mode (explain, no course here) applies: nothing is withheld.
  done = finished(m);
  const after = server.requests.length;
  assert.equal(await s.ask({ text: 'Explain it [scenario:solution]' }), true);
  await done;
  const plain = server.requests.slice(after).find((r) => r.path.endsWith('/responses'));
  assert.doesNotMatch(String((plain?.body as { instructions?: string }).instructions), /Mode: REVIEW/);
  assert.ok(!s.snapshot().turns[1].run.items.some((i) => i.type === 'withheld'), 'explain mode withholds nothing');
  m.dispose();
});

test('a chat whose code runs in Pyodide starts its interpreter when it is shown; the first question uses that one; hosted chats start none', async () => {
  const made: PyodideInterpreter[] = [];
  let mode: 'hosted' | 'local' | 'off' = 'local';
  let runtime: 'pyodide' | 'python' = 'pyodide';
  const local: RunSetup = {
    ...setup(),
    provider: async () => createProvider({ protocol: 'chat', apiKey: key, baseUrl: server.url, model: 'qwen2.5-coder:7b' }),
    interpreter: {
      mode: () => mode,
      warmOnOpen: () => runtime === 'pyodide',
      create: () => {
        const py = new PyodideInterpreter();
        made.push(py);
        void py.warm().catch(() => undefined); // what createLocalInterpreter does
        return py;
      },
    },
  };
  const m = new ChatManager(new ChatStore(newDir()), local, new MemoryMemento() as never);
  await m.init();
  try {
    const s = m.sidebar.session;
    assert.equal(made.length, 0, 'nothing starts before a chat is shown');
    s.prewarm();
    s.prewarm();
    assert.equal(made.length, 1, 'shown: one interpreter, started once');
    await made[0].warm(); // ready before the question: the learner was still typing
    const done = finished(m);
    assert.equal(await s.ask({ text: 'squares [scenario:chat:tutor]' }), true);
    await done;
    assert.equal(made.length, 1, 'the first question used the interpreter started when the chat was shown');
    const code = s.snapshot().turns[0].run.items.find((i) => i.type === 'code');
    assert.ok(code?.type === 'code' && code.runtime === 'pyodide' && code.status === 'done', JSON.stringify(code));
    assert.match(code.outputs.map((o) => (o.type === 'logs' ? o.text : '')).join(''), /sum: 55/);

    // New Chat in the same session: a fresh namespace, started again when shown.
    s.reset();
    s.prewarm();
    assert.equal(made.length, 2);
    // Hosted interpreter, no interpreter, or the learner's own Python (it starts per cell): nothing to start.
    const other = m.newChat(m.panel);
    for (const [md, rt] of [['hosted', 'pyodide'], ['off', 'pyodide'], ['local', 'python']] as const) {
      mode = md;
      runtime = rt;
      other.prewarm();
    }
    assert.equal(made.length, 2);
  } finally {
    m.dispose();
    for (const py of made) py.dispose();
  }
});

test('the first chat answered while the history is still being read stays in the History list', async () => {
  // A store whose folder listing is slow: the first question is answered and saved before the list comes back
  // (a fresh profile, a fast chat-completions server), and the list read the folder before that save.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  class SlowListStore extends ChatStore {
    override async list(untitled?: string) {
      const listed = await super.list(untitled);
      await gate;
      return listed;
    }
  }
  const chat: RunSetup = { ...setup(), provider: async () => createProvider({ protocol: 'chat', apiKey: key, baseUrl: server.url, model: 'qwen2.5-coder:7b' }) };
  const m = new ChatManager(new SlowListStore(newDir()), chat, new MemoryMemento() as never);
  try {
    const changes: string[][] = [];
    m.onDidChangeHistory(() => changes.push(m.list().map((s) => s.title)));
    const init = m.init();
    const done = finished(m);
    assert.equal(await m.sidebar.session.ask({ text: 'What is a list?' }), true);
    await done;
    await m.flush();
    assert.deepEqual(changes.at(-1), ['What is a list?'], 'listed once saved');
    release();
    await init;
    assert.deepEqual(
      m.list().map((s) => s.title),
      ['What is a list?'],
      'still listed after the history was read',
    );
    assert.deepEqual(changes.at(-1), ['What is a list?'], 'the last change the History saw lists it');
  } finally {
    m.dispose();
  }
});
