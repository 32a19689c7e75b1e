/**
 * Presets for the chat protocol (local servers without a key, DeepSeek, OpenRouter, DashScope chat and its
 * regions), and the model listing behind "Choose Model" and the first-run offer, over real HTTP.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { createProvider } from '../../src/engine/createProvider';
import { detectLocalServers, listModels } from '../../src/engine/models';
import { dashscopeBaseUrls, presetBaseUrl, presets, providerPresets } from '../../src/engine/presets';
import { type FakeServer, startFakeServer } from '../fake/server';

let server: FakeServer;
before(async () => {
  server = await startFakeServer();
});
after(() => server.close());

test('local presets need no key and speak chat at their usual addresses; hosted ones name their key', () => {
  assert.equal(presetBaseUrl('ollama', 'chat'), 'http://127.0.0.1:11434/v1');
  assert.equal(presetBaseUrl('lmstudio', 'chat'), 'http://127.0.0.1:1234/v1');
  assert.equal(presetBaseUrl('llamacpp', 'chat'), 'http://127.0.0.1:8080/v1');
  for (const p of ['ollama', 'lmstudio', 'llamacpp'] as const) {
    assert.equal(presets[p].noKey, true);
    assert.equal(presets[p].defaultProtocol, 'chat');
  }
  assert.deepEqual(presets.deepseek.keyEnv, ['DEEPSEEK_API_KEY']);
  assert.deepEqual(presets.openrouter.keyEnv, ['OPENROUTER_API_KEY']);
  for (const p of providerPresets) assert.ok(presets[p].defaultModel, `${p} has a default model`);
});

test('DashScope: Responses and chat on /compatible-mode/v1 (not the deprecated apps path), per region', () => {
  assert.deepEqual(dashscopeBaseUrls('beijing'), {
    responses: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    chat: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    assistants: 'https://dashscope.aliyuncs.com/api/v1',
  });
  assert.equal(presetBaseUrl('dashscope', 'responses', 'singapore'), 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1');
  assert.equal(presetBaseUrl('dashscope', 'chat', 'singapore'), 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1');
  assert.ok(!Object.values(presets.dashscope.baseUrl).some((u) => u?.includes('/api/v2/apps')));
});

test('createProvider makes a chat provider', () => {
  assert.equal(createProvider({ protocol: 'chat', apiKey: 'k', model: 'm', baseUrl: server.url }).protocol, 'chat');
});

test('listModels reads /v1/models; detectLocalServers finds a server that answers and skips one that does not', async () => {
  const models = await listModels(server.url, undefined);
  assert.deepEqual(models, ['gpt-4o-2024-08-06', 'llama3.2:3b', 'qwen2.5-coder:7b']);
  // A port with nothing listening: take one, then close it.
  const closed = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
  const found = await detectLocalServers(2_000, ['ollama', 'lmstudio'], { ollama: server.url, lmstudio: `http://127.0.0.1:${closed}/v1` });
  assert.deepEqual(
    found.map((f) => [f.provider, f.models.length]),
    [['ollama', 3]],
  );
  assert.equal(server.requests.filter((r) => r.path === '/v1/models').length, 2);
});
