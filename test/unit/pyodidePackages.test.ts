/**
 * Installing Python packages for Pyodide without a CDN: a tiny pure-Python wheel built here (a zip with METADATA and
 * RECORD) is installed from a local folder and imported by real Pyodide; a tampered wheel is refused; the download
 * path fetches from a local HTTP server (the base URL is a setting) and checks the lock file's sha256.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { downloadPackages, installPackagesFromFolder, readLockfile, resolvePackages, sha256, type Lockfile } from '../../src/engine/interpreter/packages/packageStore';
import { PyodideInterpreter } from '../../src/engine/interpreter/pyodide/pyodideInterpreter';
import { defaultPyodidePaths } from '../../src/engine/interpreter/pyodide/pyodidePaths';

function wheel(name: string, version: string, source: string, tamper = false): Uint8Array {
  const info = `${name}-${version}.dist-info`;
  const files: Record<string, Uint8Array> = {
    [`${name}/__init__.py`]: strToU8(source),
    [`${info}/METADATA`]: strToU8(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`),
    [`${info}/WHEEL`]: strToU8('Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n'),
  };
  const record = Object.entries(files)
    .map(([p, d]) => `${p},sha256=${createHash('sha256').update(d).digest('base64url')},${d.length}`)
    .concat(`${info}/RECORD,,`)
    .join('\n');
  files[`${info}/RECORD`] = strToU8(record + '\n');
  if (tamper) files[`${name}/__init__.py`] = strToU8(source + '\nimport os  # changed after RECORD was written\n');
  return zipSync(files);
}

const bundledLock = readLockfile(join(defaultPyodidePaths().indexURL, 'pyodide-lock.json'));
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'code-tutor-wheels-'));
  dirs.push(d);
  return d;
};

describe('Pyodide packages', { timeout: 180_000 }, () => {
  const interpreters: PyodideInterpreter[] = [];
  after(() => {
    interpreters.forEach((p) => p.dispose());
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  test('the dependencies of matplotlib come from the bundled lock file', () => {
    const names = resolvePackages(bundledLock, ['matplotlib']).map((p) => p.name.toLowerCase());
    assert.ok(names.includes('matplotlib') && names.includes('numpy') && names.includes('pillow'), names.join());
  });

  test('a pure-Python wheel from a local folder is checked, installed and imported by Pyodide; a tampered one is refused', async () => {
    const source = tmp();
    const dest = tmp();
    writeFileSync(join(source, 'tinytutor-1.0-py3-none-any.whl'), wheel('tinytutor', '1.0', 'def greet():\n    return "hello from a wheel"\n'));
    writeFileSync(join(source, 'badtutor-1.0-py3-none-any.whl'), wheel('badtutor', '1.0', 'x = 1\n', true));
    // A distribution wheel whose bytes are not the ones in the lock file.
    writeFileSync(join(source, bundledLock.packages.numpy.file_name), strToU8('not numpy'));
    const result = installPackagesFromFolder(source, dest, bundledLock);
    assert.deepEqual(result.installed, ['tinytutor-1.0-py3-none-any.whl']);
    assert.deepEqual(result.rejected.map((r) => r.file).sort(), ['badtutor-1.0-py3-none-any.whl', bundledLock.packages.numpy.file_name].sort());
    assert.match(result.rejected.find((r) => r.file.startsWith('bad'))!.reason, /RECORD hash/);
    assert.match(result.rejected.find((r) => r.file.startsWith('numpy'))!.reason, /sha256/);
    assert.equal(existsSync(join(dest, bundledLock.packages.numpy.file_name)), false);

    const py = new PyodideInterpreter({ packagesDir: dest });
    interpreters.push(py);
    const r = await py.run('import tinytutor\nprint(tinytutor.greet())', () => undefined);
    assert.equal(r.status, 'ok', r.summary);
    assert.equal(r.summary, 'hello from a wheel\n');
    const refused = await py.run('import badtutor', () => undefined);
    assert.equal(refused.status, 'error');
    assert.match(refused.summary, /ModuleNotFoundError/);
    const numpy = await py.run('import numpy', () => undefined);
    assert.match(numpy.summary, /Download Python Packages/);
  });

  test('download: wheels come from the configured base URL and must match the lock file', async () => {
    const good = wheel('fetchtutor', '2.0', 'VALUE = 42\n');
    const fileName = 'fetchtutor-2.0-py3-none-any.whl';
    const lock: Lockfile = {
      info: bundledLock.info,
      packages: {
        fetchtutor: { name: 'fetchtutor', version: '2.0', file_name: fileName, sha256: sha256(good), imports: ['fetchtutor'], depends: [], install_dir: 'site', package_type: 'package' },
      },
    };
    let body: Uint8Array = good;
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === `/pyodide/${fileName}`) res.end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pyodide/`;
    try {
      const bad = tmp();
      body = strToU8('corrupted in transit');
      await assert.rejects(downloadPackages({ lock, dest: bad, baseUrl, names: ['fetchtutor'] }), /sha256/);
      assert.equal(existsSync(join(bad, fileName)), false);

      body = good;
      const dest = tmp();
      const progress: number[] = [];
      await downloadPackages({ lock, dest, baseUrl, names: ['fetchtutor'], onProgress: (p) => progress.push(p.done) });
      assert.deepEqual(progress, [0, 1]);
      assert.equal(sha256(readFileSync(join(dest, fileName))), lock.packages.fetchtutor.sha256);
      const again = requests.length;
      await downloadPackages({ lock, dest, baseUrl, names: ['fetchtutor'] });
      assert.equal(requests.length, again, 'an intact wheel is not downloaded twice');

      const py = new PyodideInterpreter({ packagesDir: dest });
      interpreters.push(py);
      const r = await py.run('import fetchtutor\nfetchtutor.VALUE', () => undefined);
      assert.equal(r.summary.trim(), '42', r.summary);
    } finally {
      server.close();
    }
  });
});
