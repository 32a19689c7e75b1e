/**
 * Issue 9 in a real VS Code: `http.proxy` is honoured on every protocol path. The base URL names a host that does not
 * resolve (`api.codetutor.invalid`); a small forward proxy on 127.0.0.1 (test/fake/forwardProxy.ts) maps it to the fake
 * server. A run that completes, and a fake server whose every request arrived with that Host, prove the extension's
 * requests (the run, its stream, file downloads, polling) went through the proxy: a direct request cannot resolve.
 */
import { test } from 'node:test';
import { startForwardProxy } from '../fake/forwardProxy';
import { startFakeServer } from '../fake/server';
import { type VsCode, withVsCode } from './harness';
import { assert, ask, historyPane, openSidebar, waitForHistory, waitForTurn } from './support';

const host = 'api.codetutor.invalid';
const protocols = ['responses', 'assistants', 'chat'] as const;

/**
 * One VS Code for the three protocols (a start is the costly part of an e2e run). Between questions the protocol and
 * the model are switched in the Settings editor, as a learner would, and each question starts a New Chat. The model
 * name changes with the protocol, so the chat header proves the new settings are in before the question is asked.
 */
test('http.proxy: every protocol reaches the server only through the proxy', async () => {
  const server = await startFakeServer();
  const proxy = await startForwardProxy({ [host]: new URL(server.url).host });
  const settingsFor = (protocol: (typeof protocols)[number]) => ({
    'http.proxy': proxy.url,
    'codeTutor.protocol': protocol,
    'codeTutor.model': `proxy-${protocol}`,
    'codeTutor.baseUrl': `http://${host}/v1`,
    // Chat without the local interpreter: the requests are the same, and no Pyodide start is waited for.
    ...(protocol === 'chat' ? { 'codeTutor.interpreter': 'off' } : {}),
  });
  try {
    const env = { OPENAI_BASE_URL: `http://${host}/v1`, OPENAI_API_KEY: 'sk-e2e' };
    await withVsCode({ name: 'proxy', settings: settingsFor('responses'), env }, async (vs) => {
      const chat = await openSidebar(vs);
      const asked: string[] = [];
      for (const [i, protocol] of protocols.entries()) {
        if (i > 0) {
          const choices: Array<[string, string, string]> = [['codeTutor.protocol', 'Protocol', protocol]];
          if (protocol === 'chat') choices.push(['codeTutor.interpreter', 'Interpreter', 'off']);
          await changeSettings(vs, choices, `proxy-${protocol}`);
          // The header shows the new model once VS Code has written the changes; only then close the Settings editor
          // (closing it first can drop a change it has not written yet).
          await chat.locator('.tutor-model', { hasText: `proxy-${protocol}` }).waitFor({ state: 'visible', timeout: 30_000 });
          await vs.page.keyboard.press('Escape');
          await vs.page.locator('.settings-editor').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => vs.page.keyboard.press('Control+W'));
          await vs.runCommand('Code Tutor: New Chat');
          await chat.waitForFunction(() => document.querySelectorAll('.turn').length === 0, undefined, { timeout: 20_000 });
        }
        await chat.locator('.tutor-model', { hasText: `proxy-${protocol}` }).waitFor({ state: 'visible', timeout: 30_000 });
        const before = server.requests.length;
        const question = `What is a list? (${protocol})`;
        await ask(chat, question);
        asked.push(question);
        await waitForTurn(chat, 1, 'completed');
        const answer = (await chat.locator('.turn').first().locator('.turn-answer .md-text').allTextContents()).join('');
        assert.ok(answer.trim().length > 0, `${protocol}: an answer is shown`);
        const run = { responses: '/v1/responses', assistants: '/v1/threads/runs', chat: '/v1/chat/completions' }[protocol];
        const requests = server.requests.slice(before);
        const paths = requests.map((r) => `${r.method} ${r.path} (Host ${r.headers.host})`);
        assert.ok(requests.some((r) => r.method === 'POST' && r.path === run), `${protocol}: the run went to ${run}:\n${paths.join('\n')}`);
        assert.ok(requests.every((r) => r.headers.host === host), `${protocol}: every request came through the proxy:\n${paths.join('\n')}`);
        // Each chat is in the History list once its answer is in (issue 8), on every protocol.
        await historyPane(vs.page).waitFor({ state: 'visible', timeout: 10_000 });
        const titles = await waitForHistory(vs.page, (t) => t.length === asked.length, `the chat of the ${protocol} question`);
        assert.deepEqual([...titles].sort(), [...asked].sort(), 'each History row is titled with its question');
        await vs.screenshot(`proxy-${protocol}`);
      }
      assert.ok(proxy.seen.length >= protocols.length && proxy.seen.every((p) => p.target === `${host}:80`), JSON.stringify(proxy.seen));
    });
  } finally {
    await proxy.close();
    await server.close();
  }
});

/** Sets choice settings, then the model (a text setting), in the Settings editor (a modal in this VS Code); leaves it open. */
async function changeSettings(vs: VsCode, choices: ReadonlyArray<readonly [string, string, string]>, model: string): Promise<void> {
  await vs.runCommand('Preferences: Open Settings (UI)');
  const editor = vs.page.locator('.settings-editor');
  await editor.waitFor({ state: 'visible', timeout: 30_000 });
  // The search box has the focus when the editor opens; Ctrl+F takes it back there.
  const find = async (key: string, label: string) => {
    await vs.page.keyboard.press('Control+F');
    await vs.page.keyboard.press('Control+A');
    await vs.page.keyboard.type(key);
    const item = editor.locator('.setting-item-contents').filter({ has: vs.page.locator('.setting-item-label', { hasText: new RegExp(`^${label}$`) }) }).first();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    return item;
  };
  for (const [key, label, value] of choices) await (await find(key, label)).locator('select').first().selectOption(value);
  const input = (await find('codeTutor.model', 'Model')).locator('input').first();
  await input.click();
  await vs.page.keyboard.press('Control+A');
  await vs.page.keyboard.type(model);
  await vs.screenshot(`proxy-settings-${model}`);
}
