/**
 * The injection corpus (test/fixtures/payloads, 454 payloads: written for this project, and from knowledge of the OWASP and HTML5
 * Security cheat sheets and markdown tricks) through every channel of the real chat view, in happy-dom: model text
 * in one piece and streamed, fence info strings and bodies, code and its language, logs, file names and mime types,
 * tool names, arguments and results, error messages, notices, questions and selections. Whatever a payload tries,
 * what reaches the DOM is only the allowlist: no script, no element that loads anything, no event handler, no
 * inline style, no href/src, no raw control or bidi character, and the canary is never called.
 * (In real Chromium the same corpus runs in test/e2e/hostile.e2e.ts, which also counts requests and CSP reports.)
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { StreamEvent } from '../../src/shared/events';
import { chatHarness, loadChatView } from './support/chatHarness';
import { loadPayloads } from './support/payloads';

before(loadChatView);

const CANARY_URL = 'http://127.0.0.1:9/__canary';
/** Elements that model content may become, plus our own isolation and mark wrappers. */
const contentTags = new Set([
  'P', 'BR', 'HR', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'UL', 'OL', 'LI', 'BLOCKQUOTE', 'PRE', 'CODE', 'SPAN',
  'EM', 'STRONG', 'S', 'DEL', 'A', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'BDI', 'DIV',
]);
const contentAttrs = new Set(['class', 'data-href', 'title', 'role', 'tabindex', 'start', 'data-item-id', 'data-status', 'hidden']);
const hidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

/** Every stream event a hostile server could fill with `p`, as items of one turn. */
export function channelEvents(p: string): StreamEvent[] {
  const chunks = p.match(/[\s\S]{1,7}/g) ?? [''];
  return [
    { kind: 'text.delta', id: 'text-whole', delta: p },
    { kind: 'text.done', id: 'text-whole', text: p },
    ...chunks.map((c): StreamEvent => ({ kind: 'text.delta', id: 'text-streamed', delta: c })),
    { kind: 'text.delta', id: 'fence-info', delta: `\`\`\`${p.split('\n')[0]}\nx = 1\n\`\`\`\n` },
    { kind: 'text.delta', id: 'fence-body', delta: `\`\`\`python\n${p}\n\`\`\`\n` },
    { kind: 'code.started', id: 'code', language: p.slice(0, 200) },
    ...chunks.map((c): StreamEvent => ({ kind: 'code.delta', id: 'code', delta: c })),
    { kind: 'code.done', id: 'code', code: p },
    { kind: 'code.output', id: 'code', output: { type: 'logs', text: p } },
    { kind: 'code.output', id: 'code', output: { type: 'file', name: p, mime: p, bytes: 12 } },
    { kind: 'code.output', id: 'code', output: { type: 'image', mime: p, base64: 'AAAA' } },
    { kind: 'tool.call', id: 'tool', call: { callId: 'k', name: p, arguments: p } },
    { kind: 'tool.result', id: 'tool', output: p, isError: true },
    { kind: 'run.finished', status: 'failed', error: { kind: 'server', message: p } },
  ];
}

it('renders every payload in every channel inert', () => {
  const payloads = loadPayloads(CANARY_URL);
  assert.ok(payloads.length >= 300, `${payloads.length} payloads`);
  const h = chatHarness();
  let canaryCalls = 0;
  const win = h.window as unknown as Record<string, unknown>;
  for (const name of ['__canary', 'alert', 'confirm', 'prompt', 'print']) win[name] = () => canaryCalls++;
  let cases = 0;
  payloads.forEach((p, i) => {
    const id = `t${i}`;
    h.turn({
      id,
      question: { text: p.payload, context: { code: p.payload, language: p.payload.slice(0, 50), file: p.payload, startLine: 1, endLine: 2 } },
      run: { status: 'in_progress', items: [], error: null } as never,
    });
    for (const e of channelEvents(p.payload)) h.event(id, e);
    h.notice(p.payload);
    cases += 14;
    if (i % 25 === 24) h.frame();
  });
  h.frame();
  const turns = h.root.querySelectorAll('.turn');
  assert.equal(turns.length, payloads.length);
  const content = '.md-text, .code-source, .code-lang, .output-logs, .output-file-name, .tool-line, .tool-result, .run-error-message, .notice-text, .turn-question-text, .turn-context';
  turns.forEach((turn, i) => {
    const p = payloads[i];
    const what = `${p.file}#${p.index}: ${p.payload.slice(0, 80)}`;
    const boxes = Array.from(turn.querySelectorAll(content));
    assert.ok(boxes.length >= 10, `${what}: every channel rendered (${boxes.length})`);
    for (const box of boxes) {
      for (const el of Array.from(box.querySelectorAll('*'))) {
        // A fence's action bar is the chat's own control (fixed labels), not content: its text is never the payload.
        if (el.closest('.fence-toolbar')) continue;
        assert.ok(contentTags.has(el.tagName), `${what}: <${el.tagName}> reached the DOM`);
        for (const a of Array.from(el.attributes)) {
          assert.ok(contentAttrs.has(a.name), `${what}: attribute ${a.name}="${a.value.slice(0, 60)}" on <${el.tagName}>`);
          if (a.name === 'data-href') assert.match(a.value, /^(https?:|mailto:)/, what);
        }
      }
      assert.equal(hidden.test(box.textContent ?? ''), false, `${what}: a hidden character reached the page raw in .${box.className}`);
    }
  });
  for (const n of Array.from(h.root.querySelectorAll('.notice-text'))) {
    assert.equal(n.children.length, 0, 'notices are text only');
  }
  assert.equal(h.root.querySelectorAll('script, style, iframe, object, embed, img:not(.output-image), svg, math, form, input, link, meta, base, video, audio, source, picture, template').length, 0);
  assert.equal(h.root.querySelectorAll('[style], [href], [src], [srcdoc], [action], [formaction], [background], [ping]').length, 0);
  assert.equal(canaryCalls, 0);
  console.log(`hostile corpus (happy-dom): ${payloads.length} payloads × 14 channels = ${cases} cases, 0 executed`);
});
