/**
 * Issue 6 in the webview (happy-dom): the header with the mode and the course, the locked switch, the withheld
 * placeholder (never the code), the folded interpreter block (outputs kept, no Insert), the reveal action, and the
 * guards of the new host↔webview messages.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { domWindow } from './support/happyDom';
import type { StreamEvent } from '../../src/shared/events';
import { isHostToWebview, isWebviewToHost, uiStringKeys, type HostToWebview, type TutorViewState, type UiStrings, type WebviewToHost } from '../../src/shared/protocol';
import { emptyTranscript } from '../../src/shared/transcript';
import { SOLUTION_CODE } from '../fake/tutorScenarios';

interface ChatViewLike {
  handle(m: HostToWebview): void;
  flush(): void;
}
let ChatView: new (deps: unknown) => ChatViewLike;
before(async () => {
  ({ ChatView } = await import(join(__dirname, '../../webview/render/chatView.ts')));
});

const strings = {
  ...Object.fromEntries(uiStringKeys.map((k) => [k, `«${k}»`])),
  modeExplain: 'Explain mode',
  modeHint: 'Hint mode',
  modeReview: 'Review mode',
  modeSetByCourse: '{0}, set by your course',
  withheldTitle: 'Code withheld: {0} lines of {1}',
  withheldTitlePlain: 'Code withheld: {0} lines',
  withheldWhy: '{0} shows at most {1} lines',
  withheldCode: 'Code of this run withheld ({0} lines)',
  modelInUse: '{0} · {1} · {2}',
  interpreterHosted: 'code runs on the server',
  interpreterPython: 'code runs in your Python, after you agree',
} as UiStrings;

function harness() {
  const window = domWindow();
  const doc = window.document;
  const root = doc.createElement('div');
  doc.body.append(root);
  const posted: WebviewToHost[] = [];
  const view = new ChatView({ doc, root, post: (m: WebviewToHost) => posted.push(m), now: () => 0, requestFrame: () => undefined, reducedMotion: () => true });
  view.handle({ type: 'snapshot', chat: { chatId: 'c', turns: [], runningTurnId: null }, strings, settings: { typewriter: false } });
  return {
    doc,
    root,
    posted,
    view,
    tutor(t: Partial<TutorViewState> = {}) {
      view.handle({ type: 'tutor', tutor: { mode: 'hint', allowed: ['hint'], locked: true, source: 'course', course: 'CS101', allowReveal: false, maxSolutionLines: 4, ...t } });
    },
    events(turnId: string, events: StreamEvent[]) {
      for (const event of events) view.handle({ type: 'event', turnId, event });
      view.flush();
    },
    start(id: string) {
      view.handle({ type: 'turnStarted', turn: { id, question: { text: 'q' }, run: emptyTranscript } });
    },
  };
}

const withheldAnswer: StreamEvent[] = [
  { kind: 'text.delta', id: 'm', delta: 'Here it is.\n\n' },
  { kind: 'withheld', id: 'm~w1', language: 'python', lines: 15, limit: 4 },
  { kind: 'text.delta', id: 'm~2', delta: 'Try it.' },
  { kind: 'code.started', id: 'ci', language: 'python' },
  { kind: 'code.withheld', id: 'ci', lines: 15, limit: 4 },
  { kind: 'code.status', id: 'ci', status: 'done' },
  { kind: 'code.output', id: 'ci', output: { type: 'logs', text: '[2, 3, 5]\n' } },
];

describe('webview: tutor header', () => {
  it('shows the course and the mode, and locks the switch when the course allows one mode', () => {
    const h = harness();
    const header = h.doc.querySelector('.tutor-header') as unknown as HTMLElement;
    assert.equal(header.hidden, true, 'hidden until the host says');
    h.tutor();
    assert.equal(header.hidden, false);
    assert.equal(h.doc.querySelector('.tutor-rules')?.textContent, 'CS101 · Hint mode, set by your course');
    const select = h.doc.querySelector('select#tutor-mode') as unknown as HTMLSelectElement;
    assert.equal(select.disabled, true);
    assert.equal(select.value, 'hint');
    h.tutor({ mode: 'explain', allowed: ['explain', 'hint', 'review'], locked: false, source: 'setting', course: undefined });
    assert.equal(h.doc.querySelector('.tutor-rules')?.textContent, 'Explain mode');
    assert.equal(select.disabled, false);
    select.value = 'review';
    select.dispatchEvent(new (h.doc.defaultView as unknown as { Event: typeof Event }).Event('change'));
    assert.deepEqual(h.posted.at(-1), { type: 'setMode', mode: 'review' });
  });
});

describe('webview: who answers, in the header', () => {
  it('shows the provider, the model and where code runs, as text, and follows a settings change', () => {
    const h = harness();
    h.tutor();
    const line = h.doc.querySelector('.tutor-header .tutor-model') as unknown as HTMLElement;
    assert.equal(line.hidden, true, 'nothing said, nothing shown');
    h.view.handle({ type: 'settings', settings: { typewriter: false, model: { provider: 'Ollama', model: '<img src=x onerror=alert(1)>', interpreter: 'python' } } });
    assert.equal(line.hidden, false);
    assert.equal(line.textContent, 'Ollama · <img src=x onerror=alert(1)> · code runs in your Python, after you agree');
    assert.equal(line.querySelector('img'), null, 'a model name is text, never markup');
    assert.equal(line.dataset.interpreter, 'python');
    h.view.handle({ type: 'settings', settings: { typewriter: false, model: { provider: 'OpenAI', model: 'gpt-4.1', interpreter: 'hosted' } } });
    assert.equal(line.textContent, 'OpenAI · gpt-4.1 · code runs on the server');
  });

  it('the guard refuses model info of the wrong shape', () => {
    const ok = { type: 'settings', settings: { typewriter: true, model: { provider: 'OpenAI', model: 'gpt-4.1', interpreter: 'pyodide' } } };
    assert.equal(isHostToWebview(ok), true);
    for (const model of [{ provider: 'OpenAI', model: 'gpt-4.1', interpreter: 'cloud' }, { provider: 1, model: 'm', interpreter: 'off' }, { provider: 'p', model: 'm'.repeat(201), interpreter: 'off' }, 'gpt-4.1']) {
      assert.equal(isHostToWebview({ type: 'settings', settings: { typewriter: true, model } }), false, JSON.stringify(model).slice(0, 60));
    }
  });
});

describe('webview: withheld code', () => {
  it('shows a placeholder in place of the block and folds the interpreter code, outputs kept, no Insert', () => {
    const h = harness();
    h.tutor();
    h.start('t1');
    h.events('t1', withheldAnswer);
    const items = Array.from(h.doc.querySelectorAll('.turn-answer > .md-text, .turn-answer > .withheld, .turn-answer > .code-block')).map((e) => e.className);
    assert.deepEqual(items, ['md-text', 'withheld', 'md-text', 'code-block']);
    assert.equal(h.doc.querySelector('.withheld .withheld-title')?.textContent, 'Code withheld: 15 lines of python');
    assert.equal(h.doc.querySelector('.withheld .withheld-why')?.textContent, 'Hint mode shows at most 4 lines');
    const block = h.doc.querySelector('.code-block') as unknown as HTMLElement;
    assert.equal(block.dataset.withheld, 'true');
    assert.equal((block.querySelector('pre.code-pre') as unknown as HTMLElement).hidden, true);
    const insert = block.querySelector('.code-insert') as unknown as HTMLElement;
    assert.equal((insert.closest('.code-actions') as unknown as HTMLElement).hidden, true, 'no Insert for withheld code');
    assert.equal(block.querySelector('.withheld-title')?.textContent, 'Code of this run withheld (15 lines)');
    assert.match(block.querySelector('.output-logs')?.textContent ?? '', /\[2, 3, 5\]/);
    // Reveal is offered only while the course allows it (the root's class), and only once the answer is finished.
    assert.equal(h.root.classList.contains('reveal-allowed'), false);
    h.tutor({ allowReveal: true });
    assert.equal(h.root.classList.contains('reveal-allowed'), true);
    const button = h.doc.querySelector('.withheld .withheld-reveal') as unknown as HTMLElement;
    assert.equal(button.hasAttribute('disabled'), true, 'not while the answer streams');
    h.events('t1', [{ kind: 'run.finished', status: 'completed' }]);
    assert.equal(button.hasAttribute('disabled'), false);
    button.click();
    assert.deepEqual(h.posted.at(-1), { type: 'reveal', turnId: 't1', itemId: 'm~w1' });
    assert.ok(!h.doc.body.textContent!.includes('divisor_to_try'), 'the webview never had the code');
    // The host records the reveal and sends it: the code shows, marked as chosen.
    h.events('t1', [{ kind: 'withheld.revealed', id: 'm~w1', code: SOLUTION_CODE }]);
    assert.match(h.doc.querySelector('.withheld pre.withheld-code')?.textContent ?? '', /divisor_to_try \+= 2/);
    assert.equal((h.doc.querySelector('.withheld .withheld-revealed-note') as unknown as HTMLElement).hidden, false);
    assert.equal((h.doc.querySelector('.withheld .withheld-reveal') as unknown as HTMLElement).hidden, true);
    h.events('t1', [{ kind: 'withheld.revealed', id: 'ci', code: SOLUTION_CODE }]);
    assert.equal((block.querySelector('pre.code-pre') as unknown as HTMLElement).hidden, false);
    assert.equal((insert.closest('.code-actions') as unknown as HTMLElement).hidden, true, 'still no Insert once revealed');
  });
});

describe('webview: withheld code without a language', () => {
  it('an indented block (no language) is titled by its lines alone, never "of ?"', () => {
    const h = harness();
    h.tutor();
    h.start('t1');
    h.events('t1', [
      { kind: 'text.delta', id: 'm', delta: 'Like this:\n\n' },
      { kind: 'withheld', id: 'm~w1', language: '', lines: 9, limit: 4 },
      { kind: 'text.delta', id: 'm~2', delta: 'Try it.' },
    ]);
    assert.equal(h.doc.querySelector('.withheld .withheld-title')?.textContent, 'Code withheld: 9 lines');
  });
});

describe('protocol: tutor messages', () => {
  it('accepts well-formed setMode / reveal / tutor and rejects the rest', () => {
    assert.ok(isWebviewToHost({ type: 'setMode', mode: 'hint' }));
    assert.ok(isWebviewToHost({ type: 'reveal', turnId: 't', itemId: 'm~w1' }));
    for (const bad of [
      { type: 'setMode', mode: 'cheat' },
      { type: 'setMode' },
      { type: 'setMode', mode: 'hint', extra: 1 },
      { type: 'reveal', turnId: 't' },
      { type: 'reveal', turnId: 't', itemId: 'x'.repeat(201) },
      { type: 'reveal', turnId: 't', itemId: 'i', code: 'print(1)' },
    ]) {
      assert.equal(isWebviewToHost(bad), false, JSON.stringify(bad));
    }
    const good = { type: 'tutor', tutor: { mode: 'hint', allowed: ['hint'], locked: true, source: 'course', course: 'CS101', allowReveal: false, maxSolutionLines: 4 } };
    assert.ok(isHostToWebview(good));
    assert.equal(isHostToWebview({ ...good, tutor: { ...good.tutor, mode: 'x' } }), false);
    assert.equal(isHostToWebview({ ...good, tutor: { ...good.tutor, allowed: ['hint', 3] } }), false);
    assert.equal(isHostToWebview({ ...good, tutor: { ...good.tutor, allowReveal: 'yes' } }), false);
    for (const kind of ['withheld', 'code.withheld', 'withheld.revealed']) assert.ok(isHostToWebview({ type: 'event', turnId: 't', event: { kind } }));
  });
});
