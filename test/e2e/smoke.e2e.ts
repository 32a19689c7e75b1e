// Proves the harness end to end: the packaged extension installs into a real VS Code, the sample workspace opens,
// and the extension's commands reach the command palette.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withVsCode } from './harness';

test('VS Code opens the sample workspace with Code Tutor installed', async () => {
  await withVsCode({ name: 'smoke' }, async (vs) => {
    const row = await vs.showCommand('Code Tutor: Ask Assistant');
    assert.equal((await row.locator('.label-name').innerText()).trim(), 'Code Tutor: Ask Assistant');
    await vs.screenshot('smoke-command-palette');
    await vs.page.keyboard.press('Escape');

    await vs.openFile('primes.py');
    const text = await vs.editorText();
    assert.match(text, /def is_prime\(n\):/);
    assert.match(text, /def primes_up_to\(limit\):/);
    await vs.screenshot('smoke-primes-open');
  });
});
