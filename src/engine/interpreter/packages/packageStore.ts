/**
 * Python packages for the Pyodide runtime (numpy, pandas, matplotlib … are not in the npm package). They are
 * installed once into a folder in the extension's global storage, keyed by the Pyodide version, with a
 * pyodide-lock.json beside them that the worker loads from (never a CDN at run time):
 *  - downloaded from the Pyodide distribution of the bundled version (base URL configurable), each wheel checked
 *    against the sha256 in the bundled lock file;
 *  - or copied from a local folder (an offline classroom): distribution wheels are checked against the lock file,
 *    other pure-Python wheels against the hashes in their own RECORD, and added to the local lock.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';

export interface LockPackage {
  readonly name: string;
  readonly version: string;
  readonly file_name: string;
  readonly sha256: string;
  readonly imports?: readonly string[];
  readonly depends?: readonly string[];
  readonly install_dir?: string;
  readonly package_type?: string;
  readonly [k: string]: unknown;
}

export interface Lockfile {
  readonly info: Record<string, unknown>;
  readonly packages: Record<string, LockPackage>;
  readonly [k: string]: unknown;
}

/** What "Download Python Packages" fetches by default (with their dependencies). */
export const DEFAULT_PACKAGES = ['numpy', 'pandas', 'matplotlib'] as const;

/** The distribution's wheels for a Pyodide version (the standard location; a setting can point elsewhere). */
export function defaultPackageBaseUrl(version: string): string {
  return `https://cdn.jsdelivr.net/pyodide/v${version}/full/`;
}

export function readLockfile(file: string): Lockfile {
  return JSON.parse(readFileSync(file, 'utf8')) as Lockfile;
}

