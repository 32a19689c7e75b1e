// Run by `npm run test:unit` (its `pretest:unit` step) before the unit tests: the Debian packages the tests need
// (python3-numpy and python3-matplotlib for the learner's-own-Python runtime, and what the e2e tests install
// anyway), so that `npm ci && npm test` on a fresh machine has them. Where apt-get is missing it only says so.
import { existsSync } from 'node:fs';
import { ensureAptPackages, log } from '../e2e/install';

if (existsSync('/usr/bin/apt-get') && existsSync('/usr/bin/dpkg-query')) {
  ensureAptPackages({ quiet: true }).catch((e: unknown) => {
    log(`could not install the Debian packages the tests need: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
} else {
  log('no apt-get here: install Python 3 with numpy and matplotlib for the CPython interpreter tests');
}
