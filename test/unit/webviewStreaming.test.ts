/**
 * The incremental markdown renderer against a one-shot render of the same text: however the stream was split, the
 * DOM at the end must be the DOM that rendering the whole answer once gives. Inputs are the cases that a block
 * splitter gets wrong when it never looks back: lists and tables whose items are separated by blank lines,
 * reference links defined after their use, code fences opening and closing mid-stream, unclosed fences.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Window } from 'happy-dom';
import { domWindow } from './support/happyDom';
import type { HostToWebview } from '../../src/shared/protocol';
import { uiStringKeys, type UiStrings } from '../../src/shared/protocol';
import { emptyTranscript } from '../../src/shared/transcript';
import { markdownStats, renderMarkdown } from '../../webview/render/markdown';
import type { ChatViewDeps } from './support/chatHarness';

interface ChatViewLike {
  handle(m: HostToWebview): void;
}
type Ctor = new (deps: ChatViewDeps) => ChatViewLike;

const render = join(__dirname, '../../webview/render');
let ChatView: Ctor;
let sanitizedFragment: (doc: unknown, html: string) => unknown;
let extendWithText: (el: unknown, oldHtml: string, newHtml: string) => boolean;
let extensionStats: { extended: number; extendedMarkup: number; rendered: number; reused: number; plainBlocks: number };
let blockFragment: (doc: unknown, html: string) => { childNodes: ArrayLike<{ nodeType: number; nodeName: string; textContent: string | null }> };
let warmUpRenderers: (doc: unknown) => void;
before(async () => {
  ({ warmUpRenderers } = await import(join(render, 'warmUp.ts')));
  ({ ChatView } = await import(join(render, 'chatView.ts')));
  ({ sanitizedFragment } = await import(join(render, 'sanitize.ts')));
  ({ extendWithText, extensionStats, blockFragment } = await import(join(render, 'textExtension.ts')));
});

const strings = Object.fromEntries(uiStringKeys.map((k) => [k, `«${k}»`])) as UiStrings;

/** A seeded generator, so a failure names a case that can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface StreamPlan {
  /** The deltas, in order. */
  readonly deltas: readonly string[];
  /** Run the frames that were asked for after delta i? */
  readonly frameAfter: (i: number) => boolean;
  readonly typewriter: boolean;
  /** Send text.done with the whole text before the run ends. */
  readonly textDone: boolean;
  /** Send text.done with this text instead (a server's correction of what the deltas built). */
  readonly doneText?: string;
}

/** Stream `plan` through a chat view; returns the answer's DOM, flattened, and the one-shot DOM of the same text. */
let shared: Window | undefined;
function streamAndCompare(text: string, plan: StreamPlan): { streamed: string; oneShot: string } {
  shared ??= domWindow();
  const doc = shared.document;
  doc.body.replaceChildren();
  const root = doc.createElement('div');
  doc.body.append(root);
  let clock = 0;
  let queued: Array<() => void> = [];
  const runFrames = (ms: number) => {
    clock += ms;
    const q = queued;
    queued = [];
    for (const cb of q) cb();
  };
  const view = new ChatView({ doc, root, post: () => {}, now: () => clock, requestFrame: (cb) => queued.push(cb), reducedMotion: () => false });
  view.handle({ type: 'snapshot', chat: { chatId: 'c', turns: [], runningTurnId: null }, strings, settings: { typewriter: plan.typewriter } });
  view.handle({ type: 'turnStarted', turn: { id: 't1', question: { text: 'q' }, run: emptyTranscript } });
  plan.deltas.forEach((delta, i) => {
    view.handle({ type: 'event', turnId: 't1', event: { kind: 'text.delta', id: 'm1', delta } });
    if (plan.frameAfter(i)) runFrames(16);
  });
  if (plan.textDone || plan.doneText !== undefined) view.handle({ type: 'event', turnId: 't1', event: { kind: 'text.done', id: 'm1', text: plan.doneText ?? text } });
  view.handle({ type: 'event', turnId: 't1', event: { kind: 'run.finished', status: 'completed' } });
  for (let i = 0; i < 5 && queued.length > 0; i++) runFrames(16);
  text = plan.doneText ?? text;
  const md = doc.querySelector('.md-text[data-item-id="m1"]');
  let streamed = '';
  if (md) {
    const copy = md.cloneNode(true) as unknown as { querySelectorAll(s: string): ArrayLike<{ remove(): void }>; children: ArrayLike<{ className: string; innerHTML: string }> };
    // The code actions' toolbars and the keyboard stops on code blocks are ours, not the markdown's.
    for (const el of Array.from(copy.querySelectorAll('.fence-toolbar'))) el.remove();
    for (const el of Array.from(copy.querySelectorAll('pre[tabindex]')) as unknown as Array<{ removeAttribute(n: string): void }>) el.removeAttribute('tabindex');
    for (const c of Array.from(copy.children)) streamed += c.innerHTML;
  }
  const box = doc.createElement('div');
  box.append(sanitizedFragment(doc, renderMarkdown(text)) as never);
  return { streamed, oneShot: box.innerHTML };
}

