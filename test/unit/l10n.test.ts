/**
 * Every user-visible string of the extension is localizable, and the Simplified Chinese bundle covers them all:
 * a string added without a translation fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The English keys passed to vscode.l10n.t (or a local `t` alias of it) in the host sources. */
function l10nKeys(): Set<string> {
  const keys = new Set<string>();
  const call = /\b(?:l10n\.)?t\(\s*'((?:[^'\\]|\\.)*)'/g;
  for (const file of sources(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('l10n')) continue;
    for (const m of text.matchAll(call)) keys.add(m[1].replace(/\\'/g, "'").replace(/\\\\/g, '\\'));
  }
  return keys;
}

test('every vscode.l10n string has a Simplified Chinese translation', () => {
  const bundle = JSON.parse(readFileSync(join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
  const keys = l10nKeys();
  assert.ok(keys.size > 40, `found only ${keys.size} localized strings; the scan is broken`);
  const missing = [...keys].filter((k) => typeof bundle[k] !== 'string' || bundle[k].trim() === '');
  assert.deepEqual(missing, [], 'strings without a zh-cn translation');
  for (const k of keys) {
    const placeholders = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort().join();
    assert.equal(placeholders(bundle[k]), placeholders(k), `placeholders differ in the translation of "${k}"`);
  }
  const unused = Object.keys(bundle).filter((k) => !keys.has(k));
  assert.deepEqual(unused, [], 'translations of strings the code no longer uses');
});

test('every %key% in package.json is in package.nls.json and package.nls.zh-cn.json', () => {
  const pkg = readFileSync(join(root, 'package.json'), 'utf8');
  const en = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const zh = JSON.parse(readFileSync(join(root, 'package.nls.zh-cn.json'), 'utf8')) as Record<string, string>;
  const used = [...pkg.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]);
  assert.ok(used.length > 10);
  for (const k of used) {
    assert.ok(en[k], `package.nls.json lacks ${k}`);
    assert.ok(zh[k], `package.nls.zh-cn.json lacks ${k}`);
  }
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
});
