import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatToMarkdown } from '../../src/chat/export/markdown';
import { chatToNotebook, lines, notebookJson } from '../../src/chat/export/notebook';
import type { ChatRecord } from '../../src/chat/storedChat';
import { makeChartPng } from '../fake/png';

const png = makeChartPng(32, 20).toString('base64');

const chat: ChatRecord = {
  id: 'chat_x',
  createdAt: 1,
  updatedAt: 2,
  conversation: {},
  state: {},
  turns: [
    {
      id: 'turn_1',
      question: { text: 'How do I plot a line?\nPlease explain.', context: { code: 'x = [1, 2]', language: 'python', file: 'a.py', startLine: 1, endLine: 1 } },
      run: {
        status: 'completed',
        error: null,
        items: [
          { type: 'text', id: 't1', text: 'First, **import** matplotlib.' },
          {
            type: 'code',
            id: 'c1',
            language: 'python',
            code: 'import matplotlib.pyplot as plt\nplt.plot([1, 2])\nprint("ok")',
            status: 'done',
            outputs: [
              { type: 'logs', text: 'ok\n' },
              { type: 'logs', text: 'done\n' },
              { type: 'image', mime: 'image/png', base64: png },
              { type: 'file', name: 'data.csv', mime: 'text/csv', bytes: 12 },
            ],
          },
          { type: 'text', id: 't2', text: 'That is a line.' },
          { type: 'text', id: 't3', text: 'Any questions?' },
          { type: 'tool', id: 'f1', callId: 'call_1', name: 'get_selection', arguments: '{}' },
        ],
      },
    },
    {
      id: 'turn_2',
      question: { text: 'And a ```fence```?' },
      run: { status: 'failed', error: { kind: 'network', message: 'Could not reach the server.' }, items: [] },
    },
  ],
};

/**
 * The nbformat 4.5 schema's rules for what we emit (nbformat/v4/nbformat.v4.5.schema.json): required keys, no
 * other keys on cells and outputs, cell ids, multiline strings.
 */
