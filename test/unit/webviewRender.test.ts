/**
 * The chat webview's renderers in a DOM from happy-dom, on a simulated clock and simulated animation frames:
 * sanitized markdown, finished blocks rendered once, the typewriter's lag bound, incremental code highlighting,
 * and the DOM contract the end-to-end tests rely on.
 *
 * The DOM-using modules are loaded by path so this file's type check (Node types, no DOM lib) does not pull them
 * in; they are type-checked by webview/tsconfig.json.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { domWindow } from './support/happyDom';
import type { StreamEvent } from '../../src/shared/events';
import { uiStringKeys, type HostToWebview, type Turn, type UiStrings, type WebviewToHost } from '../../src/shared/protocol';
import { emptyTranscript } from '../../src/shared/transcript';
import { highlightToHtml, nextLineChunk } from '../../webview/render/highlight';
import { BlockSplitter, isSafeHref, markdownStats } from '../../webview/render/markdown';
import { safeCut, Typewriter, defaultTypewriterOptions } from '../../webview/render/typewriter';
import type { ChatViewDeps } from './support/chatHarness';

interface ChatViewLike {
  handle(m: HostToWebview): void;
  flush(): void;
  showAll(): void;
}
type ChatViewDepsLike = ChatViewDeps;
interface Stats {
  chunkHighlights: number;
  chunkChars: number;
  fullHighlights: number;
  fullChars: number;
}

const render = join(__dirname, '../../webview/render');
let ChatView: new (deps: ChatViewDepsLike) => ChatViewLike;
let codeStats: Stats;
let highlightMinChunk: number;
let sanitizedFragment: (doc: unknown, html: string) => { childNodes: ArrayLike<unknown> };

before(async () => {
  ({ ChatView } = await import(join(render, 'chatView.ts')));
  ({ codeStats, highlightMinChunk } = await import(join(render, 'codeBlock.ts')));
  ({ sanitizedFragment } = await import(join(render, 'sanitize.ts')));
});

const strings = Object.fromEntries(uiStringKeys.map((k) => [k, `«${k}»`])) as UiStrings;

/** A chat view in a fresh DOM, with a fake clock and frames run by hand. */
function harness(opts: { typewriter?: boolean; reducedMotion?: boolean } = {}) {
  const window = domWindow();
  const doc = window.document;
  const root = doc.createElement('div');
  root.id = 'code-tutor-root';
  doc.body.append(root);
  const posted: WebviewToHost[] = [];
  let clock = 0;
  let queued: Array<() => void> = [];
  const view = new ChatView({
    doc,
    root,
    post: (m) => posted.push(m),
    now: () => clock,
    requestFrame: (cb) => queued.push(cb),
    reducedMotion: () => opts.reducedMotion ?? false,
  });
  const h = {
    window,
    doc,
    root,
    view,
    posted,
    get now() {
      return clock;
    },
    /** Advance the clock and run the frames that were requested. */
    frame(ms = 16) {
      clock += ms;
      const q = queued;
      queued = [];
      for (const cb of q) cb();
    },
    pendingFrames: () => queued.length,
    snapshot(turns: Turn[], runningTurnId: string | null = null) {
      view.handle({ type: 'snapshot', chat: { chatId: 'c1', turns, runningTurnId }, strings, settings: { typewriter: opts.typewriter ?? true } });
    },
    start(id: string, text = 'Explain this') {
      view.handle({ type: 'turnStarted', turn: { id, question: { text }, run: emptyTranscript } });
    },
    event(turnId: string, event: StreamEvent) {
      view.handle({ type: 'event', turnId, event });
    },
    $(sel: string) {
      return doc.querySelector(sel);
    },
    $$(sel: string) {
      return Array.from(doc.querySelectorAll(sel));
    },
  };
  return h;
}