const cases: Record<string, string> = {
  looseList: 'Steps:\n\n- first item\n\n- second item\n\n- third item\n\nAfter the list.\n',
  looseOrdered: '1. one\n\n2. two\n\n   continued para\n\n3. three\n',
  nestedLoose: '- a\n\n  - a1\n\n  - a2\n\n- b\n\ntext\n',
  tableThenBlank: '| a | b |\n|---|:-:|\n| 1 | 2 |\n\n| 3 | 4 |\n\nend\n',
  tableRows: 'Intro\n\n| col | val |\n| --- | --: |\n| x | 1 |\n| y | 2 |\n\nDone.\n',
  refLater: 'See [the docs][docs] and [this][] and [Other].\n\nMore text [docs] here.\n\n[docs]: https://example.com/docs "Docs"\n[this]: https://example.com/this\n[other]: https://example.com/o\n',
  refEarlier: '[a]: https://a.example\n\nUse [a] and [b].\n\n[b]: https://b.example\n',
  fences:
    'Code:\n\n```python\ndef f(x):\n\n    return x\n```\n\nthen\n\n~~~js\nconst a = 1;\n```\nstill code\n~~~\n\n````md\n```\ninner\n```\n````\nend\n',
  unclosedFence: 'Look:\n\n```ts\nconst x: number = 1;\n\nfunction f() {}\n',
  fenceInList: '- item\n\n  ```py\n  x = 1\n\n  y = 2\n  ```\n\n- next\n',
  headingsQuotes: '# Title\n\nPara *em* **strong** `code`\n\n> quote\n>\n> more\n\n> second\n\n---\n\nSetext\n======\n\n    indented code\n\n    more code\n\nLast.',
  mixed:
    'Here is a loop:\n\n```python\nfor i in range(3):\n    print(i)\n```\n\n1. Run it\n\n2. Read [the output][out]\n\n| n | sq |\n|---|----|\n| 1 | 1 |\n\n[out]: https://example.com/out\n\nThat is all.\n',
  crlf: 'a\r\n\r\n- x\r\n\r\n- y\r\n',
  noTrailingNewline: 'Para\n\n- a\n\n- b',
  lazyAndHtml: 'para <b>bold</b>\nlazy line\n\n<div>\nraw\n</div>\n\n* star\n\n* list\n',
  emojiAndCjk: '中文段落，😀 表情。\n\n- 第一项\n\n- 第二项\n',
};

