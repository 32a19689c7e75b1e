/**
 * `codeTutor.backgroundResponses`: declared (boolean, off by default, described in English and Chinese), read by the
 * settings, and carried from the setting to the wire: a run asks the server for a background response only when on.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type * as SettingsModule from '../../src/config/settings';
import { createProvider } from '../../src/engine/createProvider';
import { RunStream } from '../../src/engine/runStream';
import { type FakeServer, startFakeServer } from '../fake/server';
import { configuration, installVscodeApi } from '../fake/vscodeApi';

installVscodeApi();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { providerConfig, readSettings } = require('../../src/config/settings') as typeof SettingsModule;

const root = join(__dirname, '..', '..');
const json = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown>;

let server: FakeServer;
before(async () => {
  server = await startFakeServer({ delayMs: 0 });
});
after(async () => {
  configuration.clear();
  await server?.close();
});

test('the setting is declared as an off-by-default boolean with an English and a Chinese description', () => {
  const props = ((json('package.json').contributes as { configuration: { properties: Record<string, { type: string; default: unknown; description: string }> } }).configuration).properties;
  const p = props['codeTutor.backgroundResponses'];
  assert.ok(p, 'declared');
  assert.equal(p.type, 'boolean');
  assert.equal(p.default, false);
  const key = /^%(.+)%$/.exec(p.description)?.[1];
  assert.ok(key, 'a localized description');
  for (const file of ['package.nls.json', 'package.nls.zh-cn.json']) assert.match(String(json(file)[key]), /\S{10}/, file);
  assert.notEqual(json('package.nls.json')[key], json('package.nls.zh-cn.json')[key], 'translated');
});

test('off by default: no background request; on: the run asks for a background, stored response', async () => {
  for (const on of [undefined, true, false]) {
    configuration.clear();
    configuration.set('codeTutor.baseUrl', server.url);
    if (on !== undefined) configuration.set('codeTutor.backgroundResponses', on);
    const s = readSettings({});
    assert.equal(s.backgroundResponses, on === true);
    server.reset();
    const t = await RunStream.start(createProvider(providerConfig(s, 'sk-test')), { question: { text: 'What is a list?' } }).done();
    assert.equal(t.status, 'completed', JSON.stringify(t.error));
    const body = server.requests.find((r) => r.method === 'POST' && r.path === '/v1/responses')?.body as Record<string, unknown>;
    assert.equal(body.background, on === true ? true : undefined, `setting ${String(on)}`);
    assert.equal(body.store, on === true ? true : undefined);
  }
});
