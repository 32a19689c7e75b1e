/** The local interpreters' notes exist in English and Simplified Chinese, with the same placeholders. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { format, interpreterMessages } from '../../src/engine/interpreter/interpreterMessages';

test('every interpreter message has a Simplified Chinese translation with the same placeholders', () => {
  const en = interpreterMessages('en');
  const zh = interpreterMessages('zh-cn');
  assert.equal(interpreterMessages('zh_CN.UTF-8'), zh);
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  const placeholders = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort().join();
  for (const k of Object.keys(en) as (keyof typeof en)[]) {
    assert.ok(zh[k].trim() && zh[k] !== en[k], `zh-cn ${k}`);
    assert.equal(placeholders(zh[k]), placeholders(en[k]), k);
  }
  assert.equal(format(en.timedOut, 60), 'The code ran longer than 60 s and was stopped (KeyboardInterrupt).');
});
