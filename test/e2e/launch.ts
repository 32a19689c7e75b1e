// `npm start`: builds and packages Code Tutor, then opens the sample workspace with it in VS Code.
// With a desktop `code` on PATH it uses that (extension development mode); otherwise it serves VS Code with
// code-server on 127.0.0.1 from a persistent profile and prints the URL to open. Ctrl-C stops it.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BASE_SETTINGS, DEFAULT_VSIX, SAMPLE_WORKSPACE, freePort, installExtension, serverEnv, startCodeServer } from './harness';
import { CACHE_ROOT, REPO_ROOT, ensureCodeServer, log } from './install';

function run(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function desktopCode(): string | undefined {
  try {
    const found = execFileSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).trim();
    if (!found) return undefined;
    // inside code-server's (or a remote's) terminal `code` is a remote CLI, not a desktop VS Code
    const version = execFileSync(found, ['--version'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined } });
    const real = fs.realpathSync(found);
    return /code-server|remote-cli/i.test(real) || !/^\d+\.\d+/.test(version) ? undefined : found;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  log('building and packaging the extension (npm run package)');
  const built = await run('npm', ['run', 'package']);
  if (built !== 0) return built;

  const code = desktopCode();
  if (code) {
    log(`opening ${SAMPLE_WORKSPACE} in ${code} with the extension in development mode`);
    return run(code, [`--extensionDevelopmentPath=${REPO_ROOT}`, SAMPLE_WORKSPACE]);
  }

  log('no desktop VS Code on PATH: serving VS Code with code-server instead');
  const { codeServerBin } = await ensureCodeServer();
  const profile = path.join(CACHE_ROOT, 'profile');
  const dirs = { home: process.env.HOME ?? profile, xdg: path.join(profile, 'xdg'), tmp: fs.mkdtempSync(path.join('/tmp', 'ct-start-')) };
  const userDataDir = path.join(profile, 'user-data');
  const extensionsDir = path.join(profile, 'extensions');
  for (const dir of [userDataDir, extensionsDir, ...['config', 'data', 'cache', 'state'].map((d) => path.join(dirs.xdg, d))]) fs.mkdirSync(dir, { recursive: true });
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile)) {
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify(BASE_SETTINGS, null, 2));
  }
  const env = serverEnv(dirs, {});
  const logFile = path.join(profile, 'code-server.log');
  fs.writeFileSync(logFile, '');
  await installExtension(codeServerBin, DEFAULT_VSIX, userDataDir, extensionsDir, env, logFile);
  const server = await startCodeServer({ codeServerBin, runDir: profile, userDataDir, extensionsDir, workspaceDir: SAMPLE_WORKSPACE, env, logFile, port: await freePort(8080) });

  const url = `${server.url}/?folder=${encodeURI(SAMPLE_WORKSPACE)}`;
  process.stdout.write(`\nCode Tutor is running in VS Code at:\n\n    ${url}\n\nOpen it in a browser on this machine. Log: ${logFile}\nPress Ctrl-C to stop.\n\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const done = (code: number) => {
      fs.rmSync(dirs.tmp, { recursive: true, force: true });
      resolve(code);
    };
    const shutdown = (why: string) => {
      if (stopping) return;
      stopping = true;
      log(`stopping code-server (${why})`);
      void server.kill().then(() => done(0));
    };
    process.once('SIGINT', () => shutdown('Ctrl-C'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    server.child.once('exit', (exitCode, signal) => {
      if (stopping) return;
      log(`code-server exited on its own (${signal ?? `exit code ${exitCode}`}); see ${logFile}`);
      void server.kill().then(() => done(exitCode || 1));
    });
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
