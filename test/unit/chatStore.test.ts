import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ChatStore } from '../../src/chat/chatStore';
import { SaveThrottle } from '../../src/chat/saveThrottle';
import { type ChatRecord, chatFileFormat, chatTitle, chatText, parseChatFile } from '../../src/chat/storedChat';
import { createProvider } from '../../src/engine/createProvider';
import { RunStream } from '../../src/engine/runStream';
import type { Turn } from '../../src/shared/protocol';
import { makeChartPng } from '../fake/png';
import { startFakeServer } from '../fake/server';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ct-store-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const png = makeChartPng(64, 40);

function turn(n: number, extra: Record<string, unknown> = {}): Turn {
  return {
    id: `turn_${n}`,
    question: { text: `Question ${n}: how do I plot?` },
    run: {
      status: 'completed',
      error: null,
      responseId: `resp_${n}`,
      items: [
        { type: 'text', id: `t${n}`, text: `Here is plot **${n}**.` },
        {
          type: 'code',
          id: `c${n}`,
          language: 'python',
          code: `plt.plot([${n}])`,
          status: 'done',
          outputs: [
            { type: 'logs', text: `log ${n}\n` },
            { type: 'image', mime: 'image/png', base64: png.toString('base64') },
            { type: 'file', name: 'data.csv', mime: 'text/csv', bytes: 6, base64: Buffer.from('a,b\n1,').toString('base64'), fileId: 'file_1' },
          ],
        },
      ],
    },
    ...extra,
  } as Turn;
}

function record(id: string, turns: Turn[], more: Partial<ChatRecord> = {}): ChatRecord {
  return { id, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_100_000, turns, conversation: { responseId: 'resp_last' }, state: {}, ...more };
}

test('a chat round-trips exactly, with image and file bytes in separate files, not base64 in the JSON', async () => {
  const dir = tempDir();
  const store = new ChatStore(dir);
  const r = record('chat_a', [turn(1), turn(2, { prediction: { text: '3', match: true } })], {
    state: { mode: 'hint', course: { name: 'CS101' }, chatMessages: [{ role: 'user', content: 'x' }] },
    conversation: { responseId: 'resp_9', threadId: 'thread_1' },
  });
  await store.save(r);
  const json = readFileSync(join(dir, 'chat_a.json'), 'utf8');
  assert.ok(!json.includes(png.toString('base64').slice(0, 40)), 'image bytes must not be inside the JSON');
  assert.ok(!json.includes('"base64"'), 'no base64 field in the JSON');
  const blobs = readdirSync(join(dir, 'chat_a.files'));
  assert.equal(blobs.filter((b) => b.endsWith('.png')).length, 1, 'the same image twice is stored once');
  assert.equal(blobs.filter((b) => b.endsWith('.csv')).length, 1);
  const png0 = blobs.find((b) => b.endsWith('.png'))!;
  assert.deepEqual(readFileSync(join(dir, 'chat_a.files', png0)), png);

  const loaded = await new ChatStore(dir).load('chat_a');
  assert.ok('record' in loaded, JSON.stringify(loaded));
  assert.deepEqual(loaded.record, r);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary files left');
});

test('list: summaries newest first with title, date and mode; damaged files are reported by name, skipped and kept', async () => {
  const dir = tempDir();
  const store = new ChatStore(dir, { maxFileBytes: 200_000 });
  await store.save(record('chat_old', [turn(1)], { updatedAt: 1 }));
  await store.save(record('chat_new', [turn(2)], { updatedAt: 2, title: 'Renamed', state: { mode: 'review' } }));
  const good = readFileSync(join(dir, 'chat_old.json'), 'utf8');
  const damaged: Record<string, string> = {
    'chat_trunc.json': good.replace(/chat_old/g, 'chat_trunc').slice(0, Math.floor(good.length / 2)),
    'chat_shape.json': JSON.stringify({ format: chatFileFormat, version: 1, chat: { id: 'chat_shape', createdAt: 1, updatedAt: 1, turns: [{ id: 'x' }], conversation: {} } }),
    'chat_newer.json': JSON.stringify({ format: chatFileFormat, version: 99, chat: {} }),
    'chat_huge.json': JSON.stringify({ format: chatFileFormat, pad: 'x'.repeat(300_000) }),
    'chat_other.json': '[1,2,3]',
    'chat_renamed.json': good,
  };
  for (const [name, text] of Object.entries(damaged)) writeFileSync(join(dir, name), text);
  const { summaries, problems } = await store.list('Untitled');
  assert.deepEqual(
    summaries.map((s) => [s.id, s.title, s.mode, s.turnCount]),
    [
      ['chat_new', 'Renamed', 'review', 1],
      ['chat_old', 'Question 1: how do I plot?', undefined, 1],
    ],
  );
  assert.deepEqual(problems.map((p) => p.file).sort(), Object.keys(damaged).sort());
  assert.match(problems.find((p) => p.file === 'chat_trunc.json')!.reason, /JSON/);
  assert.match(problems.find((p) => p.file === 'chat_shape.json')!.reason, /turn 0/);
  assert.match(problems.find((p) => p.file === 'chat_newer.json')!.reason, /newer/);
  assert.match(problems.find((p) => p.file === 'chat_huge.json')!.reason, /too big/);
  for (const name of Object.keys(damaged)) assert.ok(existsSync(join(dir, name)), `${name} must not be deleted`);
  const bad = await store.load('chat_trunc');
  assert.ok('problem' in bad && bad.problem.file === 'chat_trunc.json');
});