const evil = [
  'Here is <script>alert(1)</script> and <img src=x onerror="alert(2)"> inline.',
  '',
  '[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) [cmd](command:workbench.action.terminal.new)',
  '',
  '[spaced]( javascript:alert(4)) [ok](https://example.com/a?b=1) mail <mailto:a@b.c> <javascript:alert(5)>',
  '',
  '<a href="javascript:alert(6)">raw</a> <iframe src="https://evil"></iframe> <svg onload=alert(7)>',
  '',
  '![tracker](https://evil.example/pixel.png)',
  '',
  '| a | b |',
  '|--:|:-:|',
  '| 1 | 2 |',
  '',
].join('\n');

describe('webview: sanitized markdown', () => {
  it('renders a hostile answer inert', () => {
    const h = harness({ typewriter: false });
    h.snapshot([]);
    h.start('t1');
    h.event('t1', { kind: 'text.delta', id: 'm1', delta: evil });
    h.event('t1', { kind: 'run.finished', status: 'completed' });
    h.frame();
    const md = h.$('.md-text[data-item-id="m1"]');
    assert.ok(md, 'text item rendered');
    assert.equal(md.querySelectorAll('script, img, iframe, svg, object, embed, style').length, 0);
    for (const el of Array.from(md.querySelectorAll('*'))) {
      for (const a of Array.from(el.attributes)) {
        assert.ok(!a.name.toLowerCase().startsWith('on'), `event handler attribute ${a.name}`);
        assert.ok(!/style/i.test(a.name), 'no inline style');
      }
    }
    const links = Array.from(md.querySelectorAll('a'));
    assert.ok(links.length >= 2);
    for (const a of links) {
      // No link can navigate the page: the destination is kept as data, opened only by the host after a question.
      assert.equal(a.getAttribute('href'), null);
      const href = a.getAttribute('data-href') ?? '';
      if (href) assert.match(href, /^(https?:|mailto:)/, href);
    }
    assert.deepEqual(links.map((a) => a.getAttribute('data-href')).filter(Boolean), ['https://example.com/a?b=1', 'mailto:a@b.c', 'https://evil/', 'https://evil.example/pixel.png']);
    // The raw HTML is shown as text, not dropped silently and not executed.
    assert.ok(md.textContent!.includes('<script>alert(1)</script>'));
    assert.ok(md.textContent!.includes('<img src=x onerror="alert(2)">'));
    // Table alignment survives as classes, not inline styles.
    assert.ok(md.querySelector('td.align-right'));
    assert.ok(md.querySelector('td.align-center'));
  });

  it('drops hostile HTML even if it reached the sanitizer', () => {
    const h = harness();
    const frag = sanitizedFragment(
      h.doc,
      '<p onclick="x()">hi<img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">j</a>' +
        '<a href=" https://ok.example">ok</a><!-- c --><b>bold</b><style>*{}</style><svg><script>alert(4)</script></svg></p>',
    );
    const box = h.doc.createElement('div');
    box.append(frag as never);
    assert.equal(
      box.innerHTML,
      '<p>hi<a class="md-link">j</a><a class="md-link" data-href="https://ok.example/" title="ok.example — https://ok.example/" role="link" tabindex="0">ok</a>bold</p>',
    );
  });

  it('judges link targets the way a browser would read them', () => {
    for (const ok of ['https://a.b', 'http://a.b', 'mailto:x@y.z', 'HTTPS://A.B']) assert.ok(isSafeHref(ok), ok);
    for (const bad of ['javascript:alert(1)', ' javascript:x', 'java\tscript:x', 'data:text/html,x', 'command:x', 'vscode://x', 'file:///etc', '/rel', '#top']) {
      assert.equal(isSafeHref(bad), false, bad);
    }
  });
});

