/**
 * Pyodide, for real, in its worker thread: notebook state, output streamed while a cell runs, the time limit
 * (interrupt, then restart), Stop, files and images from /mnt/data, the output and memory caps, and every sandbox
 * escape the issue lists (each must fail, and the test checks that nothing reached the host or the network).
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { CodeOutput } from '../../src/shared/events';
import { PyodideInterpreter } from '../../src/engine/interpreter/pyodide/pyodideInterpreter';

const logsOf = (outputs: readonly CodeOutput[]): string =>
  outputs.map((o) => (o.type === 'logs' ? o.text : '')).join('');

describe('Pyodide interpreter', { timeout: 240_000 }, () => {
  let py: PyodideInterpreter;
  let server: Server;
  let port = 0;
  let hits = 0;
  before(async () => {
    py = new PyodideInterpreter({ timeLimitMs: 4_000, interruptGraceMs: 2_000, memoryLimitMb: 384, outputLimits: { visibleChars: 2_000 } });
    server = createServer((_req, res) => {
      hits++;
      res.end('secret from the host');
    });
    server.on('connection', () => hits++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    await py.warm();
  });
  after(() => {
    py.dispose();
    server.close();
  });

  test('keeps state across cells and shows the value of the last expression', async () => {
    const seen: CodeOutput[] = [];
    const a = await py.run('x = 41\nprint("hello")', (o) => seen.push(o));
    assert.equal(a.status, 'ok');
    assert.equal(logsOf(a.outputs), 'hello\n');
    assert.deepEqual(seen, a.outputs);
    const b = await py.run('x + 1', () => undefined);
    assert.equal(b.status, 'ok');
    assert.equal(b.summary.trim(), '42');
  });

  test('streams stdout while the cell runs, in order, with stderr in between', async () => {
    const seen: { text: string; at: number }[] = [];
    const code = [
      'import sys, time',
      'print("first")',
      'print("oops", file=sys.stderr)',
      't = time.time()',
      'while time.time() - t < 1.5: pass',
      'print("second")',
    ].join('\n');
    const r = await py.run(code, (o) => {
      if (o.type === 'logs') seen.push({ text: o.text, at: Date.now() });
    });
    assert.equal(r.status, 'ok');
    assert.ok(seen.length >= 2, `expected the output in several pieces, got ${JSON.stringify(seen)}`);
    assert.match(seen[0].text, /first\n/);
    assert.doesNotMatch(seen[0].text, /second/, 'the first piece arrived before the cell had finished');
    assert.equal(seen.map((s) => s.text).join(''), 'first\noops\nsecond\n');
  });

  test('stops an endless loop at the time limit with KeyboardInterrupt, and the namespace survives', async () => {
    await py.run('kept = "still here"', () => undefined);
    const r = await py.run('n = 0\nwhile True:\n    n += 1', () => undefined);
    assert.equal(r.status, 'timeout');
    assert.match(r.summary, /longer than 4 s/);
    assert.match(logsOf(r.outputs), /stopped/);
    const after = await py.run('print(kept, n > 0)', () => undefined);
    assert.equal(after.status, 'ok');
    assert.equal(logsOf(after.outputs), 'still here True\n');
  });

  test('a cell that swallows KeyboardInterrupt is ended by restarting Python, with a note, and Python works again', async () => {
    await py.run('lost = 1', () => undefined);
    const code = 'while True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass';
    const r = await py.run(code, () => undefined);
    assert.equal(r.status, 'timeout');
    assert.match(r.summary, /restarted/);
    assert.match(logsOf(r.outputs), /restarted/);
    const next = await py.run('print("lost" in globals())', () => undefined);
    assert.equal(next.status, 'ok');
    assert.equal(logsOf(next.outputs), 'False\n');
  });

  test('Stop (the AbortSignal) stops running code, and the next cell runs', async () => {
    const stop = new AbortController();
    const r = py.run('print("started")\nwhile True: pass', (o) => {
      if (o.type === 'logs' && o.text.includes('started')) stop.abort();
    }, stop.signal);
    const result = await r;
    assert.equal(result.status, 'cancelled');
    assert.match(result.summary, /Stopped by the learner/);
    const next = await py.run('print(1 + 1)', () => undefined);
    assert.equal(logsOf(next.outputs), '2\n');
  });

  test('Stop keeps the namespace even when the host is too busy to hear the interrupted cell end within the grace period', async () => {
    // The extension host can be blocked for a while (a 2-core machine under load). The cell has long ended by
    // then; the kill timer must not mistake a reply that is merely waiting in the queue for a cell that hangs.
    await py.run('survivor = 7', () => undefined);
    const stop = new AbortController();
    const result = await py.run('print("spinning", flush=True)\nwhile True: pass', (o) => {
      if (o.type !== 'logs' || !o.text.includes('spinning') || stop.signal.aborted) return;
      stop.abort();
      const until = Date.now() + 3_000; // longer than the 2 s grace, with the reply and the timer both due
      while (Date.now() < until) {
        /* the host is busy */
      }
    }, stop.signal);
    assert.equal(result.status, 'cancelled');
    assert.doesNotMatch(result.summary, /restarted/);
    const next = await py.run('print(survivor)', () => undefined);
    assert.equal(logsOf(next.outputs), '7\n');
  });

  test('Stop given the moment the cell is posted still stops it, and nothing is lost', async () => {
    await py.run('early = 3', () => undefined);
    const stop = new AbortController();
    const pending = py.run('while True: pass', () => undefined, stop.signal);
    // The run is posted to the worker a few microtasks from now; abort right after, while the worker may not yet have
    // started the cell (the interrupt byte is cleared before posting, so this Stop cannot be wiped out by the start).
    await Promise.resolve();
    await Promise.resolve();
    await Promise.resolve();
    stop.abort();
    const result = await pending;
    assert.equal(result.status, 'cancelled');
    assert.doesNotMatch(result.summary, /restarted/);
    const next = await py.run('print(early)', () => undefined);
    assert.equal(logsOf(next.outputs), '3\n');
  });

  test('files written under /mnt/data come back; a PNG written by pure Python is an image', async () => {
    const code = String.raw`
import zlib, struct
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
w, h = 4, 3
raw = b''.join(b'\x00' + b'\xff\x00\x00' * w for _ in range(h))
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
open('/mnt/data/red.png', 'wb').write(png)
with open('/mnt/data/table.csv', 'w') as f:
    f.write('a,b\n1,2\n')
print('written')`;
    const r = await py.run(code, () => undefined);
    assert.equal(r.status, 'ok', r.summary);
    const image = r.outputs.find((o) => o.type === 'image');
    assert.ok(image && image.type === 'image');
    assert.equal(image.mime, 'image/png');
    assert.deepEqual([...Buffer.from(image.base64, 'base64').subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const file = r.outputs.find((o) => o.type === 'file');
    assert.ok(file && file.type === 'file');
    assert.equal(file.name, 'table.csv');
    assert.equal(file.mime, 'text/csv');
    assert.equal(Buffer.from(file.base64 ?? '', 'base64').toString(), 'a,b\n1,2\n');
    // Unchanged files are not sent again.
    const again = await py.run('print("nothing new")', () => undefined);
    assert.deepEqual(again.outputs.map((o) => o.type), ['logs']);
  });

  test('the channel plt.show() uses sends an image at once, in order with the printed text', async () => {
    // matplotlib is not in the npm package (no wheels offline); this is the call the plt.show() hook makes.
    const r = await py.run('print("before")\n_codetutor_emit_image("image/png", b"\\x89PNG\\r\\n\\x1a\\n-bytes")\nprint("after")', () => undefined);
    assert.equal(r.status, 'ok', r.summary);
    assert.deepEqual(r.outputs.map((o) => o.type), ['logs', 'image', 'logs']);
    const image = r.outputs[1];
    assert.ok(image.type === 'image');
    assert.equal(Buffer.from(image.base64, 'base64').toString('latin1'), '\x89PNG\r\n\x1a\n-bytes');
  });

  test('huge output: the chat shows the first part, the whole text is attached as output.txt', async () => {
    const r = await py.run('for i in range(20000): print(f"line {i}")', () => undefined);
    assert.equal(r.status, 'ok');
    const shown = r.outputs.filter((o) => o.type === 'logs').map((o) => (o.type === 'logs' ? o.text : ''));
    assert.ok(shown.join('').startsWith('line 0\nline 1\n'));
    assert.match(shown.at(-1) ?? '', /output truncated: \d+ characters in all/);
    const file = r.outputs.find((o) => o.type === 'file');
    assert.ok(file && file.type === 'file' && file.name === 'output.txt');
    const full = Buffer.from(file.base64 ?? '', 'base64').toString();
    assert.ok(full.endsWith('line 19999\n'));
    assert.equal(full.split('\n').length, 20001);
    assert.ok(r.summary.length < 9_000, 'the model gets a capped summary');
  });

  test('memory is capped: a huge allocation raises MemoryError and Python goes on', async () => {
    const r = await py.run('big = bytearray(600 * 1024 * 1024)', () => undefined);
    assert.equal(r.status, 'error');
    assert.match(r.summary, /MemoryError/);
    const next = await py.run('print("alive")', () => undefined);
    assert.equal(logsOf(next.outputs), 'alive\n');
  });

  test('reset clears the namespace', async () => {
    await py.run('gone = 5', () => undefined);
    await py.reset();
    const r = await py.run('print("gone" in globals())', () => undefined);
    assert.equal(logsOf(r.outputs), 'False\n');
  });

  test('a distribution package that is not installed says how to get it', async () => {
    const r = await py.run('import numpy', () => undefined);
    assert.equal(r.status, 'error');
    assert.match(r.summary, /ModuleNotFoundError/);
    assert.match(r.summary, /Code Tutor: Download Python Packages/);
  });

  describe('sandbox: every escape attempt fails', () => {
    const attempts: [string, string, RegExp][] = [
      ['read the learner\'s files', 'print(open("/etc/passwd").read())', /FileNotFoundError/],
      ['list the host root', 'import os\nhost = {"etc", "usr", "root", "work", "bin"} & set(os.listdir("/"))\nassert not host, host\nprint("confined")', /^confined/],
      ['js.fetch', 'import js\njs.fetch("http://127.0.0.1:PORT/")', /AttributeError/],
      ['js.process', 'import js\nprint(js.process.env)', /AttributeError/],
      ['js.require', 'import js\njs.require("fs")', /AttributeError/],
      ['compile JS through a constructor', 'import js\njs.setTimeout.constructor("return process")()', /not available to code run by Code Tutor/],
      ['pyodide.code.run_js', 'from pyodide.code import run_js\nrun_js("process.exit(3)")', /ImportError|cannot import/],
      ['pyodide_js FS and NODEFS', 'import pyodide_js\npyodide_js.mountNodeFS("/host", "/")', /AttributeError/],
      ['pyodide_js FS module', 'import pyodide_js\nprint(pyodide_js.FS)', /AttributeError/],
      ['pyodide.http.pyfetch', 'import pyodide.http\nawait pyodide.http.pyfetch("http://127.0.0.1:PORT/")', /Error/],
      ['pyodide.http.open_url', 'import pyodide.http\npyodide.http.open_url("http://127.0.0.1:PORT/")', /Error/],
      ['urllib', 'import urllib.request\nurllib.request.urlopen("http://127.0.0.1:PORT/", timeout=2)', /URLError|OSError/],
      ['a TCP socket', 'import socket\nsocket.create_connection(("127.0.0.1", PORT), timeout=2)', /OSError|Error/],
      ['subprocess', 'import subprocess\nsubprocess.run(["touch", "MARK"])', /OSError|not support/],
      ['os.system', 'import os\nrc = os.system("touch MARK")\nassert rc != 0, rc\nprint("refused", rc)', /^refused/],
      [
        'no module holds a handle on Pyodide\'s JavaScript API or Node',
        [
          'import sys, gc',
          'from pyodide.ffi import JsProxy',
          'keys = ("FS", "_module", "mountNodeFS", "loadPackage", "runPython", "process", "require", "fetch", "eval", "Function")',
          'found = []',
          'for obj in list(sys.modules.values()) + gc.get_objects():',
          '    for v in ([obj] if isinstance(obj, JsProxy) else [getattr(obj, a, None) for a in getattr(obj, "__dict__", {})] if type(obj).__name__ == "module" else []):',
          '        if isinstance(v, JsProxy):',
          '            found += [k for k in keys if hasattr(v, k)]',
          'assert not found, found',
          'print("no handle")',
        ].join('\n'),
        /^no handle/,
      ],
      ['ctypes system()', 'import ctypes\nrc = ctypes.CDLL(None).system(b"touch MARK")\nassert rc != 0, rc\nprint("refused", rc)', /^refused|Error/],
    ];
    before(async () => {
      await py.run('sandbox_state = "still here"', () => undefined);
    });
    for (const [name, template, expected] of attempts) {
      test(name, async () => {
        const mark = `/tmp/code-tutor-sandbox-${process.pid}-${name.replace(/\W+/g, '_')}`;
        rmSync(mark, { force: true });
        const before = hits;
        const r = await py.run(template.replaceAll('PORT', String(port)).replaceAll('MARK', mark), () => undefined);
        assert.match(r.summary, expected, r.summary);
        assert.equal(hits, before, 'nothing reached the local server');
        assert.equal(existsSync(mark), false, 'no program ran on the host');
        assert.doesNotMatch(r.summary, /secret from the host|root:x:0/);
      });
    }
    test('still usable after all the attempts', async () => {
      const r = await py.run('print(sandbox_state)', () => undefined);
      assert.equal(logsOf(r.outputs), 'still here\n');
    });
  });
});