test('parseChatFile refuses wrong shapes and keeps unknown fields', () => {
  for (const bad of [null, 1, 'x', {}, { format: 'other', version: 1 }, { format: chatFileFormat }, { format: chatFileFormat, version: 1, chat: { id: '../etc' } }]) {
    assert.ok('problem' in parseChatFile(bad), JSON.stringify(bad));
  }
  const chat = (conversation: unknown) => ({ format: chatFileFormat, version: 1, chat: { id: 'c1', createdAt: 1, updatedAt: 2, turns: [], conversation } });
  for (const conversation of [{ threadId: 7 }, { responseId: '' }, { inputTurn: 'x'.repeat(501) }, { messages: 'hi' }, { input: {} }, { clientState: 'yes' }, { rewind: { runIds: [1] } }, { rewind: 'r' }]) {
    const parsed = parseChatFile(chat(conversation));
    assert.ok('problem' in parsed && /conversation/.test(parsed.problem), JSON.stringify(conversation));
  }
  assert.ok('record' in parseChatFile(chat({ threadId: 'thread_1', rewind: { runIds: ['run_1'] }, input: [], inputTurn: 't1', clientState: true })));
  const ok = parseChatFile({ format: chatFileFormat, version: 1, chat: { id: 'c1', createdAt: 1, updatedAt: 2, turns: [], conversation: { messages: [1] }, future: true } });
  assert.ok('record' in ok);
  assert.deepEqual(ok.record.conversation, { messages: [1] });
  assert.deepEqual(ok.record.state, {});
});

test('writes of one chat never interleave: the last save wins and the file is always whole', async () => {
  const dir = tempDir();
  const store = new ChatStore(dir);
  const saves: Promise<void>[] = [];
  for (let n = 1; n <= 20; n++) saves.push(store.save(record('chat_c', Array.from({ length: n }, (_, i) => turn(i)))));
  await Promise.all(saves);
  const loaded = await store.load('chat_c');
  assert.ok('record' in loaded);
  assert.equal(loaded.record.turns.length, 20);
});

test('delete moves a chat to the trash; restore undoes it; emptying the trash removes it', async () => {
  const dir = tempDir();
  const store = new ChatStore(dir);
  await store.save(record('chat_d', [turn(1)]));
  assert.equal(await store.trash('chat_d'), true);
  assert.deepEqual((await store.list()).summaries, []);
  assert.equal(await store.restore('chat_d'), true);
  const back = await store.load('chat_d');
  assert.ok('record' in back);
  assert.equal((back.record.turns[0].run.items[1] as unknown as { outputs: { base64?: string }[] }).outputs[1].base64, png.toString('base64'));
  assert.equal(await store.trash('chat_d'), true);
  await store.emptyTrash();
  assert.equal(await store.restore('chat_d'), false);
  assert.equal(await store.trash('chat_nothing'), false);
});

test('title and search text come from the questions and answers', () => {
  const r = record('chat_t', [turn(1)]);
  assert.equal(chatTitle(r), 'Question 1: how do I plot?');
  assert.equal(chatTitle(record('chat_e', [])), 'New chat');
  assert.equal(chatTitle({ turns: [{ ...turn(1), question: { text: 'x'.repeat(200) } }] }).length, 80);
  const text = chatText(r);
  for (const s of ['Question 1', 'plot **1**', 'plt.plot([1])', 'log 1']) assert.ok(text.includes(s), s);
});

test('SaveThrottle: many changes give few saves, at least one per interval, and now() saves at once', async () => {
  let saves = 0;
  const t = new SaveThrottle(async () => {
    saves++;
    await new Promise((r) => setTimeout(r, 5));
  }, 40);
  const started = Date.now();
  while (Date.now() - started < 200) {
    t.changed();
    await new Promise((r) => setTimeout(r, 2));
  }
  assert.ok(saves >= 3 && saves <= 6, `saves while streaming for 200 ms at a 40 ms interval: ${saves}`);
  const before = saves;
  await t.now();
  assert.equal(saves, before + 1);
  t.changed();
  await t.dispose();
  assert.equal(saves, before + 2, 'a scheduled save is written on dispose');
  t.changed();
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(saves, before + 2, 'nothing is scheduled after dispose');
});

test('no API key is ever written: real runs against the fake server (a plot, and a 401), saved while streaming, every stored file grepped', async () => {
  const key = 'sk-test-SECRET-9f8e7d6c5b4a39281706';
  const server = await startFakeServer({ apiKey: 'another-key' });
  const good = await startFakeServer();
  try {
    const dir = tempDir();
    const store = new ChatStore(dir);
    const turns: Turn[] = [];
    for (const [srv, q] of [
      [good, 'Plot something [scenario:plot]'],
      [server, 'This one fails'],
    ] as const) {
      const provider = createProvider({ protocol: 'responses', apiKey: key, baseUrl: srv.url, model: 'gpt-5-mini' });
      const run = RunStream.start(provider, { question: { text: q } });
      let saves = 0;
      run.on('event', (_e, snapshot) => {
        if (saves++ % 5 === 0) void store.save(record('chat_key', [...turns, { id: `turn_${turns.length}`, question: { text: q }, run: snapshot }]));
      });
      turns.push({ id: `turn_${turns.length}`, question: { text: q }, run: await run.done() });
      await store.save(record('chat_key', turns));
    }
    assert.equal(turns[0].run.status, 'completed');
    assert.equal(turns[1].run.status, 'failed');
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    assert.ok(files.some((f) => f.name.endsWith('.png')), 'the plot was stored');
    for (const f of files) {
      const bytes = readFileSync(join(f.parentPath, f.name)).toString('latin1');
      assert.ok(!bytes.includes(key.slice(0, 12)), `${f.name} contains the key`);
    }
  } finally {
    await server.close();
    await good.close();
  }
});