describe('webview: incremental rendering equals a one-shot render', () => {
  it('every case, split in two at many positions', () => {
    for (const [name, text] of Object.entries(cases)) {
      // About 10 cut points per case (every position takes minutes on a shared 2-core machine).
      const step = Math.max(1, Math.floor(text.length / 10));
      for (let cut = 0; cut <= text.length; cut += step) {
        const { streamed, oneShot } = streamAndCompare(text, {
          deltas: [text.slice(0, cut), text.slice(cut)].filter((d) => d !== ''),
          frameAfter: () => true,
          typewriter: false,
          textDone: cut % 2 === 0,
        });
        assert.equal(streamed, oneShot, `${name} cut at ${cut}`);
      }
    }
  });

  it('every case, in 1-4 character deltas with frames at random points, typewriter on and off', () => {
    for (const [name, text] of Object.entries(cases)) {
      for (let seed = 1; seed <= 6; seed++) {
        const r = rng(seed * 7919 + text.length);
        const deltas: string[] = [];
        for (let i = 0; i < text.length; ) {
          const n = 1 + Math.floor(r() * 4);
          deltas.push(text.slice(i, i + n));
          i += n;
        }
        const frames = deltas.map(() => r() < 0.4);
        const { streamed, oneShot } = streamAndCompare(text, { deltas, frameAfter: (i) => frames[i], typewriter: seed % 2 === 0, textDone: seed % 3 === 0 });
        assert.equal(streamed, oneShot, `${name} seed ${seed}`);
      }
    }
  });

  it('a corrected text (text.done unlike the deltas), at many points of the stream', () => {
    const text = cases.mixed + cases.looseList;
    for (let cut = 5; cut < text.length; cut += 23) {
      const deltas = [text.slice(0, cut), text.slice(cut)];
      // The server's final text differs early (a word changed) or only at the end (more text).
      for (const doneText of [text.replace('loop', 'LOOP'), text + '\nAnd one more paragraph.\n']) {
        const r = streamAndCompare(text, { deltas, frameAfter: () => true, typewriter: false, textDone: false, doneText });
        assert.equal(r.streamed, r.oneShot, `corrected after ${cut}`);
      }
    }
  });

  it('a long answer of all the cases, streamed in small deltas', () => {
    const text = Object.values(cases).join('\n\n').repeat(3);
    const r = rng(42);
    const deltas: string[] = [];
    for (let i = 0; i < text.length; ) {
      const n = 1 + Math.floor(r() * 4);
      deltas.push(text.slice(i, i + n));
      i += n;
    }
    const { streamed, oneShot } = streamAndCompare(text, { deltas, frameAfter: (i) => i % 5 === 0, typewriter: false, textDone: false });
    assert.equal(streamed, oneShot);
  });

  it('renders finished blocks once: the final reconciliation re-renders only the blocks a one-shot render joins', () => {
    // 200 paragraphs and one loose list at the end: at the end only the list is rendered again.
    const paras = Array.from({ length: 200 }, (_, i) => `Paragraph ${i} with some words.`).join('\n\n');
    const text = `${paras}\n\n- a\n\n- b\n\n- c\n`;
    const deltas: string[] = [];
    for (let i = 0; i < text.length; i += 3) deltas.push(text.slice(i, i + 3));
    const before = markdownStats.renderedChars;
    const { streamed, oneShot } = streamAndCompare(text, { deltas, frameAfter: () => true, typewriter: false, textDone: true });
    assert.equal(streamed, oneShot);
    const rendered = markdownStats.renderedChars - before;
    // Each paragraph once when frozen, the open tail once per frame (≤ one paragraph or the list), the list again at
    // the end, plus the one-shot render this test makes itself.
    const perFrame = 40;
    assert.ok(rendered <= text.length * 2 + deltas.length * perFrame, `rendered ${rendered} chars for ${text.length}`);
  });
});

