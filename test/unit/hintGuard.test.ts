/**
 * The hint-mode guard over provider-neutral events: fenced blocks held until they close, long ones withheld (never in
 * any emitted text), short ones released intact, interpreter code folded with its outputs kept, at every split point.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import MarkdownIt from 'markdown-it';
import type { StreamEvent } from '../../src/shared/events';
import { reduceAll, toTranscriptJson, type RunTranscript } from '../../src/shared/transcript';
import { countLines, fenceOpener, HintGuard, LineCounter, mayOpenFence } from '../../src/tutor/hintGuard';
import { hintGuardWorstCase } from '../fake/hintGuardWorstCase';
import { SOLUTION_CODE, SOLUTION_INTRO, SOLUTION_OUTRO } from '../fake/tutorScenarios';

const solutionLines = SOLUTION_CODE.trimEnd().split('\n');

function run(events: StreamEvent[], maxLines = 4): { out: StreamEvent[]; guard: HintGuard; t: RunTranscript } {
  const guard = new HintGuard({ maxLines });
  const out = events.flatMap((e) => guard.push(e));
  return { out, guard, t: reduceAll(out) };
}

/** Every text that leaves the guard, concatenated per event: deltas and authoritative texts alike. */
function emittedTexts(out: StreamEvent[]): string[] {
  return out.flatMap((e) => (e.kind === 'text.delta' ? [e.delta] : e.kind === 'text.done' ? [e.text] : e.kind === 'code.delta' ? [e.delta] : e.kind === 'code.done' ? [e.code] : []));
}

function textEvents(id: string, text: string, cuts: number[]): StreamEvent[] {
  const events: StreamEvent[] = [{ kind: 'run.started', responseId: 'resp_1' }];
  let last = 0;
  for (const c of [...cuts, text.length]) {
    if (c > last) events.push({ kind: 'text.delta', id, delta: text.slice(last, c) });
    last = c;
  }
  events.push({ kind: 'text.done', id, text }, { kind: 'run.finished', status: 'completed' });
  return events;
}

const answer = `${SOLUTION_INTRO}\n\n\`\`\`python\n${SOLUTION_CODE}\`\`\`\n\n${SOLUTION_OUTRO}`;

function assertNoSolution(out: StreamEvent[], where: string): void {
  for (const text of emittedTexts(out)) {
    for (const line of solutionLines) {
      if (line.trim().length < 8) continue; // short lines ("else:") also appear in prose
      assert.ok(!text.includes(line.trim()), `${where}: a solution line leaked: ${JSON.stringify(line)} in ${JSON.stringify(text.slice(0, 200))}`);
    }
  }
}

test('a 15-line solution is withheld: a placeholder in its place, the text around it intact, nothing leaked', () => {
  assert.equal(countLines(SOLUTION_CODE), 15);
  const { out, guard, t } = run(textEvents('msg_1', answer, [10, 40, answer.indexOf('```') + 1, answer.indexOf('def ') + 3, answer.lastIndexOf('```') + 2]));
  assertNoSolution(out, 'chunked');
  const json = toTranscriptJson(t);
  assert.deepEqual(
    json.items.map((i) => i.type),
    ['text', 'withheld', 'text'],
  );
  assert.deepEqual(json.items[1], { type: 'withheld', language: 'python', lines: 15 });
  assert.equal((json.items[0] as { text: string }).text, `${SOLUTION_INTRO}\n\n`);
  assert.equal((json.items[2] as { text: string }).text, `\n${SOLUTION_OUTRO}`);
  const w = t.items[1];
  assert.equal(w.type, 'withheld');
  assert.equal(guard.withheldCode(w.id), SOLUTION_CODE.trimEnd(), 'the guard keeps the code for a reveal');
  assert.equal(w.type === 'withheld' && w.limit, 4);
});

