/**
 * The chat's controls, in a happy-dom DOM with frames run by hand: code actions by reference (interpreter code and
 * fences in the text, matched with the host's own lookup), Send turning into Stop, Regenerate / Edit and resend /
 * New chat, auto-scroll that pauses when the reader scrolls up and resumes with "Jump to latest", the polite live
 * region that hears finished blocks (not tokens), and a click that skips the typewriter to the end.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { domWindow } from './support/happyDom';
import { findCodeBlock, languageIdFor, markdownFences } from '../../src/shared/codeBlocks';
import type { StreamEvent } from '../../src/shared/events';
import { isWebviewToHost, uiStringKeys, type HostToWebview, type Turn, type UiStrings, type WebviewToHost } from '../../src/shared/protocol';
import { emptyTranscript, reduce } from '../../src/shared/transcript';
import type { ChatViewDeps } from './support/chatHarness';

interface ChatViewLike {
  handle(m: HostToWebview): void;
}
type Ctor = new (deps: ChatViewDeps) => ChatViewLike;

let ChatView: Ctor;
before(async () => {
  ({ ChatView } = await import(join(__dirname, '../../webview/render/chatView.ts')));
});

const strings = Object.fromEntries(uiStringKeys.map((k) => [k, `«${k}»`])) as UiStrings;
type El = { click(): void; hidden: boolean; textContent: string | null; getAttribute(n: string): string | null; closest(s: string): unknown };

function harness(typewriter = false) {
  const window = domWindow();
  const doc = window.document;
  const root = doc.createElement('div');
  doc.body.append(root);
  const posted: WebviewToHost[] = [];
  let clock = 0;
  let queued: Array<() => void> = [];
  const view = new ChatView({ doc, root, post: (m) => posted.push(m), now: () => clock, requestFrame: (cb) => queued.push(cb), reducedMotion: () => false });
  view.handle({ type: 'snapshot', chat: { chatId: 'c', turns: [], runningTurnId: null }, strings, settings: { typewriter } });
  /** The transcript the host would hold, built from the same events. */
  const turns = new Map<string, Turn>();
  return {
    window,
    doc,
    view,
    posted,
    frame(ms = 16) {
      clock += ms;
      const q = queued;
      queued = [];
      for (const cb of q) cb();
    },
    start(id: string, text = 'q') {
      const turn: Turn = { id, question: { text }, run: emptyTranscript };
      turns.set(id, turn);
      view.handle({ type: 'turnStarted', turn });
    },
    event(turnId: string, event: StreamEvent) {
      const t = turns.get(turnId)!;
      turns.set(turnId, { ...t, run: reduce(t.run, event) });
      view.handle({ type: 'event', turnId, event });
    },
    hostTurns: () => [...turns.values()],
    $: (sel: string) => doc.querySelector(sel) as unknown as El | null,
    $$: (sel: string) => Array.from(doc.querySelectorAll(sel)) as unknown as El[],
  };
}