describe('webview: the open block extended with text in place', () => {
  /** For every prefix of `text` after the first: extend a render of the previous prefix, or say it can't. */
  function walk(text: string, step: (i: number) => number): { extended: number; steps: number } {
    shared ??= domWindow();
    const doc = shared.document;
    const render = (src: string) => {
      const box = doc.createElement('div');
      box.append(sanitizedFragment(doc, renderMarkdown(src)) as never);
      return box;
    };
    let extended = 0;
    let steps = 0;
    for (let a = 0, b = step(0); b <= text.length; a = b, b += step(b)) {
      const oldHtml = renderMarkdown(text.slice(0, a));
      const newHtml = renderMarkdown(text.slice(0, b));
      if (newHtml === oldHtml) continue; // nothing to show (the view keeps what it has)
      const el = render(text.slice(0, a));
      const before = el.innerHTML;
      steps++;
      if (extendWithText(el, oldHtml, newHtml)) {
        extended++;
        assert.equal(el.innerHTML, render(text.slice(0, b)).innerHTML, `extending ${JSON.stringify(text.slice(0, a))} by ${JSON.stringify(text.slice(a, b))}`);
      } else assert.equal(el.innerHTML, before, 'a refused extension leaves the element as it was');
    }
    return { extended, steps };
  }

  it('gives the DOM of a fresh render for every prefix of every case, and refuses what is not plain text', () => {
    const more: Record<string, string> = {
      inline: 'Use `len(items)` and **bold** and *em* with [a link](https://docs.python.org/3/) then text.',
      entities: 'a < b && c > d "quoted" \'single\' then AT&T and &amp; more words',
      controls: 'bidi \u202e reversed \u001b[31m red \u0000 nul tail words',
      nested: '> quote with - a list\n>\n> - item one\n>   more words\n',
      autolink: 'see https://example.com/path and www.example.org then words',
    };
    let extended = 0;
    let steps = 0;
    for (const [name, text] of Object.entries({ ...cases, ...more })) {
      const r = walk(text, () => 1);
      assert.ok(r.steps > 0, name);
      extended += r.extended;
      steps += r.steps;
    }
    // Most one-character steps of prose are plain text (and taken in place); the rest were checked to be refused.
    assert.ok(extended > steps / 3, `${extended} of ${steps} steps extended in place`);
  });

  it('adds self-contained inline markup in place, and gives the DOM of a fresh render at every step of any size', () => {
    const prose = [
      'Call `len(items)` to count, then **sum** the *values*; AT&T and x < y are text, not tags.',
      'A line with ~~gone~~ text and `a & b` in code, then a hard  \nbreak and more words after it.',
      '- item with `code` and **bold**\n- another item with *em*\n\n| a | b |\n|---|---|\n| `x` | **y** |\n',
      'Links [stay](https://example.com) full renders, and "quotes" too, but `this` is added in place.',
    ].join('\n\n');
    let extended = 0;
    const before = extensionStats.extendedMarkup;
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      extended += walk(prose, () => 1 + Math.floor(r() * 24)).extended;
    }
    assert.ok(extensionStats.extendedMarkup - before > 40, `${extensionStats.extendedMarkup - before} steps added markup in place`);
    assert.ok(extended > 0);
  });

  it('adds list items, and words after a closed code span, in place: the DOM of a fresh render at every step', () => {
    const lists = [
      '- first item with `code`\n- second item with **bold** words\n- third [link](https://example.com) item\n- fourth',
      '1. one\n2. two with `x`\n3. three\n   - nested a\n   - nested b with *em*\n4. four',
      '* star item\n* another\n+ a new list\n+ more',
      '| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n| 5 | 6 |',
      'Text ends in `code` then words, **bold** then more, and `a` `b` `c` in a row.',
    ].join('\n\n');
    const before = { ...extensionStats } as Record<string, number>;
    let steps = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(100 + seed);
      steps += walk(lists, () => 1 + Math.floor(r() * 30)).steps;
    }
    const stats = extensionStats as unknown as Record<string, number>;
    const items = stats.extendedItems - before.extendedItems;
    assert.ok(items > 40, `${items} of ${steps} steps added list items in place`);
  });

  it('never puts text where a fresh parse would move it (a table row)', () => {
    shared ??= domWindow();
    const doc = shared.document;
    const oldHtml = renderMarkdown('| a |\n|---|\n| 1 |\n');
    const newHtml = oldHtml.replace('</td>\n</tr>\n</tbody>', '</td>\nloose</tr>\n</tbody>');
    assert.notEqual(newHtml, oldHtml);
    const el = doc.createElement('div');
    el.append(sanitizedFragment(doc, oldHtml) as never);
    const before = el.innerHTML;
    assert.equal(extendWithText(el, oldHtml, newHtml), false);
    assert.equal(el.innerHTML, before);
  });

  it('builds a block of plain text as the sanitizer would, without it, and sanitizes anything else', () => {
    shared ??= domWindow();
    const doc = shared.document;
    const shape = (frag: ReturnType<typeof blockFragment>) =>
      JSON.stringify(Array.from(frag.childNodes, (n) => [n.nodeType, n.nodeName, n.textContent]));
    const r = rng(11);
    const alphabet = ['a', 'Z', ' ', '\u00e9', '\u4f8b', '\u05d0', '\u202e', '\u200b', '\u{1f600}', '*', '_', '`', '(', ')', '#', '\t', '\n', '.', '"', '>', '<', '&'];
    const sources = ['# A heading', '### Smaller', 'Line one\nline two', '\\<b>', '&copy; and &amp;', 'a `code` span', '[link](https://example.com)', '| t |\n|---|\n| 1 |', '> quoted', '1. item'];
    for (let i = 0; i < 300; i++) sources.push(Array.from({ length: 1 + Math.floor(r() * 40) }, () => alphabet[Math.floor(r() * alphabet.length)]).join(''));
    let plain = 0;
    for (const src of sources) {
      const html = renderMarkdown(src);
      if (html === '') continue;
      const before = extensionStats.plainBlocks;
      const got = blockFragment(doc, html);
      const fast = extensionStats.plainBlocks > before;
      plain += fast ? 1 : 0;
      if (fast) assert.ok(!/[<&]/.test(html.replace(/^<(p|h[1-6])>/, '').replace(/<\/(p|h[1-6])>\n$/, '')), `built without the sanitizer: ${JSON.stringify(html)}`);
      assert.equal(shape(got), shape(sanitizedFragment(doc, html) as ReturnType<typeof blockFragment>), JSON.stringify(src));
    }
    assert.ok(plain >= 20 && sources.length - plain >= 50, `${plain} of ${sources.length} built directly`);
  });

  it('takes the place of most renders while a paragraph streams', () => {
    const para = 'The loop reads each line of the file and counts the words in it, because the total is what we print at the end. '.repeat(6);
    const r = rng(3);
    const { extended, steps } = walk(para, () => 1 + Math.floor(r() * 4));
    // All but the first, which starts the paragraph.
    assert.equal(extended, steps - 1, `${extended} of ${steps}`);
  });

  it('is what a streaming answer uses: frames extend the open paragraph, and the end is still a one-shot render', () => {
    const text = `${'Words that stream one by one into the open paragraph of the answer. '.repeat(20)}\n\nAnd a last one.\n`;
    const deltas: string[] = [];
    for (let i = 0; i < text.length; i += 3) deltas.push(text.slice(i, i + 3));
    const before = { ...extensionStats };
    const { streamed, oneShot } = streamAndCompare(text, { deltas, frameAfter: () => true, typewriter: false, textDone: true });
    assert.equal(streamed, oneShot);
    const extended = extensionStats.extended - before.extended;
    const rendered = extensionStats.rendered - before.rendered;
    assert.ok(extended > rendered * 10, `${extended} frames extended the paragraph, ${rendered} rendered it`);
  });
});