test('a fence split across deltas at every byte never leaks, and always gives the same transcript', () => {
  const expected = toTranscriptJson(run(textEvents('m', answer, [])).t);
  for (let i = 1; i < answer.length; i++) {
    const { out, t } = run(textEvents('m', answer, [i]));
    assertNoSolution(out, `split at ${i}`);
    assert.deepEqual(toTranscriptJson(t), expected, `split at ${i}`);
  }
  // One byte per delta, and no text.done at all (a stream cut short still ends with run.finished).
  const bytes = [...Array(answer.length).keys()];
  const events = textEvents('m', answer, bytes).filter((e) => e.kind !== 'text.done');
  const { out, t } = run(events);
  assertNoSolution(out, 'byte by byte');
  assert.deepEqual(toTranscriptJson(t), expected);
});

test('text outside fences streams on at once; only a line that may open a fence waits', () => {
  const guard = new HintGuard({ maxLines: 4 });
  assert.deepEqual(guard.push({ kind: 'text.delta', id: 'm', delta: 'Think about' }), [{ kind: 'text.delta', id: 'm', delta: 'Think about' }]);
  assert.deepEqual(guard.push({ kind: 'text.delta', id: 'm', delta: ' it.\n``' }), [{ kind: 'text.delta', id: 'm', delta: ' it.\n' }]);
  // "``x" is inline code, not a fence: released.
  assert.deepEqual(guard.push({ kind: 'text.delta', id: 'm', delta: 'x`` ok' }), [{ kind: 'text.delta', id: 'm', delta: '``x`` ok' }]);
  assert.ok(mayOpenFence('  ~~'));
  assert.ok(mayOpenFence('- '));
  assert.ok(mayOpenFence('1.'));
  assert.ok(!mayOpenFence('1. First'));
  assert.ok(!mayOpenFence('Hello'));
});

test('``` and ~~~ fences, list and quote prefixes, and a short block released exactly as written', () => {
  for (const [open, close] of [
    ['```js', '```'],
    ['~~~python', '~~~'],
    ['````', '````'],
    ['- ```py', '  ```'],
    ['> ```', '> ```'],
  ]) {
    const long = `Intro.\n${open}\n${solutionLines.join('\n')}\n${close}\nAfter.`;
    const { out, t } = run(textEvents('m', long, [3, 9, 17]));
    assertNoSolution(out, open);
    assert.deepEqual(
      toTranscriptJson(t).items.map((i) => i.type),
      ['text', 'withheld', 'text'],
      open,
    );
    const short = `Intro.\n${open}\nx = 1\nprint(x)\n${close}\nAfter.`;
    const s = run(textEvents('m', short, [3, 9, 17]));
    assert.deepEqual(toTranscriptJson(s.t).items, [{ type: 'text', text: short }], `${open}: a 2-line block is shown`);
  }
  assert.equal(fenceOpener('```js `x`'), null, 'a backtick in the info string is not a fence');
});

test('nested fences: a shorter fence inside a longer one does not close it', () => {
  const inner = Array.from({ length: 6 }, (_, i) => `line_${i} = ${i} * ${i}`).join('\n');
  const text = `See:\n\`\`\`\`markdown\n\`\`\`python\n${inner}\n\`\`\`\n\`\`\`\`\nDone.`;
  const { out, t } = run(textEvents('m', text, [12, 30]));
  assert.ok(emittedTexts(out).every((s) => !s.includes('line_3')), 'nothing of the nested block leaked');
  const items = toTranscriptJson(t).items;
  assert.deepEqual(items[1], { type: 'withheld', language: 'markdown', lines: 8 });
  assert.deepEqual(items[2], { type: 'text', text: 'Done.' });
});

test('an unterminated fence: judged when the text ends (withheld if long, shown if short)', () => {
  const long = `Start:\n\`\`\`python\n${solutionLines.join('\n')}`;
  const a = run(textEvents('m', long, [5, 20]));
  assertNoSolution(a.out, 'unterminated');
  assert.deepEqual(toTranscriptJson(a.t).items.map((i) => i.type), ['text', 'withheld']);
  const short = 'Start:\n```python\nx = 1';
  const b = run(textEvents('m', short, [5, 20]));
  assert.deepEqual(toTranscriptJson(b.t).items, [{ type: 'text', text: short }]);
  // A run cancelled in the middle of a long block: nothing leaks either.
  const cut = long.slice(0, long.length - 10);
  const events: StreamEvent[] = [
    { kind: 'text.delta', id: 'm', delta: cut },
    { kind: 'run.finished', status: 'cancelled' },
  ];
  const c = run(events);
  assertNoSolution(c.out, 'cancelled');
  assert.deepEqual(toTranscriptJson(c.t).items.map((i) => i.type), ['text', 'withheld']);
});