describe('webview: O(n) markdown streaming', () => {
  it('splits at block boundaries only, fences kept whole', () => {
    const s = new BlockSplitter();
    const text = 'Para one\nstill one\n\nPara two\n\n  indented stays\n- a\n\n- b\n```py\nx = 1\n\ny = 2\n```\nafter\n\n~~~\n```\n~~~\nend\n';
    const b = s.advance(text);
    const blocks: string[] = [];
    let last = 0;
    for (const x of b) {
      blocks.push(text.slice(last, x));
      last = x;
    }
    blocks.push(text.slice(last));
    assert.deepEqual(blocks, [
      'Para one\nstill one\n\n',
      'Para two\n\n  indented stays\n- a\n\n',
      '- b\n',
      '```py\nx = 1\n\ny = 2\n```\n',
      'after\n\n',
      '~~~\n```\n~~~\n',
      'end\n',
    ]);
    // Fed a character at a time, the same boundaries.
    const s2 = new BlockSplitter();
    const b2: number[] = [];
    for (let i = 1; i <= text.length; i++) b2.push(...s2.advance(text.slice(0, i)));
    assert.deepEqual(b2, b);
  });

  it('renders each finished block once and keeps its nodes', () => {
    const h = harness({ typewriter: false });
    h.snapshot([]);
    h.start('t1');
    const paragraphs = Array.from({ length: 300 }, (_, i) => `Paragraph ${i} has **bold** text and \`code\` and more words to make it longer. `.repeat(3));
    const answer = paragraphs.join('\n\n') + '\n';
    const startChars = markdownStats.renderedChars;
    let firstP: unknown = null;
    for (let i = 0; i < answer.length; i += 37) {
      h.event('t1', { kind: 'text.delta', id: 'm1', delta: answer.slice(i, i + 37) });
      h.frame();
      // Captured once the first paragraph is frozen (the second one has begun).
      if (!firstP && h.$$('.md-text p').length >= 2) firstP = h.$('.md-text p');
    }
    h.event('t1', { kind: 'text.done', id: 'm1', text: answer });
    h.event('t1', { kind: 'run.finished', status: 'completed' });
    h.frame();
    const md = h.$('.md-text')!;
    assert.equal(md.querySelectorAll('p').length, 300);
    assert.ok(firstP && md.querySelector('p') === firstP, 'the first paragraph node was never re-created');
    const rendered = markdownStats.renderedChars - startChars;
    // Frozen blocks once (n) plus the open tail re-rendered per frame (bounded by one paragraph each frame).
    const perParagraph = paragraphs[0].length + 2;
    const frames = Math.ceil(answer.length / 37) + 1;
    assert.ok(rendered <= answer.length + frames * perParagraph, `rendered ${rendered} chars for ${answer.length}`);
    assert.ok(rendered < answer.length * 30, 'not quadratic');
  });

  it('highlights a fence in streaming text line by line, then the whole block once', () => {
    const h = harness({ typewriter: false });
    h.snapshot([]);
    h.start('t1');
    const code = Array.from({ length: 400 }, (_, i) => `value_${i} = compute(${i}) + "text"  # comment ${i}`).join('\n');
    const answer = `Look:\n\n\`\`\`python\n${code}\n\`\`\`\n\nDone.\n`;
    const before = { ...codeStats };
    for (let i = 0; i < answer.length; i += 23) {
      h.event('t1', { kind: 'text.delta', id: 'm1', delta: answer.slice(i, i + 23) });
      h.frame();
    }
    // Every code line was highlighted once while streaming, not the whole block each frame.
    const chunkChars = codeStats.chunkChars - before.chunkChars;
    assert.ok(chunkChars <= code.length + 1, `chunks ${chunkChars} for ${code.length}`);
    // Lines are highlighted in chunks of at least highlightMinChunk characters while the fence grows every frame.
    assert.ok(chunkChars >= code.length - highlightMinChunk - 80);
    assert.ok(codeStats.chunkHighlights - before.chunkHighlights <= Math.ceil(code.length / highlightMinChunk), 'chunks, not a line a frame');
    h.event('t1', { kind: 'run.finished', status: 'completed' });
    h.frame();
    const pre = h.$('.md-text pre.md-code code')!;
    assert.equal(pre.textContent, code + '\n');
    assert.ok(pre.querySelector('.hljs-string') && pre.querySelector('.hljs-comment'));
  });
});

