/** test/bench/results.json (git-ignored): each bench section updates its own part and keeps whatever else is there. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const resultsPath = join(__dirname, 'results.json');

export function updateResults(update: (all: Record<string, unknown>) => void, file = resultsPath): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // no results yet
  }
  update(all);
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}