test('two long blocks in one text: two placeholders, three text items, in stream order', () => {
  const text = `A\n\`\`\`\n${solutionLines.join('\n')}\n\`\`\`\nB\n~~~js\n${solutionLines.join('\n')}\n~~~\nC`;
  const { out, t, guard } = run(textEvents('m', text, [1, 50, 300]));
  assertNoSolution(out, 'two blocks');
  const items = t.items;
  assert.deepEqual(items.map((i) => i.type), ['text', 'withheld', 'text', 'withheld', 'text']);
  assert.deepEqual(items.map((i) => i.id), ['m', 'm~w1', 'm~2', 'm~w2', 'm~3']);
  assert.equal(guard.withheldCode('m~w2'), solutionLines.join('\n'));
});

test('maxSolutionLines is the limit: exactly N lines shown, N+1 withheld; 0 withholds every block', () => {
  const block = (n: number) => `\`\`\`\n${solutionLines.slice(0, n).join('\n')}\n\`\`\`\n`;
  assert.deepEqual(toTranscriptJson(run(textEvents('m', block(4), []), 4).t).items.map((i) => i.type), ['text']);
  assert.deepEqual(toTranscriptJson(run(textEvents('m', block(5), []), 4).t).items.map((i) => i.type), ['withheld']);
  assert.deepEqual(toTranscriptJson(run(textEvents('m', block(1), []), 0).t).items.map((i) => i.type), ['withheld']);
});

test('an authoritative text.done with no deltas (or a different text) never brings the code back', () => {
  const onlyDone: StreamEvent[] = [{ kind: 'text.done', id: 'm', text: answer }, { kind: 'run.finished', status: 'completed' }];
  const a = run(onlyDone);
  assertNoSolution(a.out, 'done only');
  assert.deepEqual(toTranscriptJson(a.t).items.map((i) => i.type), ['text', 'withheld', 'text']);
  const differs: StreamEvent[] = [
    { kind: 'text.delta', id: 'm', delta: 'Hello.\n' },
    { kind: 'text.done', id: 'm', text: `Other.\n\`\`\`\n${SOLUTION_CODE}\`\`\`\n` },
    { kind: 'run.finished', status: 'completed' },
  ];
  const b = run(differs);
  assertNoSolution(b.out, 'corrected done');
  assert.deepEqual(toTranscriptJson(b.t).items, [{ type: 'text', text: 'Hello.\n' }]);
});

test('interpreter code over the limit is folded while it streams; its outputs and status still pass', () => {
  const events: StreamEvent[] = [
    { kind: 'code.started', id: 'ci_1', language: 'python' },
    ...[...SOLUTION_CODE].map((ch): StreamEvent => ({ kind: 'code.delta', id: 'ci_1', delta: ch })),
    { kind: 'code.done', id: 'ci_1', code: SOLUTION_CODE },
    { kind: 'code.status', id: 'ci_1', status: 'running' },
    { kind: 'code.output', id: 'ci_1', output: { type: 'logs', text: 'True\n' } },
    { kind: 'code.status', id: 'ci_1', status: 'done' },
    { kind: 'run.finished', status: 'completed' },
  ];
  const { out, t, guard } = run(events);
  assertNoSolution(out, 'interpreter');
  const folded = out.findIndex((e) => e.kind === 'code.withheld');
  assert.ok(folded > 0 && folded < out.findIndex((e) => e.kind === 'code.status'), 'folded before the code finished');
  const item = t.items[0];
  assert.ok(item.type === 'code');
  assert.equal(item.code, '');
  assert.deepEqual(item.withheld, { lines: 15, limit: 4 });
  assert.deepEqual(item.outputs, [{ type: 'logs', text: 'True\n' }]);
  assert.equal(item.status, 'done');
  assert.equal(guard.withheldCode('ci_1'), SOLUTION_CODE);
  assert.deepEqual(toTranscriptJson(t).items, [
    { type: 'withheld', language: 'python', lines: 15 },
    { type: 'code', language: 'python', code: '', runtime: 'hosted', outputs: [{ type: 'logs', text: 'True\n' }] },
  ]);
  // Short interpreter code arrives whole at code.done.
  const short = run([
    { kind: 'code.started', id: 'c', language: 'python' },
    { kind: 'code.delta', id: 'c', delta: 'print(1)\n' },
    { kind: 'code.done', id: 'c', code: 'print(1)\n' },
    { kind: 'run.finished', status: 'completed' },
  ]);
  assert.equal((short.t.items[0] as { code: string }).code, 'print(1)\n');
});

