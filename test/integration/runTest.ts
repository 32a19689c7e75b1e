/**
 * The @vscode/test-electron suite: downloads desktop VS Code and runs test/integration/suite inside it, with the
 * extension loaded from this folder and the fake server as its model provider. Run with `npm run test:electron`
 * where VS Code can be downloaded; on machines without internet the same behaviours are proven by test/e2e
 * (code-server + Playwright), see the README.
 */
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { build } from 'esbuild';
import { startFakeServer } from '../fake/server';

async function main(): Promise<void> {
  const root = join(__dirname, '..', '..');
  const out = join(root, 'out', 'integration');
  await build({
    entryPoints: [join(__dirname, 'suite', 'index.ts'), join(__dirname, 'suite', 'extension.test.ts')],
    outdir: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  const server = await startFakeServer();
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: join(out, 'index.js'),
      launchArgs: [join(root, 'test', 'workspace'), '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test', CODE_TUTOR_FAKE_ORIGIN: server.origin },
    });
  } finally {
    await server.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