/** A chat view in the shared window with turn t1 started; `send` adds a delta to its text and runs the frames. */
function liveChat() {
  shared ??= domWindow();
  const doc = shared.document;
  doc.body.replaceChildren();
  const root = doc.createElement('div');
  doc.body.append(root);
  const queued: Array<() => void> = [];
  const frame = () => {
    for (const cb of queued.splice(0)) cb();
  };
  const view = new ChatView({ doc, root, post: () => {}, now: () => 0, requestFrame: (cb) => queued.push(cb), reducedMotion: () => false });
  view.handle({ type: 'snapshot', chat: { chatId: 'c', turns: [], runningTurnId: null }, strings, settings: { typewriter: false } });
  view.handle({ type: 'turnStarted', turn: { id: 't1', question: { text: 'q' }, run: emptyTranscript } });
  const send = (delta: string) => {
    view.handle({ type: 'event', turnId: 't1', event: { kind: 'text.delta', id: 'm1', delta } });
    frame();
  };
  return { doc, view, send, frame, queued };
}

describe('webview: a finished block keeps the nodes the open block showed', () => {
  it('takes them over instead of parsing and sanitizing the same HTML again, so a selection in it survives', () => {
    const { doc, view, send, frame, queued } = liveChat();
    const before = { ...extensionStats };
    send('A paragraph with *emphasis* and `code`');
    send(' that the learner selects.');
    const para = doc.querySelector('.md-tail p') as unknown as { textContent: string; parentElement: { className: string } } | null;
    assert.ok(para, 'the open paragraph is drawn');
    send('\n\nThe next one');
    assert.equal(para.parentElement.className, 'md-chunk', 'the same paragraph element is now a finished block');
    assert.equal(para.textContent, 'A paragraph with emphasis and code that the learner selects.');
    assert.equal(extensionStats.reused - before.reused, 1);
    send(' ends here.\n\n```python\nx = 1\n');
    const pre = doc.querySelector('.md-tail pre') as unknown as { parentElement: { className: string }; querySelector(s: string): { className: string; textContent: string } | null } | null;
    assert.ok(pre, 'the open fence is drawn as code');
    send('```\n\nDone.');
    // The closed fence keeps its element too: the chunks shown are the one-shot render, so nothing is rendered again.
    assert.equal(pre.parentElement.className, 'md-chunk');
    assert.equal(pre.querySelector('code')!.className, 'hljs language-python');
    assert.equal(pre.querySelector('code')!.textContent, 'x = 1\n');
    assert.equal(doc.querySelectorAll('pre').length, 1, 'shown once');
    view.handle({ type: 'event', turnId: 't1', event: { kind: 'run.finished', status: 'completed' } });
    for (let i = 0; i < 5 && queued.length > 0; i++) frame();
    const md = doc.querySelector('.md-text[data-item-id="m1"]') as unknown as { querySelectorAll(s: string): ArrayLike<{ remove(): void }>; textContent: string };
    // The second (its last words came with the blank line that finished it: added in place, then taken over), the
    // fence and the last paragraph too.
    assert.equal(extensionStats.reused - before.reused, 4);
    assert.match(md.textContent, /The next one ends here\./);
    assert.match(md.textContent, /x = 1/);
  });
});

