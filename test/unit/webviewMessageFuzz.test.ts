/**
 * The host's door (isWebviewToHost) against every message type the webview can send, mutated: wrong types,
 * missing fields, extra fields, huge payloads, prototype tricks and unknown types. Each mutation is refused; the
 * valid originals pass. (The host logs a refused message by type only and does nothing else: src/views/chatWebview.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostActions, isWebviewToHost, maxQuestionLength } from '../../src/shared/protocol';

const valid: Record<string, unknown>[] = [
  { type: 'ready' },
  { type: 'stop' },
  { type: 'ask', text: 'What is a closure?' },
  { type: 'insertCode', turnId: 'turn-1', itemId: 'ci_1' },
  { type: 'copyCode', turnId: 'turn-1', itemId: 'ci_1' },
  { type: 'saveOutput', turnId: 'turn-1', itemId: 'ci_1', outputIndex: 0 },
  ...hostActions.map((action) => ({ type: 'action', action })),
  { type: 'openLink', href: 'https://example.com/' },
];

const wrongValues: unknown[] = [undefined, null, 0, -1, 1.5, NaN, Infinity, true, '', ' ', [], {}, ['x'], { toString: 'x' }, 'x'.repeat(1_000_001), () => 1, Symbol('s'), 10n];

function mutations(m: Record<string, unknown>): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const key of Object.keys(m)) {
    const rest = { ...m };
    delete rest[key];
    out.push([`missing ${key}`, rest]);
    for (const v of wrongValues) {
      if (key === 'type' && typeof v === 'string') continue;
      out.push([`${key} = ${typeof v === 'string' ? `string(${v.length})` : String(typeof v === 'symbol' ? 'symbol' : typeof v === 'function' ? 'function' : Array.isArray(v) ? `[${v.length}]` : typeof v === 'bigint' ? 'bigint' : JSON.stringify(v))}`, { ...m, [key]: v }]);
    }
  }
  out.push(['extra field', { ...m, extra: 1 }]);
  out.push(['extra __proto__ field', JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(m).slice(1)}`)]);
  out.push(['extra constructor field', { ...m, constructor: 'x' }]);
  out.push(['type in other case', { ...m, type: String(m.type).toUpperCase() }]);
  out.push(['type with spaces', { ...m, type: ` ${String(m.type)}` }]);
  out.push(['as an array', [m]]);
  out.push(['as a JSON string', JSON.stringify(m)]);
  return out;
}

test('every webview→host message type: mutations are refused, originals pass', () => {
  let refused = 0;
  for (const m of valid) {
    assert.ok(isWebviewToHost(m), `valid: ${JSON.stringify(m)}`);
    for (const [what, bad] of mutations(m)) {
      // Some mutations leave a message valid (e.g. an id of ' ' is a non-empty string): judge those by the rules.
      const stillValid =
        (what.startsWith('turnId = string') || what.startsWith('itemId = string')) && typeof (bad as Record<string, string>)[what.split(' ')[0]] === 'string' && (bad as Record<string, string>)[what.split(' ')[0]].length > 0 && (bad as Record<string, string>)[what.split(' ')[0]].length <= 200;
      const linkOk = what.startsWith('href = string') && (bad as { href: string }).href.length > 0 && (bad as { href: string }).href.length <= 8192;
      if (stillValid || linkOk || what === 'outputIndex = 0') continue;
      assert.equal(isWebviewToHost(bad), false, `${String(m.type)}: ${what} must be refused`);
      refused++;
    }
  }
  for (const unknown of ['insert', 'eval', 'runCode', 'openExternal', 'setApiKey', 'ready ', '__proto__', 'constructor', 'toString']) {
    assert.equal(isWebviewToHost({ type: unknown }), false, unknown);
    refused++;
  }
  for (const notAMessage of [null, undefined, 0, 'ready', [], [{ type: 'ready' }], Object.create({ type: 'ready' })]) {
    assert.equal(isWebviewToHost(notAMessage), false);
    refused++;
  }
  // Huge payloads.
  assert.equal(isWebviewToHost({ type: 'ask', text: 'x'.repeat(maxQuestionLength + 1) }), false);
  assert.equal(isWebviewToHost({ type: 'ask', text: 'x'.repeat(50_000_000) }), false);
  assert.equal(isWebviewToHost({ type: 'openLink', href: `https://e.com/${'x'.repeat(9_000)}` }), false);
  assert.equal(isWebviewToHost({ type: 'insertCode', turnId: 't', itemId: 'x'.repeat(201) }), false);
  assert.equal(isWebviewToHost({ type: 'saveOutput', turnId: 't', itemId: 'i', outputIndex: 10_000 }), false);
  assert.equal(isWebviewToHost({ type: 'ask', text: '   ' }), false);
  refused += 6;
  assert.ok(refused > 500, `${refused} refused`);
  console.log(`webview→host fuzz: ${refused} malformed messages refused, ${valid.length} valid accepted`);
});