describe('webview: code actions by reference', () => {
  it('every fence in the text gets Copy / Insert / Replace / Open, and the host finds the same code', () => {
    const h = harness();
    h.start('t1');
    const text = [
      'First:',
      '',
      '```python',
      'print("one")',
      '```',
      '',
      '- a list item with code:',
      '',
      '  ```js',
      '  console.log(2)',
      '  ```',
      '',
      '    indented code is not a fence',
      '',
      '~~~ts',
      'const three: number = 3;',
      '~~~',
      '',
      'The end.',
      '',
    ].join('\n');
    for (let i = 0; i < text.length; i += 3) {
      h.event('t1', { kind: 'text.delta', id: 'm1', delta: text.slice(i, i + 3) });
      h.frame();
    }
    h.event('t1', { kind: 'run.finished', status: 'completed' });
    h.frame();
    const bars = h.$$('.md-text .fence-toolbar');
    assert.equal(bars.length, 3, 'one toolbar per fence, none for indented code');
    const fences = markdownFences(text);
    assert.deepEqual(
      fences.map((f) => f.language),
      ['python', 'js', 'ts'],
    );
    // Click every action of every fence: each names (turn, item, fence index); the host's lookup gives that fence.
    const actions = ['code-copy', 'code-insert', 'code-replace', 'code-open'] as const;
    for (let f = 0; f < bars.length; f++) {
      for (const cls of actions) {
        const btn = (bars[f] as unknown as { querySelector(s: string): El }).querySelector(`.${cls}`);
        btn.click();
        const m = h.posted.at(-1)!;
        assert.ok(isWebviewToHost(m), 'passes the host guard');
        assert.equal(m.type, 'codeAction');
        if (m.type !== 'codeAction') continue;
        assert.equal(m.fence, f);
        const block = findCodeBlock(h.hostTurns(), m.turnId, m.itemId, m.fence);
        assert.equal(block?.code, fences[f].code);
      }
    }
    assert.equal(findCodeBlock(h.hostTurns(), 't1', 'm1', 0)?.code, 'print("one")\n');
    assert.equal(findCodeBlock(h.hostTurns(), 't1', 'm1', 3), undefined);
    assert.equal(findCodeBlock(h.hostTurns(), 't1', 'nope', 0), undefined);
  });

  it('interpreter code is found by item; languages map to VS Code ids', () => {
    const turns: Turn[] = [
      {
        id: 't1',
        question: { text: 'q' },
        run: { status: 'completed', error: null, items: [{ type: 'code', id: 'ci1', language: 'python', code: 'x = 1\n', status: 'done', outputs: [] }] },
      },
    ];
    assert.deepEqual(findCodeBlock(turns, 't1', 'ci1'), { code: 'x = 1\n', language: 'python' });
    assert.equal(findCodeBlock(turns, 't1', 'ci1', 0), undefined, 'a code item has no fences');
    const known = new Set(['python', 'javascript', 'typescript', 'shellscript', 'plaintext', 'cpp']);
    assert.equal(languageIdFor('py', known), 'python');
    assert.equal(languageIdFor('TS', known), 'typescript');
    assert.equal(languageIdFor('bash', known), 'shellscript');
    assert.equal(languageIdFor('c++', known), 'cpp');
    assert.equal(languageIdFor('klingon', known), 'plaintext');
    assert.equal(languageIdFor('', known), 'plaintext');
  });

  it('the host guard accepts only well-formed code actions, regenerate and edit', () => {
    const ok: unknown[] = [
      { type: 'codeAction', action: 'copy', turnId: 't', itemId: 'i' },
      { type: 'codeAction', action: 'newEditor', turnId: 't', itemId: 'i', fence: 3 },
      { type: 'regenerate' },
      { type: 'editLast', text: 'new question' },
    ];
    const bad: unknown[] = [
      { type: 'codeAction', action: 'run', turnId: 't', itemId: 'i' },
      { type: 'codeAction', action: 'copy', turnId: 't', itemId: 'i', fence: -1 },
      { type: 'codeAction', action: 'copy', turnId: 't', itemId: 'i', fence: 1.5 },
      { type: 'codeAction', action: 'copy', turnId: 't', itemId: 'i', code: 'rm -rf /' },
      { type: 'codeAction', action: 'copy', turnId: '', itemId: 'i' },
      { type: 'regenerate', text: 'x' },
      { type: 'editLast', text: '   ' },
      { type: 'editLast', text: 'x'.repeat(20_001) },
    ];
    for (const m of ok) assert.ok(isWebviewToHost(m), JSON.stringify(m));
    for (const m of bad) assert.equal(isWebviewToHost(m), false, JSON.stringify(m).slice(0, 80));
  });
});