/** The packages named and everything they depend on, by lock key. Unknown names throw. */
export function resolvePackages(lock: Lockfile, names: readonly string[]): LockPackage[] {
  const out = new Map<string, LockPackage>();
  const key = (n: string): string | undefined => (lock.packages[n] ? n : Object.keys(lock.packages).find((k) => k.toLowerCase() === n.toLowerCase()));
  const visit = (n: string): void => {
    const k = key(n);
    if (!k) throw new Error(`"${n}" is not in the Pyodide distribution`);
    if (out.has(k)) return;
    out.set(k, lock.packages[k]);
    for (const d of lock.packages[k].depends ?? []) visit(d);
  };
  names.forEach(visit);
  return [...out.values()];
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function writeAtomically(file: string, bytes: Uint8Array | string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

/** The lock the worker reads: the bundled one, plus the extra wheels already installed in `dest`. */
function writeLocalLock(dest: string, bundled: Lockfile, extra: Record<string, LockPackage>): void {
  const existing = existsSync(join(dest, 'pyodide-lock.json')) ? readLockfile(join(dest, 'pyodide-lock.json')) : undefined;
  const kept: Record<string, LockPackage> = {};
  for (const [k, p] of Object.entries(existing?.packages ?? {})) if (!bundled.packages[k]) kept[k] = p;
  writeAtomically(join(dest, 'pyodide-lock.json'), JSON.stringify({ ...bundled, packages: { ...bundled.packages, ...kept, ...extra } }));
}

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly file: string;
}

export interface DownloadOptions {
  readonly lock: Lockfile;
  readonly dest: string;
  readonly baseUrl: string;
  readonly names?: readonly string[];
  readonly onProgress?: (p: Progress) => void;
  readonly signal?: AbortSignal;
}

/** Downloads the wheels (skipping those already there and intact), checking each against the lock's sha256. */
export async function downloadPackages(o: DownloadOptions): Promise<LockPackage[]> {
  const wanted = resolvePackages(o.lock, o.names ?? DEFAULT_PACKAGES);
  mkdirSync(o.dest, { recursive: true });
  const base = o.baseUrl.endsWith('/') ? o.baseUrl : o.baseUrl + '/';
  let done = 0;
  for (const p of wanted) {
    o.onProgress?.({ done, total: wanted.length, file: p.file_name });
    const file = join(o.dest, p.file_name);
    if (!(existsSync(file) && sha256(readFileSync(file)) === p.sha256)) {
      const res = await fetch(new URL(p.file_name, base), { signal: o.signal });
      if (!res.ok) throw new Error(`${p.file_name}: HTTP ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const got = sha256(bytes);
      if (got !== p.sha256) throw new Error(`${p.file_name}: sha256 ${got} does not match the lock file (${p.sha256})`);
      writeAtomically(file, bytes);
    }
    done++;
  }
  o.onProgress?.({ done, total: wanted.length, file: '' });
  writeLocalLock(o.dest, o.lock, {});
  return wanted;
}

export interface FolderInstallResult {
  readonly installed: readonly string[];
  readonly rejected: readonly { readonly file: string; readonly reason: string }[];
}

/** Copies the wheels of `source` into `dest`, each checked (see the file comment). */
export function installPackagesFromFolder(source: string, dest: string, lock: Lockfile): FolderInstallResult {
  mkdirSync(dest, { recursive: true });
  const byFile = new Map(Object.entries(lock.packages).map(([, p]) => [p.file_name, p]));
  const installed: string[] = [];
  const rejected: { file: string; reason: string }[] = [];
  const extra: Record<string, LockPackage> = {};
  for (const name of readdirSync(source).filter((n) => n.endsWith('.whl')).sort()) {
    const bytes = new Uint8Array(readFileSync(join(source, name)));
    const hash = sha256(bytes);
    const known = byFile.get(name);
    if (known) {
      if (hash !== known.sha256) {
        rejected.push({ file: name, reason: `sha256 ${hash} does not match the lock file` });
        continue;
      }
    } else {
      const checked = checkWheel(name, bytes);
      if ('reason' in checked) {
        rejected.push({ file: name, reason: checked.reason });
        continue;
      }
      extra[checked.name] = { name: checked.name, version: checked.version, file_name: name, sha256: hash, imports: checked.imports, depends: [], install_dir: 'site', package_type: 'package' };
    }
    writeAtomically(join(dest, name), bytes);
    installed.push(name);
  }
  writeLocalLock(dest, lock, extra);
  return { installed, rejected };
}

/** A pure-Python wheel: every file's hash matches its RECORD; its import names are its top-level entries. */
function checkWheel(fileName: string, bytes: Uint8Array): { name: string; version: string; imports: string[] } | { reason: string } {
  const m = /^([A-Za-z0-9_.]+)-([^-]+)-.*-none-any\.whl$/.exec(fileName);
  if (!m) return { reason: 'not a pure-Python wheel of the Pyodide distribution' };
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch {
    return { reason: 'not a valid wheel (zip)' };
  }
  const recordName = Object.keys(files).find((f) => /^[^/]+\.dist-info\/RECORD$/.test(f));
  if (!recordName) return { reason: 'no RECORD file' };
  const listed = new Set<string>();
  for (const line of new TextDecoder().decode(files[recordName]).split(/\r?\n/)) {
    if (!line.trim()) continue;
    const [path, hash] = line.split(',');
    listed.add(path);
    if (path === recordName) continue;
    const data = files[path];
    if (!data) return { reason: `RECORD lists ${path}, which is missing` };
    if (!hash?.startsWith('sha256=')) return { reason: `no sha256 for ${path} in RECORD` };
    const digest = createHash('sha256').update(data).digest('base64url');
    if (digest !== hash.slice('sha256='.length)) return { reason: `${path} does not match its RECORD hash` };
  }
  for (const f of Object.keys(files)) if (!f.endsWith('/') && !listed.has(f)) return { reason: `${f} is not in RECORD` };
  const imports = [...new Set(Object.keys(files).filter((f) => !f.includes('.dist-info/') && !f.includes('.data/')).map((f) => f.split('/')[0].replace(/\.py$/, '')))];
  return { name: m[1].toLowerCase().replace(/_/g, '-'), version: m[2], imports };
}
