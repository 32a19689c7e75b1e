/** The injection corpus in test/fixtures/payloads (see its README), with `{{CANARY}}` replaced by a real URL. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Payload {
  readonly file: string;
  readonly index: number;
  readonly payload: string;
}

export const payloadsDir = join(__dirname, '..', '..', 'fixtures', 'payloads');

export function loadPayloads(canaryUrl: string): Payload[] {
  const out: Payload[] = [];
  for (const file of readdirSync(payloadsDir).filter((f) => f.endsWith('.json')).sort()) {
    const data = JSON.parse(readFileSync(join(payloadsDir, file), 'utf8')) as { payloads: Array<{ payload: string }> };
    data.payloads.forEach((p, index) => out.push({ file, index, payload: p.payload.split('{{CANARY}}').join(canaryUrl) }));
  }
  return out;
}