describe('webview: a fence that closes', () => {
  /** Stream `deltas` with a frame after each; returns how many code blocks were on screen after each frame. */
  function codeBlocksShown(deltas: readonly string[]): number[] {
    const { doc, send } = liveChat();
    return deltas.map((delta) => {
      send(delta);
      return doc.querySelectorAll('pre').length;
    });
  }

  it('is shown once while the next block has not begun, whether its view is kept or it is rendered afresh', () => {
    // Kept: the fence's chunks are its one-shot render.
    assert.deepEqual(codeBlocksShown(['Intro.\n\n```python\nx = 1\n', 'y = 2\n```\n\n', 'After.']), [1, 1, 1]);
    // Rendered afresh: in a list item the one-shot render drops the indentation the open view showed.
    assert.deepEqual(codeBlocksShown(['- item\n\n  ```py\n  x = 1\n', '  ```\n\n', '- next\n']), [1, 1, 1]);
  });
});

describe('webview: renderers warmed up while the learner types', () => {
  it('leaves the document and the render counters as they were', () => {
    shared ??= domWindow();
    const doc = shared.document;
    doc.body.replaceChildren();
    const counters = { ...markdownStats };
    warmUpRenderers(doc);
    assert.equal(doc.body.childNodes.length, 0);
    assert.deepEqual({ ...markdownStats }, counters);
  });
});