describe('webview: chat controls', () => {
  it('Send turns into Stop while a run is going; Regenerate, Edit and New chat when it is over', () => {
    const h = harness();
    const send = h.$('#send')!;
    const stop = h.$('#stop')!;
    assert.equal(send.hidden, false);
    assert.equal(stop.hidden, true);
    assert.equal(h.$('#regenerate')!.hidden, true, 'nothing to regenerate yet');
    h.start('t1', 'What is a loop?');
    assert.equal(send.hidden, true, 'Send gives way to Stop');
    assert.equal(stop.hidden, false);
    assert.equal(h.$('#regenerate')!.hidden, true);
    stop.click();
    assert.deepEqual(h.posted.at(-1), { type: 'stop' });
    h.event('t1', { kind: 'run.finished', status: 'cancelled' });
    assert.equal(send.hidden, false);
    assert.equal(stop.hidden, true);
    h.$('#regenerate')!.click();
    assert.deepEqual(h.posted.at(-1), { type: 'regenerate' });
    h.$('#new-chat')!.click();
    assert.deepEqual(h.posted.at(-1), { type: 'action', action: 'newChat' });

    // Edit: the last question comes back into the box; Enter resends it edited; Escape cancels.
    h.$('#edit-last')!.click();
    const q = h.doc.querySelector('textarea#question') as unknown as { value: string; dispatchEvent(e: unknown): void };
    assert.equal(q.value, 'What is a loop?');
    assert.equal(h.$('.edit-banner')!.hidden, false);
    const key = (k: string) => new h.window.KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true });
    q.dispatchEvent(key('Escape'));
    assert.equal(q.value, '');
    assert.equal(h.$('.edit-banner')!.hidden, true);
    h.$('#edit-last')!.click();
    q.value = 'What is a while loop?';
    q.dispatchEvent(key('Enter'));
    assert.deepEqual(h.posted.at(-1), { type: 'editLast', text: 'What is a while loop?' });
    assert.equal(h.$('.edit-banner')!.hidden, true);
    // A plain question afterwards is an ask again.
    q.value = 'And a for loop?';
    q.dispatchEvent(key('Enter'));
    assert.deepEqual(h.posted.at(-1), { type: 'ask', text: 'And a for loop?' });
  });

  it('follows the stream only at the bottom; scrolling up pauses it; Jump to latest resumes', () => {
    const h = harness();
    const list = h.doc.querySelector('.turns') as unknown as { scrollTop: number; dispatchEvent(e: unknown): void };
    // happy-dom does no layout: give the list a size and a content height that grows with each frame.
    let contentHeight = 1000;
    Object.defineProperty(list, 'scrollHeight', { get: () => contentHeight });
    let viewHeight = 300;
    Object.defineProperty(list, 'clientHeight', { get: () => viewHeight });
    let top = 0;
    Object.defineProperty(list, 'scrollTop', { get: () => top, set: (v: number) => (top = Math.max(0, Math.min(v, contentHeight - viewHeight))) });
    const scrolled = () => list.dispatchEvent(new h.window.Event('scroll'));
    /** The reader turns the wheel up, and the view moves up by `px`. */
    const wheelUp = (px: number) => {
      list.dispatchEvent(new h.window.WheelEvent('wheel', { deltaY: -px }));
      top -= px;
      scrolled();
    };
    h.start('t1');
    const grow = (text: string) => {
      contentHeight += 200;
      h.event('t1', { kind: 'text.delta', id: 'm1', delta: text });
      h.frame();
    };
    grow('para one\n\n');
    assert.equal(top, contentHeight - 300, 'at the bottom, it follows');
    wheelUp(top - 100);
    grow('para two\n\n');
    assert.equal(top, 100, 'paused: the reader stays where they are');
    const jump = h.$('#jump-latest')!;
    assert.equal(jump.hidden, false, 'Jump to latest offered');
    grow('para three\n\n');
    assert.equal(top, 100);
    jump.click();
    assert.equal(top, contentHeight - 300);
    assert.equal(jump.hidden, true);
    grow('para four\n\n');
    assert.equal(top, contentHeight - 300, 'following again');
    h.frame(2_000); // a while later, the reader's hands off the wheel

    // Layout moves the view, the reader does not: content grew between the scroll and its event.
    contentHeight += 120;
    scrolled();
    assert.equal(jump.hidden, true, 'still following after content grew under a reader who did not scroll');
    assert.equal(top, contentHeight - 300, 'and back at the bottom');
    // Content above shrank (a block collapsed): the browser pulled the view up. Still following, back to the bottom.
    contentHeight -= 400;
    top = contentHeight - 300 - 150;
    scrolled();
    assert.equal(jump.hidden, true, 'a view moved by layout keeps following');
    assert.equal(top, contentHeight - 300);
    grow('para five\n\n');
    assert.equal(top, contentHeight - 300, 'and the next frame goes to the new bottom');
    // The view made smaller (the buttons under the box appear as a run ends) before the event of our own scroll came:
    // the view did not move, so it was not the reader. Still following, back at the bottom.
    viewHeight = 240;
    scrolled();
    assert.equal(jump.hidden, true, 'a view made smaller keeps following');
    assert.equal(top, contentHeight - 240, 'at the new bottom');
    viewHeight = 300;
    top = contentHeight - 300;
    scrolled();
    h.frame(2_000);

    // The view moved up with the content as it was, and no wheel or key: a screen reader or a search brought
    // something into view. That is the reader too: it pauses, and is never pulled back.
    top -= 250;
    scrolled();
    assert.equal(jump.hidden, false, 'moved by something other than layout: paused');
    grow('para five and a half\n\n');
    assert.equal(top, contentHeight - 200 - 300 - 250, 'the view stays where it was brought');
    top = contentHeight - 300;
    scrolled();
    assert.equal(jump.hidden, true, 'at the bottom again, it follows');

    // The scroll bar dragged up (a pointer held on the list) pauses it, as the wheel does.
    list.dispatchEvent(new h.window.PointerEvent('pointerdown', { bubbles: true }));
    top -= 200;
    scrolled();
    h.window.dispatchEvent(new h.window.PointerEvent('pointerup'));
    assert.equal(jump.hidden, false, 'a drag up pauses');
    const kept = top;
    grow('para six\n\n');
    assert.equal(top, kept, 'and the view stays');
    // Scrolling back down to the bottom resumes it.
    top = contentHeight - 300;
    scrolled();
    assert.equal(jump.hidden, true, 'at the bottom again, it follows');
    wheelUp(200);
    assert.equal(jump.hidden, false);
    // A new question, from anywhere (here: started by the host, as the palette and the editor do), is followed.
    h.event('t1', { kind: 'run.finished', status: 'completed' });
    h.frame();
    h.start('t2');
    assert.equal(jump.hidden, true, 'a new question brings the view back to following');
    contentHeight += 200;
    h.event('t2', { kind: 'text.delta', id: 'm2', delta: 'answer two\n\n' });
    h.frame();
    assert.equal(top, contentHeight - 300, 'its answer is followed');

    // What the reader did before a question does not count after it (seen in the real VS Code: a button in the chat
    // clicked, then a question asked within the second; the buttons under the box came back as its run ended, and the
    // event of that layout move was taken for the reader, showing Jump to latest over an answer nobody scrolled).
    h.event('t2', { kind: 'run.finished', status: 'completed' });
    h.frame();
    list.dispatchEvent(new h.window.FocusEvent('focusin', { bubbles: true }));
    h.start('t3');
    contentHeight += 200;
    h.event('t3', { kind: 'text.delta', id: 'm3', delta: 'answer three\n\n' });
    h.frame();
    assert.equal(top, contentHeight - 300);
    viewHeight = 240;
    scrolled();
    assert.equal(jump.hidden, true, 'a layout move after the question keeps following');
    assert.equal(top, contentHeight - 240, 'at the new bottom');
    // Nor does Jump to latest's own focus of the list: a layout move just after it keeps following.
    (h.doc.querySelector('#question') as unknown as { focus(): void }).focus();
    wheelUp(300);
    assert.equal(jump.hidden, false);
    jump.click();
    viewHeight = 150;
    scrolled();
    assert.equal(jump.hidden, true, 'a layout move after Jump to latest keeps following');
    assert.equal(top, contentHeight - 150);
  });

  it('a stream followed at the bottom does not touch the Jump to latest button (no DOM write every frame)', async () => {
    const h = harness();
    const list = h.doc.querySelector('.turns') as unknown as { dispatchEvent(e: unknown): void };
    let contentHeight = 1000;
    let top = 0;
    Object.defineProperty(list, 'scrollHeight', { get: () => contentHeight });
    Object.defineProperty(list, 'clientHeight', { get: () => 300 });
    Object.defineProperty(list, 'scrollTop', { get: () => top, set: (v: number) => (top = Math.max(0, Math.min(v, contentHeight - 300))) });
    const writes: string[] = [];
    new h.window.MutationObserver((records) => writes.push(...records.map((r) => String(r.attributeName)))).observe(h.$('#jump-latest')! as never, { attributes: true });
    h.start('t1');
    await Promise.resolve();
    writes.length = 0;
    for (let i = 0; i < 20; i++) {
      contentHeight += 40;
      h.event('t1', { kind: 'text.delta', id: 'm1', delta: `word ${i} ` });
      h.frame();
      list.dispatchEvent(new h.window.Event('scroll')); // the scroll event of the frame's move to the bottom
    }
    await Promise.resolve();
    assert.equal(top, contentHeight - 300, 'it followed');
    assert.deepEqual(writes, []);
  });

  it('the live region hears finished blocks and the end, not every token', () => {
    const h = harness();
    const live = h.$('[aria-live="polite"]')!;
    assert.equal(live.getAttribute('role'), 'status');
    h.start('t1');
    const said: string[] = [];
    const text = 'The first sentence is here.\n\nA second paragraph follows.\n\n```py\nx = 1\n```\n\nLast one.';
    for (const ch of text) {
      h.event('t1', { kind: 'text.delta', id: 'm1', delta: ch });
      h.frame();
      if (live.textContent && live.textContent !== said.at(-1)) said.push(live.textContent);
    }
    h.event('t1', { kind: 'run.finished', status: 'completed' });
    h.frame();
    if (live.textContent !== said.at(-1)) said.push(live.textContent!);
    assert.deepEqual(said, ['The first sentence is here.', 'A second paragraph follows.', `Last one. ${strings.answerFinished}`]);
  });

  it('a click in an answer being typed shows all of it', () => {
    const h = harness(true);
    h.start('t1');
    const text = 'word '.repeat(300);
    h.event('t1', { kind: 'text.delta', id: 'm1', delta: text });
    h.frame();
    h.frame();
    const md = h.$('.md-text')!;
    assert.ok(md.textContent!.length < text.trim().length, 'still typing');
    (h.doc.querySelector('.turn-answer') as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(new h.window.MouseEvent('click', { bubbles: true }));
    h.frame();
    assert.equal(md.textContent!.trim(), text.trim());
    // The paragraph goes on streaming after the skip: still one paragraph, not one cut where the click was.
    h.event('t1', { kind: 'text.delta', id: 'm1', delta: 'and more words' });
    h.frame();
    h.frame(1000);
    assert.equal((h.doc.querySelectorAll('.md-text p') as unknown as ArrayLike<unknown>).length, 1);
    assert.ok(md.textContent!.trim().endsWith('and more words'));
  });
});

