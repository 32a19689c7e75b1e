/**
 * A connection dropped after event k, for every k of the fake server's tutor stream, whole events and cut mid-event,
 * Responses and Assistants: nothing shown is lost or duplicated, and runs whose server kept the answer are recovered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureReliability } from '../bench/reliability';

// Every 10th k here (and the last) to keep the unit suite quick; `npm run bench` tries every k.
test('dropped after event k (and mid-event): 0 characters lost, 0 duplicated, and runs recovered', async () => {
  const r = await measureReliability(['responses', 'assistants'], 10);
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
});