describe('webview: typewriter', () => {
  it('never lags the stream by more than the bound, on a simulated clock', () => {
    const tw = new Typewriter(0);
    const arrivals: number[] = []; // arrivals[i] = time char i arrived
    let t = 0;
    let len = 0;
    let maxLag = 0;
    let lastShown = 0;
    // Bursty stream: steady 300 chars/s, a 3000-char burst, a pause, frames of 16 ms with some janky 120 ms ones.
    const plan: Array<[number, number]> = []; // [time, chars arriving]
    for (let i = 0; i < 200; i++) plan.push([i * 10, 3]);
    plan.push([2_050, 3_000]);
    for (let i = 0; i < 100; i++) plan.push([2_500 + i * 50, 40]);
    plan.push([9_000, 1]);
    let p = 0;
    while (t < 10_000) {
      t += t % 1000 < 900 ? 16 : 120;
      while (p < plan.length && plan[p][0] <= t) {
        const [at, n] = plan[p++];
        for (let k = 0; k < n; k++) arrivals.push(at);
        len += n;
        tw.push(len, at);
      }
      const shown = tw.tick(t);
      assert.ok(shown >= lastShown, 'never goes backwards');
      lastShown = shown;
      // The oldest hidden character's age is the current lag.
      if (shown < len) maxLag = Math.max(maxLag, t - arrivals[shown]);
    }
    assert.equal(lastShown, len);
    assert.ok(maxLag <= defaultTypewriterOptions.maxLagMs + 120, `max lag ${maxLag} ms`);
  });

  it('types at a calm pace when text trickles in', () => {
    const tw = new Typewriter(0);
    tw.push(40, 0);
    const shown = [16, 32, 48, 64].map((t) => tw.tick(t));
    assert.ok(shown[3] > 0 && shown[3] < 40, `shown ${shown}`);
    assert.ok(tw.tick(1000) === 40);
  });

  it('never cuts a surrogate pair', () => {
    const s = 'a😀b';
    assert.equal(safeCut(s, 2), 1);
    assert.equal(safeCut(s, 3), 3);
  });

  it('in the view: typed while streaming, all shown when the run ends', () => {
    const h = harness({ typewriter: true });
    h.snapshot([]);
    h.start('t1');
    const text = 'word '.repeat(200);
    h.event('t1', { kind: 'text.delta', id: 'm1', delta: text });
    h.frame(16);
    h.frame(16);
    const partial = h.$('.md-text')!.textContent!.length;
    assert.ok(partial > 0 && partial < text.trim().length, `typed ${partial}`);
    h.event('t1', { kind: 'run.finished', status: 'completed' });
    h.frame(16);
    assert.equal(h.$('.md-text')!.textContent!.trim(), text.trim());
    assert.equal(h.$('.turn')!.getAttribute('data-status'), 'completed');
  });

  it('is off with the setting off, and with reduced motion', () => {
    for (const opts of [{ typewriter: false }, { typewriter: true, reducedMotion: true }]) {
      const h = harness(opts);
      h.snapshot([]);
      h.start('t1');
      const text = 'word '.repeat(200);
      h.event('t1', { kind: 'text.delta', id: 'm1', delta: text });
      h.frame(16);
      assert.equal(h.$('.md-text')!.textContent!.trim(), text.trim(), JSON.stringify(opts));
    }
  });
});

