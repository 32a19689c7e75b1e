// The Python-package commands in a real VS Code: both are in the palette, and "Download Python Packages" reads the
// Pyodide lock file shipped in the .vsix and fetches its wheels from the configured URL (a local server here, which
// answers 404), never from a CDN, then tells the learner what failed in a notification.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { withVsCode } from './harness';

test('Python package commands: the download uses the configured mirror and reports a failure', async () => {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(404).end('not here');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror/`;
  try {
    await withVsCode({ name: 'python-packages', settings: { 'codeTutor.pyodidePackagesUrl': mirror } }, async (vs) => {
      const row = await vs.showCommand('Code Tutor: Install Python Packages from Folder');
      assert.match(await row.innerText(), /Install Python Packages from Folder/);
      await vs.page.keyboard.press('Escape');

      await vs.runCommand('Code Tutor: Download Python Packages');
      const toast = vs.page.locator('.notification-toast', { hasText: 'Could not download the Python packages' });
      await toast.waitFor({ state: 'visible', timeout: 60_000 });
      const text = await toast.innerText();
      assert.ok(text.includes(mirror), text);
      assert.match(text, /HTTP 404/);
      assert.ok(requests.length >= 1 && requests.every((u) => /^\/mirror\/[^/]+\.whl$/.test(u)), requests.join());
      await vs.screenshot('python-packages-download-failed');
    });
  } finally {
    server.close();
  }
});
