import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionsForError, errorHeadlineKey, isHostToWebview, isWebviewToHost, maxQuestionLength, uiStringKeys } from '../../src/shared/protocol';
import type { ErrorKind } from '../../src/shared/events';

test('the host accepts well-formed webview messages', () => {
  for (const m of [
    { type: 'ready' },
    { type: 'stop' },
    { type: 'ask', text: 'What is a closure?' },
    { type: 'insertCode', turnId: 'turn_1', itemId: 'ci_1' },
    { type: 'copyCode', turnId: 'turn_1', itemId: 'ci_1' },
    { type: 'saveOutput', turnId: 'turn_1', itemId: 'ci_1', outputIndex: 0 },
    { type: 'action', action: 'setApiKey' },
  ]) {
    assert.ok(isWebviewToHost(m), JSON.stringify(m));
  }
});

test('the host rejects anything else from the webview', () => {
  for (const m of [
    null,
    'ready',
    [],
    {},
    { type: 'eval', code: 'x' },
    { type: 'ask' },
    { type: 'ask', text: '   ' },
    { type: 'ask', text: 'x'.repeat(maxQuestionLength + 1) },
    { type: 'ask', text: 42 },
    { type: 'insertCode', turnId: 'turn_1' },
    { type: 'insertCode', turnId: 'turn_1', itemId: 'ci_1', code: 'rm -rf /' },
    { type: 'insertCode', turnId: '', itemId: 'ci_1' },
    { type: 'insertCode', turnId: 'x'.repeat(201), itemId: 'ci_1' },
    { type: 'saveOutput', turnId: 't', itemId: 'i', outputIndex: -1 },
    { type: 'saveOutput', turnId: 't', itemId: 'i', outputIndex: 1.5 },
    { type: 'action', action: 'runShell' },
    { type: 'ready', extra: true },
  ]) {
    assert.equal(isWebviewToHost(m), false, JSON.stringify(m)?.slice(0, 80));
  }
});

test('the webview checks host messages too', () => {
  const strings = Object.fromEntries(uiStringKeys.map((k) => [k, k]));
  assert.ok(isHostToWebview({ type: 'snapshot', chat: { chatId: 'c', turns: [], runningTurnId: null }, strings, settings: { typewriter: true } }));
  assert.ok(!isHostToWebview({ type: 'snapshot', chat: { chatId: 'c', turns: [], runningTurnId: null }, strings: {}, settings: { typewriter: true } }));
  assert.ok(isHostToWebview({ type: 'event', turnId: 't', event: { kind: 'text.delta', id: 'a', delta: 'x' } }));
  assert.ok(!isHostToWebview({ type: 'event', turnId: 't', event: { kind: 'shell.exec' } }));
  assert.ok(!isHostToWebview({ type: 'settings', settings: { typewriter: 'yes' } }));
});

test('every error kind offers a next step and has a headline', () => {
  const kinds: ErrorKind[] = ['auth', 'rate_limit', 'quota', 'network', 'server', 'bad_request', 'not_found', 'tool_unsupported', 'protocol', 'usage'];
  for (const k of kinds) {
    assert.ok(actionsForError(k).length > 0, k);
    assert.ok(uiStringKeys.includes(errorHeadlineKey[k]), k);
  }
  assert.deepEqual(actionsForError('auth')[0], 'setApiKey');
  assert.ok(actionsForError('tool_unsupported').includes('retryWithoutCodeInterpreter'));
});