describe('webview: interpreter code blocks', () => {
  it('a cell the learner stopped shows the badge "stopped", not "failed"; a cell that failed still says failed', () => {
    const h = harness({ typewriter: false });
    h.snapshot([]);
    h.start('t1');
    h.event('t1', { kind: 'code.started', id: 'ok', language: 'python', runtime: 'pyodide' });
    h.event('t1', { kind: 'code.done', id: 'ok', code: 'print(1)' });
    h.event('t1', { kind: 'code.status', id: 'ok', status: 'failed' });
    h.event('t1', { kind: 'code.started', id: 'loop', language: 'python', runtime: 'pyodide' });
    h.event('t1', { kind: 'code.done', id: 'loop', code: 'while True: pass' });
    h.event('t1', { kind: 'code.status', id: 'loop', status: 'running' });
    h.frame();
    const badge = (id: string) => h.$(`.code-block[data-item-id="${id}"] .code-status`)!;
    assert.equal(badge('loop').textContent, strings.running);
    // Stop: the cell reports it was stopped, then the run ends cancelled.
    h.event('t1', { kind: 'code.status', id: 'loop', status: 'stopped' });
    h.event('t1', { kind: 'run.finished', status: 'cancelled' });
    h.frame();
    assert.equal(badge('loop').getAttribute('data-status'), 'stopped');
    assert.equal(badge('loop').textContent, strings.codeStopped);
    assert.notEqual(badge('loop').textContent, strings.failed);
    assert.equal(badge('ok').getAttribute('data-status'), 'failed');
    assert.equal(badge('ok').textContent, strings.failed);

    // A cell still running when the run is cancelled (no status of its own, e.g. a hosted interpreter) is stopped too.
    h.start('t2');
    h.event('t2', { kind: 'code.started', id: 'h1', language: 'python' });
    h.event('t2', { kind: 'code.status', id: 'h1', status: 'running' });
    h.event('t2', { kind: 'run.finished', status: 'cancelled' });
    h.frame();
    assert.equal(badge('h1').getAttribute('data-status'), 'stopped');
    assert.equal(badge('h1').textContent, strings.codeStopped);
  });

  it('renders finished code afresh when its whole highlight differs from the chunks (a string across chunks)', () => {
    const h = harness({ typewriter: false });
    h.snapshot([]);
    h.start('t1');
    const doc = Array.from({ length: 30 }, (_, i) => `    line ${i} of a long docstring, def and return are words here`).join('\n');
    const code = `def f(x):\n    s = """\n${doc}\n    """\n    return s\n`;
    h.event('t1', { kind: 'code.started', id: 'ci1', language: 'python' });
    for (let i = 0; i < code.length; i += 7) {
      h.event('t1', { kind: 'code.delta', id: 'ci1', delta: code.slice(i, i + 7) });
      h.frame();
    }
    h.frame();
    const live = h.$('pre code.code-source')!;
    assert.ok(live.querySelectorAll('.code-chunk').length > 3, 'streamed in several chunks');
    const first = live.querySelector('.code-chunk *')!;
    h.event('t1', { kind: 'code.done', id: 'ci1', code });
    h.event('t1', { kind: 'code.status', id: 'ci1', status: 'running' });
    h.frame();
    const oneShot = h.doc.createElement('code');
    oneShot.append(sanitizedFragment(h.doc, highlightToHtml(code, 'python')) as never);
    assert.equal(live.innerHTML, oneShot.innerHTML, 'the one-shot render');
    assert.equal(live.querySelectorAll('.hljs-string').length, 1, 'the docstring is one string');
    assert.ok(!live.contains(first), 'rendered afresh');
  });

  it('highlights finished lines once each while streaming, the whole block once at the end', () => {
    const h = harness({ typewriter: false });
    h.snapshot([]);
    h.start('t1');
    const code = Array.from({ length: 300 }, (_, i) => `def f${i}(x):\n    return x * ${i}  # n`).join('\n') + '\n';
    const before = { ...codeStats };
    h.event('t1', { kind: 'code.started', id: 'ci1', language: 'python' });
    for (let i = 0; i < code.length; i += 7) {
      h.event('t1', { kind: 'code.delta', id: 'ci1', delta: code.slice(i, i + 7) });
      h.frame();
      assert.equal(h.$('pre code.code-source')!.textContent, code.slice(0, i + 7), 'everything received is shown');
    }
    // While the code grows every frame, finished lines wait for a chunk of highlightMinChunk characters.
    const streamed = codeStats.chunkChars - before.chunkChars;
    assert.ok(streamed > code.length - highlightMinChunk && streamed <= code.length, `${streamed} of ${code.length}`);
    assert.ok(codeStats.chunkHighlights - before.chunkHighlights <= Math.ceil(code.length / highlightMinChunk));
    // A frame in which the code did not grow highlights what is ready.
    h.frame();
    assert.equal(codeStats.chunkChars - before.chunkChars, code.length, 'each line highlighted exactly once');
    assert.equal(h.$('pre code.code-source')!.textContent, code);
    assert.equal(codeStats.fullHighlights - before.fullHighlights, 0);
    // Each highlighted chunk is a block of its own (a frame lays out only the last), the plain lines the last one.
    const live = h.$('pre code.code-source')!;
    assert.ok(live.classList.contains('code-live'));
    const chunks = Array.from(live.children);
    assert.equal(chunks.length, codeStats.chunkHighlights - before.chunkHighlights + 1);
    assert.ok(chunks.every((c) => c.tagName === 'SPAN' && c.className === 'code-chunk'), 'nothing but chunks');
    assert.equal(chunks.at(-1)!.textContent, '', 'every line highlighted: the plain block is empty');
    assert.ok(chunks.slice(0, -1).every((c) => c.querySelector('.hljs-keyword')), 'the chunks are highlighted');
    const firstKeyword = chunks[0]!.querySelector('.hljs-keyword')!;
    const status = h.$('.code-block[data-item-id="ci1"] .code-status')!;
    assert.equal(status.getAttribute('data-status'), 'writing');
    assert.equal(status.textContent, strings.writing);
    assert.ok(h.$('.code-insert')!.hasAttribute('disabled'), 'no insert while writing');

    h.event('t1', { kind: 'code.done', id: 'ci1', code });
    h.event('t1', { kind: 'code.status', id: 'ci1', status: 'running' });
    h.frame();
    assert.equal(codeStats.fullHighlights - before.fullHighlights, 1);
    // Final: one run of highlighted code, as a one-shot render (no chunk blocks left). The whole highlight is what the
    // chunks showed, so their nodes stay.
    assert.ok(!live.classList.contains('code-live'));
    assert.equal(live.querySelector('.code-chunk'), null);
    assert.equal(live.textContent, code);
    assert.equal(firstKeyword.parentElement, live, 'the first chunk\'s nodes are the final code\'s');
    const oneShot = h.doc.createElement('code');
    oneShot.append(sanitizedFragment(h.doc, highlightToHtml(code, 'python')) as never);
    assert.equal(live.innerHTML, oneShot.innerHTML);
    assert.equal(h.$('.code-status')!.getAttribute('data-status'), 'running');
    h.event('t1', { kind: 'code.output', id: 'ci1', output: { type: 'logs', text: '<b>42</b>\n' } });
    h.event('t1', { kind: 'code.output', id: 'ci1', output: { type: 'image', mime: 'image/png', base64: 'iVBORw0KGgo=' } });
    h.event('t1', { kind: 'code.output', id: 'ci1', output: { type: 'image', mime: 'image/svg+xml', base64: 'PHN2Zz4=' } });
    h.event('t1', { kind: 'code.output', id: 'ci1', output: { type: 'file', name: 'data.csv', mime: 'text/csv', bytes: 2048 } });
    h.event('t1', { kind: 'code.status', id: 'ci1', status: 'done' });
    h.frame();
    assert.equal(codeStats.fullHighlights - before.fullHighlights, 1, 'not highlighted again');
    assert.ok(h.$('pre code.code-source .hljs-keyword'));
    const logs = h.$('.code-block .output-logs')!;
    assert.equal(logs.tagName, 'PRE');
    assert.equal(logs.textContent, '<b>42</b>\n');
    assert.ok(logs.querySelector('b') === null);
    const imgs = h.$$('img.output-image');
    assert.equal(imgs.length, 1, 'png inline, svg never');
    assert.equal(imgs[0].getAttribute('src'), 'data:image/png;base64,iVBORw0KGgo=');
    assert.ok(h.$$('.output-file').some((f) => f.textContent!.includes('data.csv')));

    for (const cls of ['code-insert', 'code-copy', 'code-replace', 'code-open']) (h.$(`.code-block .${cls}`) as unknown as { click(): void }).click();
    const saves = h.$$('.output-save');
    (saves[saves.length - 1] as unknown as { click(): void }).click();
    assert.deepEqual(h.posted.slice(-5), [
      { type: 'codeAction', action: 'insert', turnId: 't1', itemId: 'ci1' },
      { type: 'codeAction', action: 'copy', turnId: 't1', itemId: 'ci1' },
      { type: 'codeAction', action: 'replace', turnId: 't1', itemId: 'ci1' },
      { type: 'codeAction', action: 'newEditor', turnId: 't1', itemId: 'ci1' },
      { type: 'saveOutput', turnId: 't1', itemId: 'ci1', outputIndex: 3 },
    ]);
  });

  it('nextLineChunk takes whole lines within the budget', () => {
    assert.equal(nextLineChunk('ab\ncd\nef', 0, 100), 6);
    assert.equal(nextLineChunk('ab\ncd\nef', 0, 4), 3);
    assert.equal(nextLineChunk('abcdef\nx', 0, 2), 7, 'at least one line');
    assert.equal(nextLineChunk('ab\ncd', 3, 100), 3, 'nothing complete yet');
  });
});

