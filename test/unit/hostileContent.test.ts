/**
 * Hostile content through the real renderers and the real host-side rules: links that lie about where they go,
 * bidi controls in names, code and logs that hide what they contain, table alignment without inline style, the
 * `sandbox:` rewrite kept out of code, long server ids, and the Save dialog's starting name.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { judgeLink, isLocalHost } from '../../src/shared/links';
import { isWebviewToHost, maxIdLength, type Turn } from '../../src/shared/protocol';
import { hiddenCharacters, safeFileName, visibleControls } from '../../src/shared/safeText';
import { emptyTranscript, reduce } from '../../src/shared/transcript';
import { messageForWire, realItemId, wireId } from '../../src/views/wireIds';
import { chatHarness, loadChatView, strings } from './support/chatHarness';

before(loadChatView);

const RLO = '\u202E';

function answer(text: string) {
  const h = chatHarness();
  h.start('t1');
  h.event('t1', { kind: 'text.delta', id: 'm1', delta: text });
  h.event('t1', { kind: 'run.finished', status: 'completed' });
  h.frame();
  const md = h.root.querySelector('.md-text[data-item-id="m1"]');
  assert.ok(md, 'text rendered');
  return { h, md };
}

describe('links that lie', () => {
  it('judges the real destination as the browser would', () => {
    const cases: Array<[string, boolean, string]> = [
      ['https://docs.python.org@evil.example/', true, 'evil.example'],
      ['https://аpple.com/', true, 'xn--pple-43d.com (аpple.com)'],
      ['http://localhost:3000/', false, 'localhost'],
      ['http://127.0.0.1/', false, '127.0.0.1'],
      ['http://0x7f.0.0.1/', false, '127.0.0.1'],
      ['http://0177.0.0.1/', false, '127.0.0.1'],
      ['http://2130706433/', false, '127.0.0.1'],
      ['http://127.1/', false, '127.0.0.1'],
      ['http://[::1]:8080/', false, '[::1]'],
      ['http://[::ffff:10.0.0.1]/', false, '[::ffff:a00:1]'],
      ['http://[fe80::1]/', false, '[fe80::1]'],
      ['http://[fd12:3456::1]/', false, '[fd12:3456::1]'],
      ['http://169.254.169.254/latest/meta-data/', false, '169.254.169.254'],
      ['http://192.168.1.1/', false, '192.168.1.1'],
      ['http://172.20.0.5/', false, '172.20.0.5'],
      ['http://10.0.0.8/', false, '10.0.0.8'],
      ['http://printer.local/', false, 'printer.local'],
      ['https://8.8.8.8/', true, '8.8.8.8'],
      ['https://172.32.0.1/', true, '172.32.0.1'],
    ];
    for (const [href, ok, host] of cases) {
      const j = judgeLink(href);
      assert.equal(j.ok, ok, href);
      assert.equal(j.displayHost, host, href);
    }
    assert.equal(judgeLink('mailto:help@example.com?body=paste%20your%20API%20key%20here').ok, false);
    assert.equal(judgeLink('mailto:help@example.com?CC=x@evil.example').ok, false);
    assert.equal(judgeLink('mailto:help@example.com?bcc=x@evil.example').ok, false);
    assert.equal(judgeLink('mailto:help@example.com?subject=Hi').ok, true);
    for (const bad of ['javascript:alert(1)', 'java\tscript:alert(1)', ' javascript:x', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd', 'command:workbench.action.terminal.new', 'vscode://x', '']) {
      assert.equal(judgeLink(bad).ok, false, JSON.stringify(bad));
    }
    assert.equal(isLocalHost('example.com'), false);
    const userinfo = judgeLink('https://docs.python.org@evil.example/');
    assert.ok(userinfo.ok && userinfo.hadCredentials);
  });

  it('shows the real destination on hover, never an href, and asks the host on click', () => {
    const { h, md } = answer(
      [
        '[https://docs.python.org](https://docs.python.org@evil.example/) ',
        `[${RLO}gro.nohtyp.scod](https://evil.example/x) `,
        '[apple](https://аpple.com/) ',
        '[local](http://0x7f.1:8080/) ',
        '[mail](mailto:help@example.com?body=paste%20your%20API%20key%20here)',
      ].join(''),
    );
    const links = Array.from(md.querySelectorAll('a'));
    assert.equal(links.length, 5);
    for (const a of links) assert.equal(a.getAttribute('href'), null, 'no link can navigate the page');
    assert.match(links[0].getAttribute('title')!, /^evil\.example — /);
    assert.match(links[1].getAttribute('title')!, /^evil\.example — /);
    assert.ok(links[1].textContent!.includes('⟨U+202E⟩'), 'the override in link text is shown, not obeyed');
    assert.ok(!links[1].textContent!.includes(RLO));
    assert.match(links[2].getAttribute('title')!, /^xn--pple-43d\.com \(аpple\.com\) — /);
    assert.ok(links[3].classList.contains('md-link-refused'));
    assert.ok(links[4].classList.contains('md-link-refused'));
    const click = new h.window.MouseEvent('click', { bubbles: true, cancelable: true });
    links[0].dispatchEvent(click as unknown as Event);
    assert.equal(click.defaultPrevented, true);
    assert.deepEqual(h.posted.at(-1), { type: 'openLink', href: 'https://docs.python.org@evil.example/' });
    const key = new h.window.KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
    links[2].dispatchEvent(key as unknown as Event);
    assert.deepEqual(h.posted.at(-1), { type: 'openLink', href: 'https://xn--pple-43d.com/' });
    for (const m of h.posted) assert.ok(isWebviewToHost(m), `the host accepts ${JSON.stringify(m)}`);
  });
});

describe('display bugs', () => {
  it('aligned tables carry a class, never an inline style', () => {
    const { md } = answer('| l | c | r |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n');
    assert.equal(md.querySelectorAll('[style]').length, 0);
    assert.ok(md.querySelector('th.align-left') && md.querySelector('td.align-center') && md.querySelector('td.align-right'));
  });

  it('the sandbox: rewrite never edits code', () => {
    const src = 'See [report.csv](sandbox:/mnt/data/report.csv).\n\n```python\nprint("[report](sandbox:/mnt/data/report.csv)")\n```\n\nand `[x](sandbox:/mnt/data/x)` inline.\n';
    const { md } = answer(src);
    assert.ok(md.textContent!.includes('See report.csv.'), md.textContent!);
    assert.ok(md.querySelector('pre')!.textContent!.includes('print("[report](sandbox:/mnt/data/report.csv)")'));
    assert.equal(md.querySelectorAll('code')[1].textContent, '[x](sandbox:/mnt/data/x)');
    assert.equal(md.querySelectorAll('a').length, 0);
  });
});

describe('bidi in names, code that lies', () => {
  it('isolates every model-supplied name and shows the controls', () => {
    const h = chatHarness();
    h.start('t1');
    h.event('t1', { kind: 'code.started', id: 'c1', language: `py${RLO}thon` });
    h.event('t1', { kind: 'code.done', id: 'c1', code: `x = 1\u001b[2K\u001b[1A # ok\u0000\naccess = "user${RLO} \u2066// admin\u2069"\n` });
    h.event('t1', { kind: 'code.output', id: 'c1', output: { type: 'logs', text: '\u001b[31mred\u001b[0m\u0007 done\u009b\n' } });
    h.event('t1', { kind: 'code.output', id: 'c1', output: { type: 'file', name: `invoice_2024${RLO}fdp.exe`, mime: 'application/octet-stream', bytes: 10 } });
    h.event('t1', { kind: 'tool.call', id: 'f1', call: { callId: 'k', name: `get${RLO}_selection`, arguments: '{"path":"a.py"}' } });
    h.event('t1', { kind: 'tool.result', id: 'f1', output: `ok${RLO} result\u001b]0;title\u0007`, isError: false });
    h.event('t1', { kind: 'run.finished', status: 'failed', error: { kind: 'server', message: `bad ${RLO}gateway\u001b[0m` } });
    h.frame();
    const answerEl = h.root.querySelector('.turn-answer')!;
    const shown = answerEl.textContent!;
    assert.equal(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/.test(shown), false, 'no hidden character reaches the page');
    const file = h.root.querySelector('.output-file-name bdi')!;
    assert.equal(file.textContent, 'invoice_2024⟨U+202E⟩fdp.exe');
    const tool = h.root.querySelector('.tool-call')!;
    assert.equal(tool.querySelector('bdi.tool-name')!.textContent, 'get⟨U+202E⟩_selection');
    assert.equal(tool.querySelector('bdi.tool-args')!.textContent, '{"path":"a.py"}', 'the arguments are isolated from the name');
    const code = h.root.querySelector('.code-source')!;
    assert.ok(code.textContent!.includes('⟨ESC⟩[2K⟨ESC⟩[1A # ok⟨NUL⟩'), code.textContent!);
    assert.ok(code.textContent!.includes('user⟨U+202E⟩ ⟨U+2066⟩// admin⟨U+2069⟩'));
    assert.ok(code.querySelectorAll('.ctl-mark').length >= 6, 'marks stand out');
    assert.equal(h.root.querySelector('.output-logs')!.textContent, '⟨ESC⟩[31mred⟨ESC⟩[0m⟨BEL⟩ done⟨CSI⟩\n');
    assert.ok(h.root.querySelector('.code-lang bdi')!.textContent!.includes('⟨U+202E⟩'));
    assert.equal(h.root.querySelector('.run-error-message bdi')!.textContent, 'bad ⟨U+202E⟩gateway⟨ESC⟩[0m');
  });

  it('shows hidden characters in prose and fences, streamed', () => {
    const h = chatHarness();
    h.start('t1');
    const text = `Run this:\n\n\`\`\`py\nif admin:${RLO} # \u2066check\u2069\n    pass\u0000\n\`\`\`\n\nDone ${RLO}txt.exe\n`;
    for (const ch of text) h.event('t1', { kind: 'text.delta', id: 'm1', delta: ch });
    h.frame();
    h.event('t1', { kind: 'run.finished', status: 'completed' });
    h.frame();
    const shown = h.root.querySelector('.md-text')!.textContent!;
    assert.equal(/[\u0000\u202E\u2066\u2069]/.test(shown), false);
    assert.ok(shown.includes('if admin:⟨U+202E⟩ # ⟨U+2066⟩check⟨U+2069⟩'));
    assert.ok(shown.includes('Done ⟨U+202E⟩txt.exe'));
  });

  it('helpers: visible marks, the warning test, a safe Save name', () => {
    assert.equal(visibleControls('a\u202Eb\tc\nd\u0000'), 'a⟨U+202E⟩b\tc\nd⟨NUL⟩');
    assert.deepEqual(hiddenCharacters('print(1)\n'), { bidi: false, control: false, invisible: false });
    assert.equal(hiddenCharacters('x\u202E').bidi, true);
    assert.equal(hiddenCharacters('\u001b[2J').control, true);
    assert.equal(hiddenCharacters('a\u0000').control, true);
    assert.equal(safeFileName(`invoice_2024${RLO}fdp.exe`), 'invoice_2024_fdp.exe');
    assert.equal(safeFileName('../../etc/passwd'), 'passwd');
    assert.equal(safeFileName('C:\\x\\..\\report.csv'), 'report.csv');
    assert.equal(safeFileName('.bashrc'), 'bashrc');
    assert.equal(safeFileName('con.txt'), '_con.txt');
    assert.equal(safeFileName('\u202E'), 'file');
    assert.equal(safeFileName('a<b>:c|d?.txt'), 'a_b__c_d_.txt');
    assert.ok(safeFileName('x'.repeat(500) + '.csv').endsWith('.csv'));
    assert.ok(safeFileName('x'.repeat(500) + '.csv').length <= 200);
  });
});

describe('server ids longer than the door allows', () => {
  it('travel as stand-ins, so Insert, Copy and Save reach the item', () => {
    const longId = `ci_${'x'.repeat(400)}`;
    let run = emptyTranscript;
    run = reduce(run, { kind: 'code.started', id: longId, language: 'python' });
    run = reduce(run, { kind: 'code.done', id: longId, code: 'print(1)' });
    const turn: Turn = { id: 'turn-1', question: { text: 'q' }, run };
    const snap = messageForWire({ type: 'snapshot', chat: { chatId: 'c', turns: [turn], runningTurnId: null }, strings, settings: { typewriter: true } });
    assert.equal(snap.type, 'snapshot');
    const wire = snap.type === 'snapshot' ? snap.chat.turns[0].run.items[0].id : '';
    assert.ok(wire.length <= maxIdLength && wire !== longId);
    assert.equal(wire, wireId(longId));
    const ev = messageForWire({ type: 'event', turnId: 'turn-1', event: { kind: 'code.delta', id: longId, delta: 'x' } });
    assert.equal(ev.type === 'event' && 'id' in ev.event ? ev.event.id : '', wire);
    // What the webview sends back passes the door and maps to the real item.
    for (const m of [
      { type: 'insertCode', turnId: 'turn-1', itemId: wire },
      { type: 'copyCode', turnId: 'turn-1', itemId: wire },
      { type: 'codeAction', action: 'insert', turnId: 'turn-1', itemId: wire },
      { type: 'saveOutput', turnId: 'turn-1', itemId: wire, outputIndex: 0 },
    ]) assert.ok(isWebviewToHost(m), m.type);
    assert.equal(realItemId([turn], 'turn-1', wire), longId);
    assert.equal(realItemId([turn], 'turn-1', 'nope'), undefined);
    // Short ids are untouched (same object).
    const short = { type: 'event' as const, turnId: 't', event: { kind: 'code.delta' as const, id: 'ci_1', delta: 'x' } };
    assert.equal(messageForWire(short), short);
    // The real chat view renders stand-ins and sends them back.
    const h = chatHarness();
    const s = snap.type === 'snapshot' ? snap.chat.turns[0] : turn;
    h.turn({ ...s, run: { ...s.run, status: 'completed' } });
    h.frame();
    const insert = h.root.querySelector('.code-insert') as unknown as HTMLElement;
    insert.click();
    assert.deepEqual(h.posted.at(-1), { type: 'codeAction', action: 'insert', turnId: 'turn-1', itemId: wire });
  });
});
