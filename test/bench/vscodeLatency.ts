/**
 * Stream-to-screen latency in the real VS Code (issue 8): code-server with the packaged extension, the sidebar chat,
 * and the fake server streaming an answer of marked words (one marker per delta) at a steady pace. The server
 * notes when it wrote each event; the webview notes when each marker reached its DOM. The chat view changes the DOM
 * inside an animation frame, so that is the frame that paints it: the closest to the screen a page can see. Both
 * clocks are this machine's wall clock (Date.now()). Also reported: the same without the first 10 deltas (the
 * turn being set up), and the time to the frame after the change (an upper bound).
 * Written under "latency" in test/bench/results.json. Needs dist/code-tutor.vsix (`npm run package`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ResponseBuilder } from '../fake/responsesScenarios';
import { ask, openSidebar, waitForTurn, withTutor } from '../e2e/support';
import { percentile } from './measure';
import { updateResults } from './results';
import { num, printTable } from './table';

export interface LatencyFigures {
  readonly deltas: number;
  readonly paceMs: number;
  /** From the server's write to the marker in the webview's DOM. */
  readonly domP50Ms: number;
  readonly domP99Ms: number;
  /** From the server's write to the frame after the DOM change (an upper bound). */
  readonly nextFrameP50Ms: number;
  readonly nextFrameP99Ms: number;
  readonly maxMs: number;
  /** To the DOM, without the first 10 deltas. */
  readonly steadyP50Ms: number;
  readonly steadyP99Ms: number;
  /** Where in the stream the slowest 1 % were (delta numbers). */
  readonly slowest: readonly number[];
}

/** A word made of letters only (so the fake server's tokenizer keeps it as one delta) that names index i. */
function marker(i: number): string {
  let s = '';
  for (let n = i, k = 0; k < 3; k++, n = Math.floor(n / 26)) s = String.fromCharCode(97 + (n % 26)) + s;
  return `qz${s}`;
}

async function measureOnce(deltas: number, paceMs: number): Promise<LatencyFigures> {
  const words = Array.from({ length: deltas }, (_, i) => marker(i));
  const plan = new ResponseBuilder({ model: 'gpt-4.1' }).start().message(words.join(' ')).complete();
  // Which stream event carries which marker.
  const eventOf = new Map<string, number>();
  plan.events.forEach((e, index) => {
    if (e.event !== 'response.output_text.delta') return;
    const m = /qz[a-z]{3}/.exec((JSON.parse(e.data) as { delta: string }).delta);
    if (m) eventOf.set(m[0], index);
  });
  let figures: LatencyFigures | undefined;
  await withTutor({ name: 'bench-latency', settings: { 'codeTutor.typewriter': false } }, async (vs, server) => {
    const chat = await openSidebar(vs);
    await chat.evaluate(() => {
      const seen = new Map<string, { dom: number; frame?: number }>();
      (window as unknown as { __latency: typeof seen }).__latency = seen;
      const observer = new MutationObserver(() => {
        const turn = document.querySelector('.turn:last-of-type') ?? document.body;
        const now = Date.now();
        const fresh: string[] = [];
        for (const m of (turn.textContent ?? '').matchAll(/qz[a-z]{3}/g)) {
          if (!seen.has(m[0])) {
            seen.set(m[0], { dom: now });
            fresh.push(m[0]);
          }
        }
        if (fresh.length) requestAnimationFrame(() => fresh.forEach((k) => (seen.get(k)!.frame = Date.now())));
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    server.script({ events: plan.events.map((e) => ({ event: e.event, data: JSON.parse(e.data) as unknown })), delayMs: paceMs, kind: 'responses' });
    await ask(chat, 'How fast does an answer reach the screen?');
    await waitForTurn(chat, 1, 'completed', 120_000);
    const seen = await chat.evaluate(() => Object.fromEntries((window as unknown as { __latency: Map<string, { dom: number; frame?: number }> }).__latency));
    const request = server.requests.find((r) => r.path.endsWith('/responses') && r.method === 'POST' && (r.sentAt?.length ?? 0) > 0);
    if (!request?.sentAt) throw new Error('the fake server streamed no answer');
    const dom: number[] = [];
    const frame: number[] = [];
    for (const [word, index] of eventOf) {
      const at = request.sentAt[index];
      const s = seen[word];
      if (at === undefined || !s) throw new Error(`marker ${word} (event ${index}) never reached the webview`);
      dom.push(s.dom - at);
      frame.push((s.frame ?? s.dom) - at);
    }
    figures = {
      deltas: dom.length,
      paceMs,
      domP50Ms: percentile(dom, 50),
      domP99Ms: percentile(dom, 99),
      nextFrameP50Ms: percentile(frame, 50),
      nextFrameP99Ms: percentile(frame, 99),
      maxMs: Math.max(...dom),
      steadyP50Ms: percentile(dom.slice(10), 50),
      steadyP99Ms: percentile(dom.slice(10), 99),
      slowest: frame
        .map((_, i) => ({ ms: dom[i]!, i }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, Math.max(1, Math.round(frame.length / 100)))
        .map((x) => x.i)
        .sort((a, b) => a - b),
    };
  });
  if (!figures) throw new Error('no figures');
  return figures;
}

export async function benchVsCodeLatency(): Promise<LatencyFigures | undefined> {
  const vsix = join(__dirname, '..', '..', 'dist', 'code-tutor.vsix');
  if (!existsSync(vsix)) {
    console.log('\n(stream-to-screen latency in VS Code skipped: run `npm run package` first)');
    return undefined;
  }
  const f = await measureOnce(600, 5);
  printTable(
    'Stream to screen in the real VS Code (sidebar chat, typewriter off)',
    ['deltas', 'pace', 'p50', 'p99', 'max', 'after 10: p50', 'after 10: p99', 'next frame p50', 'next frame p99'],
    [[String(f.deltas), `${f.paceMs} ms`, `${num(f.domP50Ms, 0)} ms`, `${num(f.domP99Ms, 0)} ms`, `${num(f.maxMs, 0)} ms`, `${num(f.steadyP50Ms, 0)} ms`, `${num(f.steadyP99Ms, 0)} ms`, `${num(f.nextFrameP50Ms, 0)} ms`, `${num(f.nextFrameP99Ms, 0)} ms`]],
    [
      '* fake server write (Date.now) → the marker in the webview DOM, changed in the animation frame that paints it; same wall clock, ms resolution.',
      '* "after 10": without the first 10 deltas (the turn being set up); "next frame": to the frame after that one (an upper bound).',
      `* the slowest 1 % were deltas ${f.slowest.join(', ')} of ${f.deltas}.`,
    ],
  );
  updateResults((results) => (results.latency = {
    p50Ms: Math.round(f.domP50Ms),
    p99Ms: Math.round(f.domP99Ms),
    steadyP50Ms: Math.round(f.steadyP50Ms),
    steadyP99Ms: Math.round(f.steadyP99Ms),
    nextFrameP50Ms: Math.round(f.nextFrameP50Ms),
    nextFrameP99Ms: Math.round(f.nextFrameP99Ms),
    deltas: f.deltas,
    paceMs: f.paceMs,
  }));
  return f;
}