describe('webview: interpreter output', () => {
  it('shows an identical image once, sets a traceback apart, collapses long output and cuts huge output', () => {
    const h = harness();
    h.start('t1');
    h.event('t1', { kind: 'code.started', id: 'ci1', language: 'python' });
    h.event('t1', { kind: 'code.done', id: 'ci1', code: 'plt.show()\nplt.savefig("a.png")\n' });
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const other = png.replace('mNk', 'mPk');
    h.event('t1', { kind: 'code.output', id: 'ci1', output: { type: 'image', mime: 'image/png', base64: png } });
    h.event('t1', { kind: 'code.output', id: 'ci1', output: { type: 'image', mime: 'image/png', base64: png } });
    h.event('t1', { kind: 'code.output', id: 'ci1', output: { type: 'image', mime: 'image/png', base64: other } });
    h.event('t1', { kind: 'code.output', id: 'ci1', output: { type: 'logs', text: 'before\n' } });
    h.event('t1', {
      kind: 'code.output',
      id: 'ci1',
      output: { type: 'logs', text: 'more\nTraceback (most recent call last):\n  File "<stdin>", line 1\nZeroDivisionError: division by zero\n' },
    });
    h.frame();
    const imgs = h.$$('img.output-image');
    assert.equal(imgs.length, 2, 'the same plot twice (plt.show + savefig) is shown once');
    assert.deepEqual(
      imgs.map((i) => i.getAttribute('alt')),
      ['«plotAlt»', '«plotAlt»'],
    );
    const tb = h.$('.output-traceback-wrap')!;
    assert.ok(tb.textContent!.includes('ZeroDivisionError'));
    assert.ok(tb.textContent!.includes('«traceback»'), 'labelled');
    const plain = h.$$('pre.output-logs:not(.output-traceback)').map((p) => p.textContent).join('');
    assert.equal(plain, 'before\nmore\n', 'ordinary output stays apart from the traceback');

    // A long log: collapsed behind Show all, which expands and collapses again.
    h.start('t2');
    h.event('t2', { kind: 'code.started', id: 'ci2', language: 'python' });
    const long = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n';
    h.event('t2', { kind: 'code.output', id: 'ci2', output: { type: 'logs', text: long } });
    h.frame();
    const pre = h.doc.querySelector('.turn:last-child pre.output-logs') as unknown as { classList: { contains(c: string): boolean }; textContent: string };
    assert.ok(pre.classList.contains('collapsed'));
    assert.equal(pre.textContent, long, 'all of it is there, only folded');
    const toggle = h.$('.turn:last-child .output-toggle')!;
    assert.equal(toggle.getAttribute('aria-expanded'), 'false');
    toggle.click();
    assert.equal(pre.classList.contains('collapsed'), false);
    assert.equal(toggle.textContent, '«showLessOutput»');

    // Megabytes of output: the page gets a bounded part and a note.
    h.start('t3');
    h.event('t3', { kind: 'code.started', id: 'ci3', language: 'python' });
    const chunk = 'x'.repeat(99_999) + '\n';
    for (let i = 0; i < 30; i++) h.event('t3', { kind: 'code.output', id: 'ci3', output: { type: 'logs', text: chunk } });
    h.frame();
    const shown = h.$$('.turn:last-child pre.output-logs').reduce((n, p) => n + p.textContent!.length, 0);
    assert.ok(shown <= 256 * 1024 && shown > 200_000, `shown ${shown} of 3,000,000`);
    assert.ok(h.$('.turn:last-child .output-truncated')!.textContent!.includes('«outputTruncated»'.slice(0, 5)));
  });
});