test('a reveal is recorded in the transcript, even after the run finished', () => {
  const { t, guard } = run(textEvents('m', answer, [20]));
  const id = t.items[1].id;
  const revealed = reduceAll([{ kind: 'withheld.revealed', id, code: guard.withheldCode(id)! }], t);
  const item = revealed.items[1];
  assert.ok(item.type === 'withheld');
  assert.equal(item.revealed, true);
  assert.equal(item.code, SOLUTION_CODE.trimEnd());
  assert.deepEqual(toTranscriptJson(revealed).items[1], { type: 'withheld', language: 'python', lines: 15, revealed: true });
  // An unknown id changes nothing.
  assert.equal(reduceAll([{ kind: 'withheld.revealed', id: 'nope', code: 'x' }], t), t);
});

// ------------------------------------------------------------------ indented code blocks (CommonMark, by markdown-it)

const indent = (prefix: string): string => solutionLines.map((l) => (l === '' ? '' : prefix + l)).join('\n');

test('an indented solution (four spaces, or a tab) is withheld like a fenced one, at every split point', () => {
  for (const prefix of ['    ', '\t']) {
    const text = `${SOLUTION_INTRO}\n\n${indent(prefix)}\n\n${SOLUTION_OUTRO}`;
    const { out, guard, t } = run(textEvents('m', text, []));
    assertNoSolution(out, JSON.stringify(prefix));
    const expected = toTranscriptJson(t);
    assert.deepEqual(expected.items, [
      { type: 'text', text: `${SOLUTION_INTRO}\n\n` },
      { type: 'withheld', language: '', lines: 15 },
      { type: 'text', text: `\n${SOLUTION_OUTRO}` },
    ]);
    // What markdown-it takes as the block's code: the indentation of the block removed, the code's own kept.
    assert.equal(guard.withheldCode('m~w1'), SOLUTION_CODE.trimEnd());
    for (let i = 1; i < text.length; i += prefix === '\t' ? 1 : 3) {
      const split = run(textEvents('m', text, [i]));
      assertNoSolution(split.out, `${JSON.stringify(prefix)} split at ${i}`);
      assert.deepEqual(toTranscriptJson(split.t), expected, `${JSON.stringify(prefix)} split at ${i}`);
    }
    // Byte by byte, with no text.done (the stream ends on run.finished).
    const bytes = run(textEvents('m', text, [...Array(text.length).keys()]).filter((e) => e.kind !== 'text.done'));
    assertNoSolution(bytes.out, `${JSON.stringify(prefix)} byte by byte`);
    assert.deepEqual(toTranscriptJson(bytes.t), expected);
  }
});

test('indented code where CommonMark has it: after a heading, in a list item, in a block quote, at the end of the text', () => {
  for (const [name, text] of [
    ['heading', `# Primes\n${indent('    ')}\nTry it.`],
    ['list item', `1. Write the function:\n\n${indent('       ')}\n\n2. Test it.`],
    ['block quote', `> Like this:\n>\n${solutionLines.map((l) => `>     ${l}`).join('\n')}\n\nTry it.`],
    ['end of text', `Like this:\n\n${indent('    ')}`],
  ]) {
    const { out, t } = run(textEvents('m', text, [7, 40]));
    assertNoSolution(out, name);
    assert.deepEqual(
      toTranscriptJson(t).items.filter((i) => i.type === 'withheld'),
      [{ type: 'withheld', language: '', lines: 15 }],
      name,
    );
  }
});

