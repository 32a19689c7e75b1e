/**
 * A connection dropped after event k, for every k of the fake server's tutor stream, whole events and cut mid-event,
 * Responses (also in background mode, resumed with starting_after), Assistants and Chat Completions (both streams of a `run_python` round): nothing shown is lost or
 * duplicated; runs whose server kept the answer are recovered, and the others end with a clear error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureReliability } from '../bench/reliability';
import type { RunTranscript } from '../../src/shared/transcript';

// Every 10th k here (and the last) to keep the unit suite quick; `npm run bench` tries every k.
test('dropped after event k (and mid-event): 0 characters lost, 0 duplicated, and runs recovered', async () => {
  const background: Array<{ fault: string; status: string }> = [];
  const r = await measureReliability(['responses', 'responses (background)', 'assistants'], 10, (c, fault, t) => {
    if (c === 'responses (background)') background.push({ fault, status: t.status });
  });
  assert.deepEqual(Object.keys(r.byProtocol), ['responses', 'responses (background)', 'assistants']);
  for (const [protocol, s] of Object.entries(r.byProtocol)) {
    assert.ok(s.events > 20, `${protocol}: a realistic stream (${s.events} events)`);
    assert.equal(s.tried, 2 * (Math.ceil((s.events - 1) / 10) + 1));
    assert.equal(s.lost, 0, `${protocol}: characters lost`);
    assert.equal(s.duplicated, 0, `${protocol}: characters duplicated`);
    // Before the server named the response / run nothing can be asked for; after that every run comes back.
    assert.ok(s.recovered >= s.tried - 4, `${protocol}: recovered ${s.recovered} of ${s.tried}`);
  }
  assert.equal(r.charactersLost, 0);
  assert.equal(r.charactersDuplicated, 0);
  // Background mode: once the server named the response (its first event), every drop is resumed with starting_after;
  // before it (drop:0, whole or mid-event) there is nothing to resume.
  const bg = r.byProtocol['responses (background)'];
  assert.equal(background.length, bg.tried);
  for (const x of background) assert.equal(x.status, x.fault.startsWith('drop:0') ? 'failed' : 'completed', x.fault);
  assert.equal(bg.recovered, bg.tried - 2);
  assert.equal(bg.resumed, bg.recovered, 'each recovered by resuming the stream');
});

// Chat Completions keeps nothing on the server to ask for again, so every k of both streams is tried here: a drop
// after `finish_reason` (only usage and [DONE] lost) completes the round, a drop before any byte is retried, and every
// other drop ends the run failed, naming the lost connection, with what was shown kept.
test('chat: a run_python round dropped after every event k of both streams: nothing lost or repeated, a clear error or the whole answer', async () => {
  const runs: Array<{ fault: string; t: RunTranscript }> = [];
  const r = await measureReliability(['chat'], 1, (_p, fault, t) => runs.push({ fault, t }));
  const s = r.byProtocol.chat;
  assert.ok(s.events > 40, `two realistic streams (${s.events} events)`);
  assert.equal(s.tried, 2 * s.events);
  assert.equal(runs.length, s.tried);
  assert.ok(runs.some((x) => x.fault.includes('after=1')), 'the answer after the tool result is cut too');
  assert.equal(s.lost, 0, 'characters lost');
  assert.equal(s.duplicated, 0, 'characters duplicated');
  for (const { fault, t } of runs) {
    if (t.status === 'completed') continue;
    assert.equal(t.status, 'failed', fault);
    assert.equal(t.error?.kind, 'network', `${fault}: ${JSON.stringify(t.error)}`);
    assert.match(t.error?.message ?? '', /connection/i, fault);
  }
  // Dropped after finish_reason, in the tool round and in the answer round: the whole answer.
  const recovered = runs.filter((x) => x.t.status === 'completed').map((x) => x.fault);
  assert.ok(recovered.some((f) => f.includes('after=0') && f !== 'drop:0:after=0:times=1'), `tool round recovered: ${recovered.join(' ')}`);
  assert.ok(recovered.some((f) => f.includes('after=1') && f !== 'drop:0:after=1:times=1'), `answer round recovered: ${recovered.join(' ')}`);
  assert.equal(s.recovered, recovered.length);
});