describe('webview: turns, run end states and the message box', () => {
  it('keeps the DOM contract', () => {
    const h = harness({ typewriter: false });
    h.snapshot([]);
    assert.ok(h.$('#code-tutor-root textarea#question'));
    assert.ok(h.$('#send') && h.$('#stop'));
    assert.equal((h.$('#stop') as unknown as { hidden: boolean }).hidden, true, 'stop hidden while idle');
    assert.equal((h.$('textarea#question') as unknown as { placeholder: string }).placeholder, strings.placeholder);

    h.view.handle({
      type: 'turnStarted',
      turn: {
        id: 't1',
        question: { text: 'What does this do?', context: { code: 'x = 1', language: 'python', file: 'a.py', startLine: 3, endLine: 3 } },
        run: emptyTranscript,
      },
    });
    h.frame();
    assert.equal((h.$('#stop') as unknown as { hidden: boolean }).hidden, false, 'stop shown while running');
    const turn = h.$('.turn[data-turn-id="t1"]')!;
    assert.equal(turn.getAttribute('data-status'), 'in_progress');
    assert.ok(turn.querySelector('.turn-question')!.textContent!.includes('What does this do?'));
    assert.ok(turn.querySelector('.turn-question pre code')!.textContent === 'x = 1');
    assert.ok(turn.querySelector('.turn-answer'));
    h.event('t1', { kind: 'tool.call', id: 'fc1', call: { callId: 'c1', name: 'read_file', arguments: '{"path":"a.py"}' } });
    h.event('t1', { kind: 'tool.result', id: 'fc1', output: 'x = 1', isError: false });
    h.event('t1', { kind: 'text.delta', id: 'm1', delta: 'Partial answer' });
    h.event('t1', { kind: 'run.finished', status: 'cancelled' });
    h.frame();
    assert.equal(turn.getAttribute('data-status'), 'cancelled');
    assert.ok(turn.querySelector('.run-stopped'));
    assert.ok(turn.querySelector('.md-text')!.textContent!.includes('Partial answer'), 'partial answer kept');
    assert.equal(turn.querySelector('.tool-call')!.textContent, 'read_file({"path":"a.py"})');
    assert.ok(turn.querySelector('.tool-result')!.textContent!.includes('x = 1'));
    assert.equal((h.$('#stop') as unknown as { hidden: boolean }).hidden, true);

    h.start('t2');
    h.event('t2', { kind: 'run.finished', status: 'failed', error: { kind: 'auth', message: 'Incorrect API key provided' } });
    h.frame();
    const err = h.$('.turn[data-turn-id="t2"] .run-error')!;
    assert.ok(err.textContent!.includes('Incorrect API key provided'));
    assert.ok(err.textContent!.includes(strings.errorAuth));
    (err.querySelector('.run-action') as unknown as { click(): void }).click();
    assert.deepEqual(h.posted.at(-1), { type: 'action', action: 'setApiKey' });

    h.start('t3');
    h.event('t3', { kind: 'run.finished', status: 'incomplete', reason: 'max_output_tokens' });
    h.frame();
    assert.ok(h.$('.turn[data-turn-id="t3"] .run-incomplete'));
  });

  it('sends on Enter, not on Shift+Enter, and stops', () => {
    const h = harness();
    h.snapshot([]);
    const q = h.$('textarea#question') as unknown as { value: string; dispatchEvent(e: unknown): void };
    const key = (shiftKey: boolean) => new h.window.KeyboardEvent('keydown', { key: 'Enter', shiftKey, bubbles: true, cancelable: true });
    q.value = 'line one';
    q.dispatchEvent(key(true));
    assert.equal(h.posted.length, 0);
    q.dispatchEvent(key(false));
    assert.deepEqual(h.posted, [{ type: 'ask', text: 'line one' }]);
    assert.equal(q.value, '');
    q.value = '   ';
    q.dispatchEvent(key(false));
    assert.equal(h.posted.length, 1, 'blank questions are not sent');
    h.start('t1');
    (h.$('#stop') as unknown as { click(): void }).click();
    assert.deepEqual(h.posted.at(-1), { type: 'stop' });
  });

  it('rebuilds from each snapshot without duplicates, and shows notices', () => {
    const h = harness();
    const turn: Turn = {
      id: 't1',
      question: { text: 'Q' },
      run: {
        status: 'completed',
        error: null,
        items: [
          { type: 'text', id: 'm1', text: 'Answer **one**' },
          { type: 'code', id: 'ci1', language: 'python', code: 'print(1)\n', status: 'done', outputs: [{ type: 'logs', text: '1\n' }] },
        ],
      },
    };
    h.snapshot([turn]);
    h.snapshot([turn]);
    h.frame();
    assert.equal(h.$$('.turn').length, 1);
    assert.equal(h.$$('.md-text').length, 1);
    assert.equal(h.$$('.code-block').length, 1);
    assert.ok(h.$('.md-text strong'), 'snapshot text shown at once');
    assert.equal(h.$('.output-logs')!.textContent, '1\n');
    h.view.handle({ type: 'notice', level: 'error', text: 'No API key', actions: ['setApiKey'] });
    assert.ok(h.$('.notice')!.textContent!.includes('No API key'));
    (h.$('.notice .notice-action') as unknown as { click(): void }).click();
    assert.deepEqual(h.posted.at(-1), { type: 'action', action: 'setApiKey' });
    assert.ok(h.$('.notice') === null);
  });

  it('uses only the string table for visible text', () => {
    const h = harness({ typewriter: false });
    h.snapshot([]);
    h.start('t1', 'q');
    h.event('t1', { kind: 'code.started', id: 'ci1', language: 'python' });
    h.event('t1', { kind: 'code.delta', id: 'ci1', delta: 'x' });
    h.event('t1', { kind: 'run.finished', status: 'cancelled' });
    h.frame();
    // Everything visible is the question, the language name, code, or a «key» from the table.
    const text = h.root.textContent!.replace(/«[A-Za-z]+»/g, '').replace(/python|q|x/g, '').trim();
    assert.equal(text, '');
  });
});