test('indented text that is not a code block by CommonMark is not withheld: list item paragraphs, a paragraph continued', () => {
  // A list item's second paragraph, indented four spaces under "- ": content of the item (markdown-it: paragraph).
  const listText = ['- First, think about the divisors of n.', '', ...Array.from({ length: 8 }, (_, i) => `    Line ${i} of the same step, still prose.`), '', '- Then test small numbers.'].join('\n');
  // Indented lines right after a paragraph line: an indented block cannot interrupt a paragraph (lazy continuation).
  const paraText = ['The idea, in words:', ...Array.from({ length: 8 }, (_, i) => `    step ${i}: keep dividing`), '', 'Done.'].join('\n');
  // Nested list items indented four spaces.
  const nested = ['- Outer', '', ...Array.from({ length: 6 }, (_, i) => `    - inner ${i}`), '', 'End.'].join('\n');
  for (const [name, text] of [
    ['list paragraph', listText],
    ['paragraph continuation', paraText],
    ['nested list', nested],
  ]) {
    for (const cuts of [[], [5, 45, 90], [...Array(text.length).keys()]]) {
      const { t } = run(textEvents('m', text, cuts));
      assert.deepEqual(toTranscriptJson(t).items, [{ type: 'text', text }], `${name}, ${cuts.length} cuts`);
    }
  }
});

test('a short indented block is shown as written; the limit counts its lines; list content streams on', () => {
  const short = `See:\n\n    x = 1\n    print(x)\n\nThat prints 1.`;
  assert.deepEqual(toTranscriptJson(run(textEvents('m', short, [8, 14])).t).items, [{ type: 'text', text: short }]);
  const block = (n: number) => `Code:\n\n${solutionLines.slice(0, n).map((l) => `    ${l}`).join('\n')}\n\nEnd.`;
  assert.deepEqual(toTranscriptJson(run(textEvents('m', block(4), []), 4).t).items.map((i) => i.type), ['text']);
  assert.deepEqual(toTranscriptJson(run(textEvents('m', block(5), []), 4).t).items.map((i) => i.type), ['text', 'withheld', 'text']);
  // Only a line that may start an indented block waits for its newline; other text is released at once.
  const guard = new HintGuard({ maxLines: 4 });
  const released = (delta: string) => emittedTexts(guard.push({ kind: 'text.delta', id: 'm', delta })).join('');
  assert.equal(released('Intro\n    lazy'), 'Intro\n    lazy', 'indented text continuing a paragraph is not held');
  assert.equal(released('\n\n    x = '), '\n\n', 'after a blank line, an indented line waits');
  assert.equal(released('1\nok'), '', 'the block waits until a line ends it');
  assert.equal(released('\n'), '    x = 1\nok\n');
});

/** The guard over `text` in deltas of `step` characters. */
function guardText(text: string, step: number): { out: StreamEvent[]; guard: HintGuard } {
  const cuts: number[] = [];
  for (let i = step; i < text.length; i += step) cuts.push(i);
  const { out, guard } = run(textEvents('msg', text, cuts));
  return { out, guard };
}

