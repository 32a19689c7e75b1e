// `npm run test:e2e`: installs code-server if needed, then runs test/e2e/*.e2e.ts one file at a time with node's
// test runner under node 24. Expects the packaged extension at dist/code-tutor.vsix (`npm run package`).
//
//   npm run test:e2e -- smoke        only the files whose name contains "smoke"
//   CODE_TUTOR_E2E_VSIX=path         test another .vsix
//   CODE_TUTOR_E2E_KEEP=1            keep each run dir under .e2e/ (profile, logs, workspace copy) after a pass
//   CODE_TUTOR_E2E_CACHE=dir         where code-server is installed (default ~/.cache/code-tutor-e2e)
//   CODE_TUTOR_E2E_SCREENSHOTS=dir   where screenshots go (default test-results/screenshots)
// A failed test leaves its code-server log, VS Code logs, browser console and a screenshot in test-results/e2e-failures/.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_VSIX } from './harness';
import { REPO_ROOT, ensureCodeServer, log } from './install';

async function main(): Promise<number> {
  const started = Date.now();
  if (!fs.existsSync(DEFAULT_VSIX)) {
    log(`no packaged extension at ${DEFAULT_VSIX}: run \`npm run package\` first`);
    return 1;
  }
  const { nodeBin } = await ensureCodeServer();
  const filter = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.e2e.ts'))
    .filter((f) => filter.length === 0 || filter.some((wanted) => f.includes(wanted)))
    .sort()
    .map((f) => path.relative(REPO_ROOT, path.join(__dirname, f)));
  if (files.length === 0) {
    log(`no e2e test files matched ${JSON.stringify(filter)}`);
    return 1;
  }
  log(`running ${files.length} e2e file(s) with ${nodeBin}: ${files.join(' ')}`);
  // spec for a person at a terminal; otherwise (CI, logs) TAP, which closes with node's usual `# pass N` / `# fail N`
  const reporters = [`--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`];
  const args = ['--import', 'tsx', '--test', '--test-concurrency=1', ...reporters, ...files];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(nodeBin, args, { cwd: REPO_ROOT, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
  log(`e2e finished in ${((Date.now() - started) / 1000).toFixed(1)} s with exit code ${code}`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`e2e failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
