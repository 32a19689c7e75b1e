/**
 * Runs the fake OpenAI-compatible server on its own, for the end-to-end tests and for trying the extension by hand:
 *
 *   node --import tsx test/fake/main.ts [--port 0] [--host 127.0.0.1] [--delay 10] [--api-key KEY] [--script NAME,...]
 *
 * Prints `listening http://127.0.0.1:PORT/v1` on stdout once it accepts connections and serves until killed.
 */
import { startFakeServer } from './server';

function parseArgs(argv: readonly string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) {
      args.set(a.slice(2, eq), a.slice(eq + 1));
    } else {
      args.set(a.slice(2), argv[i + 1] ?? '');
      i++;
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const port = Number(args.get('port') ?? process.env.FAKE_OPENAI_PORT ?? 0);
  const delay = args.get('delay');
  const server = await startFakeServer({
    port: Number.isInteger(port) && port >= 0 ? port : 0,
    host: args.get('host') || undefined,
    delayMs: delay !== undefined && delay !== '' ? Number(delay) : undefined,
    apiKey: args.get('api-key') || undefined,
  });
  const script = args.get('script');
  if (script) {
    server.script(...script.split(',').filter((s) => s.length > 0));
  }
  process.stdout.write(`listening ${server.url}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake server failed to start: ${String(err)}\n`);
  process.exit(1);
});