test('the worst case (one list item, thousands of indented paragraphs) gives the same withheld decisions as before, and as markdown-it on the whole text', () => {
  const flat = hintGuardWorstCase(30_000);
  const variants: [string, string][] = [
    ['flat', flat],
    // The same notes one list deeper, in a block quote, and under an ordered item that cannot follow a paragraph.
    ['nested', flat.replace(/^- Step one/m, '- Outer:\n  - Step one').replace(/^( {4,})/gm, '  $1')],
    ['quoted', flat.replace(/^/gm, '> ')],
    ['ordered', flat.replace(/^- Step one/m, '- Outer:\n\n  7. Step one').replace(/^( {4,})/gm, '   $1')],
    ['crlf', flat.replace(/\n/g, '\r\n')],
  ];
  // The transcripts the guard gave before its parse was bounded (sha-256 of the transcript JSON, first 16 hex digits).
  const before: Record<string, string> = { flat: '34661c9b88bf9c2d', nested: 'dd3ce692dc0ff898' };
  const oracle = new MarkdownIt({ html: false });
  for (const [name, text] of variants) {
    const { out, guard } = guardText(text, 3);
    // markdown-it on the whole answer at once: every code block longer than the limit is withheld, in order.
    const blocks = oracle.parse(text, {}).filter((tk) => tk.type === 'code_block');
    const long = blocks.filter((b) => countLines(b.content) > 4);
    assert.ok(long.length > 3 && blocks.length > long.length, `${name}: the input has long and short code blocks`);
    assert.deepEqual(
      [...guard.withheld().values()].map((w) => w.code),
      long.map((b) => b.content.replace(/\n$/, '')),
      `${name}: the withheld blocks`,
    );
    const placeholders = out.filter((e) => e.kind === 'withheld');
    assert.deepEqual(
      placeholders.map((e) => e.kind === 'withheld' && e.lines),
      long.map((b) => countLines(b.content)),
    );
    const json = JSON.stringify(toTranscriptJson(reduceAll(out)));
    if (before[name]) assert.equal(createHash('sha256').update(json).digest('hex').slice(0, 16), before[name], `${name}: the same transcript as before`);
    for (const step of [1, 64]) assert.equal(JSON.stringify(toTranscriptJson(reduceAll(guardText(text, step).out))), json, `${name}: the same at ${step}-character deltas`);
    // What is shown: the short blocks as written, nothing of the long ones.
    const shown = emittedTexts(out).join('');
    for (const b of long) assert.ok(!shown.includes(b.content.split('\n')[0].trim()), `${name}: a withheld line leaked`);
    for (const b of blocks.filter((x) => countLines(x.content) <= 4)) assert.ok(shown.includes(b.content.split('\n')[0].trim()), `${name}: a short block is shown`);
  }
});

test('long lines cost per delta, not per line so far: the same decisions as before at every split', () => {
  // countLines kept as code streams agrees with countLines at every prefix.
  for (const code of ['', 'x', 'a\nb', 'a\n\n\n', 'a\r\nb\r\n  \r\n', '\n\n x\n\t\n', 'print(1)\n'.repeat(7), `${'y'.repeat(50)}\n \n`]) {
    for (const step of [1, 2, 5]) {
      const counter = new LineCounter();
      for (let i = 0; i < code.length; i += step) {
        counter.push(code.slice(i, i + step));
        assert.equal(counter.count, countLines(code.slice(0, i + step)), `${JSON.stringify(code)} at ${i + step}`);
      }
      assert.equal(counter.count, countLines(code));
    }
  }
  // One long line of prose streams on as it arrives, in order, exactly as written.
  const prose = `Think about it: ${'the loop visits each element once, '.repeat(600)}done.\n\nNext.`;
  const { out } = guardText(prose, 3);
  assert.ok(out.filter((e) => e.kind === 'text.delta').length > 1000, 'streamed, not held to the newline');
  assert.equal(reduceAll(out).items.map((i) => (i.type === 'text' ? i.text : '')).join(''), prose);
  // A line undecided for longer than the guard looks (spaces, then a fence with a long info string; after a paragraph
  // line, so not indented code) is held to its newline: the long block after it is still withheld, nothing of it shown.
  const hostile = `Intro.\n${' '.repeat(6000)}\`\`\`python ${'x'.repeat(6000)}\n${SOLUTION_CODE}\`\`\`\n\nAfter.\n`;
  for (const step of [3, 1000]) {
    const r = guardText(hostile, step);
    assertNoSolution(r.out, `undecided long line, ${step}-character deltas`);
    assert.equal([...r.guard.withheld().values()].length, 1);
    assert.match(emittedTexts(r.out).join(''), /After\./);
  }
});
