/**
 * The history view, its welcome content, its commands and the walkthrough are contributed, localized, and their
 * media files ship (the .vscodeignore allowlist lets media/** in).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const en = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
const zh = JSON.parse(readFileSync(join(root, 'package.nls.zh-cn.json'), 'utf8')) as Record<string, string>;

test('the history view sits in the Code Tutor container with welcome content for an empty history', () => {
  const views = pkg.contributes.views.codeTutor as { id: string }[];
  assert.ok(views.some((v) => v.id === 'codeTutor.history'));
  const welcome = (pkg.contributes.viewsWelcome as { view: string; contents: string }[]).find((w) => w.view === 'codeTutor.history');
  assert.ok(welcome);
  const key = welcome.contents.replace(/^%|%$/g, '');
  for (const text of [en[key], zh[key]]) {
    for (const command of ['codeTutor.setApiKey', 'codeTutor.askExample', 'codeTutor.provider', 'codeTutor.baseUrl']) assert.ok(text.includes(command), `${command} in ${text}`);
  }
  assert.match(zh[key], /[\u4e00-\u9fff]/, 'the Chinese welcome is Chinese');
});

test('every history command is contributed and localized', () => {
  const ids = (pkg.contributes.commands as { command: string; title: string }[]).map((c) => c.command);
  for (const id of ['codeTutor.openChat', 'codeTutor.searchChats', 'codeTutor.renameChat', 'codeTutor.deleteChat', 'codeTutor.exportNotebook', 'codeTutor.exportMarkdown', 'codeTutor.regenerate', 'codeTutor.editLast']) {
    const c = (pkg.contributes.commands as { command: string; title: string }[]).find((x) => x.command === id);
    assert.ok(c && ids.includes(id), id);
    const key = c.title.replace(/^%|%$/g, '');
    assert.ok(en[key] && zh[key] && en[key] !== zh[key], `${id} has English and Chinese titles`);
  }
});

test('the walkthrough "Get started with Code Tutor" has its steps and their media files', () => {
  const [w] = pkg.contributes.walkthroughs as { title: string; steps: { id: string; title: string; media: { markdown?: string } }[] }[];
  assert.equal(en[w.title.replace(/%/g, '')], 'Get started with Code Tutor');
  assert.ok(zh[w.title.replace(/%/g, '')]);
  assert.deepEqual(
    w.steps.map((s) => s.id),
    ['provider', 'key', 'ask', 'history'],
  );
  for (const s of w.steps) {
    assert.ok(s.media.markdown && existsSync(join(root, s.media.markdown)), `${s.id}: ${s.media.markdown}`);
    assert.ok(zh[s.title.replace(/%/g, '')], `${s.id} title in Chinese`);
  }
});