describe('a long chat opens at its end and fills in above', () => {
  const longChat = (n: number): Turn[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `turn_${i}`,
      question: { text: `Question ${i}` },
      run: { ...emptyTranscript, status: 'completed' as const, items: [{ type: 'text' as const, id: `m${i}`, text: `Answer **${i}** with a list:\n\n- one\n- two\n` }] },
    }));
  const answers = (doc: Document) => Array.from(doc.querySelectorAll('.turn')).map((t) => t.querySelector('.md-text')?.innerHTML ?? null);

  it('draws the newest turns in the first frame, older ones while frames have time, and ends the same as drawing all at once', () => {
    const window = domWindow();
    const doc = window.document;
    const root = doc.createElement('div');
    doc.body.append(root);
    // Every look at the clock costs 1 ms: a frame's 10 ms budget covers a handful of older turns.
    let clock = 0;
    let queued: Array<() => void> = [];
    const view = new ChatView({ doc, root, post: () => undefined, now: () => clock++, requestFrame: (cb) => queued.push(cb), reducedMotion: () => false });
    view.handle({ type: 'snapshot', chat: { chatId: 'c', turns: longChat(300), runningTurnId: null }, strings, settings: { typewriter: false } });
    const first = answers(doc as unknown as Document);
    assert.equal(first.length, 300, 'every turn has its place at once');
    const drawn = first.filter((a) => a !== null).length;
    assert.ok(drawn >= 3 && drawn < 30, `the first frame drew the newest turns only (${drawn})`);
    assert.ok(first.slice(-drawn).every((a) => a !== null), 'the newest are the ones drawn');
    assert.equal(first[0], null, 'the oldest waits');
    assert.equal(doc.querySelectorAll('.turn.turn-backlog').length, 280, 'all but the newest 20 may skip layout out of view');
    assert.equal(root.querySelector('.turns, [aria-busy]')?.getAttribute('aria-busy'), 'true', 'screen readers wait');
    let frames = 0;
    while (queued.length && frames < 1000) {
      const q = queued;
      queued = [];
      for (const cb of q) cb();
      frames++;
    }
    assert.ok(frames > 5, `filled in over ${frames} frames (first drew ${drawn})`);
    const end = answers(doc as unknown as Document);
    assert.ok(end.every((a) => a !== null));
    assert.equal(root.querySelector('[aria-busy]'), null);

    // The same chat drawn in one go (flush, as a page becoming visible does): the same DOM.
    const w2 = domWindow();
    const root2 = w2.document.createElement('div');
    w2.document.body.append(root2);
    const all = new ChatView({ doc: w2.document, root: root2, post: () => undefined, now: () => 0, requestFrame: () => undefined, reducedMotion: () => false });
    all.handle({ type: 'snapshot', chat: { chatId: 'c', turns: longChat(300), runningTurnId: null }, strings, settings: { typewriter: false } });
    assert.deepEqual(end, answers(w2.document as unknown as Document));
    assert.match(end[0] ?? '', /Answer <strong>0<\/strong>/);
  });
});