function checkNbformat45(nb: unknown): void {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const multiline = (v: unknown, where: string) =>
    assert.ok(typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string')), `${where} is not a multiline string`);
  const onlyKeys = (o: Record<string, unknown>, req: string[], opt: string[], where: string) => {
    for (const k of req) assert.ok(k in o, `${where} lacks ${k}`);
    for (const k of Object.keys(o)) assert.ok(req.includes(k) || opt.includes(k), `${where} has a key the schema forbids: ${k}`);
  };
  assert.ok(isObj(nb));
  onlyKeys(nb, ['metadata', 'nbformat_minor', 'nbformat', 'cells'], [], 'notebook');
  assert.equal(nb.nbformat, 4);
  assert.ok(Number.isInteger(nb.nbformat_minor) && (nb.nbformat_minor as number) >= 5);
  assert.ok(isObj(nb.metadata));
  const ks = (nb.metadata as Record<string, unknown>).kernelspec;
  if (ks !== undefined) assert.ok(isObj(ks) && typeof ks.name === 'string' && typeof ks.display_name === 'string');
  assert.ok(Array.isArray(nb.cells));
  const ids = new Set<string>();
  for (const [i, cell] of (nb.cells as unknown[]).entries()) {
    const w = `cell ${i}`;
    assert.ok(isObj(cell), w);
    assert.ok(typeof cell.id === 'string' && /^[a-zA-Z0-9-_]{1,64}$/.test(cell.id), `${w} id`);
    assert.ok(!ids.has(cell.id as string), `${w} id is not unique`);
    ids.add(cell.id as string);
    assert.ok(isObj(cell.metadata), `${w} metadata`);
    multiline(cell.source, `${w} source`);
    if (cell.cell_type === 'markdown') onlyKeys(cell, ['id', 'cell_type', 'metadata', 'source'], ['attachments'], w);
    else if (cell.cell_type === 'code') {
      onlyKeys(cell, ['id', 'cell_type', 'metadata', 'source', 'outputs', 'execution_count'], [], w);
      assert.ok(cell.execution_count === null || Number.isInteger(cell.execution_count));
      assert.ok(Array.isArray(cell.outputs));
      for (const [j, o] of (cell.outputs as unknown[]).entries()) {
        const wo = `${w} output ${j}`;
        assert.ok(isObj(o), wo);
        if (o.output_type === 'stream') {
          onlyKeys(o, ['output_type', 'name', 'text'], [], wo);
          assert.ok(o.name === 'stdout' || o.name === 'stderr');
          multiline(o.text, wo);
        } else if (o.output_type === 'display_data') {
          onlyKeys(o, ['output_type', 'data', 'metadata'], [], wo);
          assert.ok(isObj(o.data) && isObj(o.metadata), wo);
          for (const [mime, v] of Object.entries(o.data as Record<string, unknown>)) {
            assert.match(mime, /^[a-z]+\/[a-z0-9.+-]+$/);
            multiline(v, `${wo} ${mime}`);
          }
        } else assert.fail(`${wo}: unexpected output_type ${String(o.output_type)}`);
      }
    } else assert.fail(`${w}: unexpected cell_type ${String(cell.cell_type)}`);
  }
}

test('a chat becomes a valid nbformat 4.5 notebook: markdown explanations, code cells with stream and image outputs', () => {
  const nb = chatToNotebook(chat);
  const parsed: unknown = JSON.parse(notebookJson(nb));
  checkNbformat45(parsed);
  const kinds = nb.cells.map((c) => c.cell_type);
  assert.deepEqual(kinds, ['markdown', 'markdown', 'markdown', 'code', 'markdown', 'markdown', 'markdown']);
  assert.equal(nb.cells[0].source.join(''), '# How do I plot a line?');
  assert.match(nb.cells[1].source.join(''), /> How do I plot a line\?\n> Please explain\./);
  assert.match(nb.cells[1].source.join(''), /```python\nx = \[1, 2\]\n```/);
  assert.match(nb.cells[2].source.join(''), /First, \*\*import\*\* matplotlib\./);
  const code = nb.cells[3];
  assert.ok(code.cell_type === 'code');
  assert.deepEqual(code.source, ['import matplotlib.pyplot as plt\n', 'plt.plot([1, 2])\n', 'print("ok")']);
  assert.deepEqual(code.outputs[0], { output_type: 'stream', name: 'stdout', text: ['ok\n', 'done\n'] });
  assert.equal(code.outputs[1].output_type, 'display_data');
  assert.equal((code.outputs[1] as { data: Record<string, unknown> }).data['image/png'], png);
  assert.match(JSON.stringify(code.outputs[2]), /data\.csv/);
  assert.equal(nb.cells[4].source.join(''), 'That is a line.\n\nAny questions?', 'consecutive text is one cell');
  assert.match(nb.cells[6].source.join(''), /Could not reach the server/);
});

test('an empty chat and odd text still give a valid notebook', () => {
  checkNbformat45(JSON.parse(notebookJson(chatToNotebook({ ...chat, turns: [] }))));
  assert.deepEqual(lines('a\nb\n'), ['a\n', 'b\n']);
  assert.deepEqual(lines(''), []);
  assert.deepEqual(lines('\n\n'), ['\n', '\n']);
});

test('the shape check itself catches what the schema forbids', () => {
  const nb = JSON.parse(notebookJson(chatToNotebook(chat))) as { cells: Record<string, unknown>[] };
  const broken = structuredClone(nb);
  broken.cells[3].outputs = [{ output_type: 'stream', name: 'stdout', text: 'x', extra: 1 }];
  assert.throws(() => checkNbformat45(broken));
  const noId = structuredClone(nb);
  delete noId.cells[0].id;
  assert.throws(() => checkNbformat45(noId));
});

test('Markdown export: questions quoted, code and logs fenced (fences longer than any inside), images inline', () => {
  const md = chatToMarkdown(chat);
  assert.match(md, /^# How do I plot a line\?\n/);
  assert.match(md, /## You\n\n> How do I plot a line\?\n> Please explain\./);
  assert.match(md, /```python\nimport matplotlib\.pyplot as plt\nplt\.plot\(\[1, 2\]\)\nprint\("ok"\)\n```/);
  assert.match(md, /```text\nok\ndone\n```/);
  assert.ok(md.includes(`![Tutor](data:image/png;base64,${png})`));
  assert.match(md, /\*File data\.csv \(12 bytes\)\*/);
  assert.match(md, /> And a ```fence```\?/);
  assert.match(md, /\*The answer failed: Could not reach the server\.\*/);
  const tricky = chatToMarkdown({ ...chat, turns: [{ ...chat.turns[0], run: { ...chat.turns[0].run, items: [{ type: 'code', id: 'c', language: 'md', code: 'a\n```\nb', status: 'done', outputs: [] }] } }] });
  assert.match(tricky, /````md\na\n```\nb\n````/);
});
