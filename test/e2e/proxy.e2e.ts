/**
 * Issue 9 in a real VS Code: `http.proxy` is honoured on every protocol path. The base URL names a host that does not
 * resolve (`api.codetutor.invalid`); a small forward proxy on 127.0.0.1 (test/fake/forwardProxy.ts) maps it to the fake
 * server. A run that completes, and a fake server whose every request arrived with that Host, prove the extension's
 * requests (the run, its stream, file downloads, polling) went through the proxy: a direct request cannot resolve.
 */
import { test } from 'node:test';
import { startForwardProxy } from '../fake/forwardProxy';
import { startFakeServer } from '../fake/server';
import { withVsCode } from './harness';
import { assert, ask, historyPane, openSidebar, waitForHistory, waitForTurn } from './support';

const host = 'api.codetutor.invalid';

for (const protocol of ['responses', 'assistants', 'chat'] as const) {
  test(`http.proxy: the ${protocol} protocol reaches the server only through the proxy`, async () => {
    const server = await startFakeServer();
    const proxy = await startForwardProxy({ [host]: new URL(server.url).host });
    try {
      const settings = {
        'http.proxy': proxy.url,
        'codeTutor.protocol': protocol,
        'codeTutor.baseUrl': `http://${host}/v1`,
        // Chat without the local interpreter: the requests are the same, and no Pyodide start is waited for.
        ...(protocol === 'chat' ? { 'codeTutor.interpreter': 'off' } : {}),
      };
      const env = { OPENAI_BASE_URL: `http://${host}/v1`, OPENAI_API_KEY: 'sk-e2e' };
      await withVsCode({ name: `proxy-${protocol}`, settings, env }, async (vs) => {
        const chat = await openSidebar(vs);
        await ask(chat, 'What is a list?');
        await waitForTurn(chat, 1, 'completed');
        const answer = (await chat.locator('.turn').first().locator('.turn-answer .md-text').allTextContents()).join('');
        assert.ok(answer.trim().length > 0, 'an answer is shown');
        const run = { responses: '/v1/responses', assistants: '/v1/threads/runs', chat: '/v1/chat/completions' }[protocol];
        const paths = server.requests.map((r) => `${r.method} ${r.path} (Host ${r.headers.host})`);
        assert.ok(server.requests.some((r) => r.method === 'POST' && r.path === run), paths.join('\n'));
        assert.ok(server.requests.every((r) => r.headers.host === host), `every request came through the proxy:\n${paths.join('\n')}`);
        assert.ok(proxy.seen.length >= 1 && proxy.seen.every((p) => p.target === `${host}:80`), JSON.stringify(proxy.seen));
        // The first chat of a fresh profile is in the History list once its answer is in (issue 8), on every protocol.
        await historyPane(vs.page).waitFor({ state: 'visible', timeout: 10_000 });
        const titles = await waitForHistory(vs.page, (t) => t.length >= 1, 'the chat after its answer');
        assert.deepEqual(titles, ['What is a list?'], 'the History row is titled with the question');
        await vs.screenshot(`proxy-${protocol}`);
      });
    } finally {
      await proxy.close();
      await server.close();
    }
  });
}
