/**
 * The webview section of `npm run bench`: the real dist/webview.js in headless Chromium (playwright-core, Debian's
 * chromium), fed a markdown answer with code blocks (and, as a row of its own, an answer that is one long code fence)
 * as 1–4 character `text.delta` events at ~2,000 a second, through
 * the host's own EventBatcher (webviewDriver.ts: one window message per ~16 ms frame, deltas of one item joined), as
 * the extension posts them. The pacing and the batcher run in a Worker: in VS Code they run in the extension host,
 * another process, and on the page's own thread their timer task every millisecond slowed the page's frames (with it
 * there, the same renderer measured 62–83 µs a delta and 25–31 % busy; without, 22–27 µs and 10–11 %). Figures,
 * never assertions.
 *
 * - incrementalMs: main-thread time of our renderer: handling every message (guard, reducer, bookkeeping) plus every
 *   animation-frame callback with the style and layout it caused (forced at the end of the callback to count it);
 * - p99FrameMs: the 99th percentile of one frame's work (the messages since the previous frame + the frame callback);
 * - busyPct: Chromium's own main-thread task time (CDP Performance.TaskDuration) over the stream's duration, less
 *   the driver's own on that thread (relaying the batches to the window, measured in a page without the webview in
 *   the same run). busyGrossPct keeps it in;
 * - finalRenderMs: rendering the final text once with the same markdown-it and sanitizer (median of 3);
 * - naiveMs / naivePerFrameMs: re-rendering the whole accumulated text per delta / per frame. Done for real that
 *   would take hours at 400 KB, so the cost is measured on 24 prefixes spread over the answer and multiplied out
 *   (deltas, or frames of the stream, times the mean cost of a render of a prefix).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resultsPath, updateResults } from './results';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { uiStringKeys } from '../../src/shared/protocol';
import { percentile } from './measure';
import { num, printTable } from './table';

const root = join(__dirname, '..', '..');
const CHROMIUM = process.env.CODE_TUTOR_E2E_CHROMIUM ?? '/usr/bin/chromium';
const deltasPerSecond = 2_000;
const naiveSamples = 24;

export interface RenderFigures {
  /** `prose`: makeAnswer (text, lists, tables and short fences); `code`: one long fence (makeCodeAnswer). */
  readonly answer: 'prose' | 'code';
  readonly answerBytes: number;
  readonly deltas: number;
  readonly streamMs: number;
  readonly incrementalMs: number;
  readonly messageMs: number;
  readonly frameMs: number;
  /** Of frameMs: the style and layout left after the frame callback (forced by the harness). */
  readonly layoutMs: number;
  readonly frames: number;
  readonly p99FrameMs: number;
  readonly maxFrameMs: number;
  readonly busyPct: number;
  readonly busyGrossPct: number;
  /** Chromium's own split of the page's main-thread time over the stream (driver included in script). */
  readonly scriptMs: number;
  readonly styleMs: number;
  readonly layoutTotalMs: number;
  readonly driverBusyPct: number;
  /** The plain renderer's busy % (driver taken out): what showing the stream at 60 Hz costs any renderer here. */
  readonly plainBusyPct: number;
  /** The plain renderer's script, style and layout over the stream (driver taken out): set against finalRenderMs. */
  readonly plainWorkMs: number;
  readonly messages: number;
  readonly finalRenderMs: number;
  readonly naiveMs: number;
  readonly naivePerFrameMs: number;
  readonly usPerDelta: number;
}

/** A seeded generator: the same answer and the same deltas every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tutor-like markdown answer of about `bytes` characters: headings, paragraphs, lists, tables and Python fences. */
export function makeAnswer(bytes: number): string {
  const r = rng(bytes);
  const words = ['the', 'value', 'loop', 'list', 'function', 'returns', 'each', 'item', 'index', 'because', 'Python', 'reads', 'file', 'line', 'count', 'sum', 'we', 'then'];
  const sentence = () => {
    const n = 8 + Math.floor(r() * 12);
    const w = Array.from({ length: n }, () => words[Math.floor(r() * words.length)]);
    if (r() < 0.3) w[2] = '`len(items)`';
    if (r() < 0.2) w[4] = '**important**';
    if (r() < 0.1) w[6] = '[docs](https://docs.python.org/3/)';
    return w.join(' ').replace(/^./, (c) => c.toUpperCase()) + '.';
  };
  const parts: string[] = [];
  let size = 0;
  let k = 0;
  while (size < bytes) {
    k++;
    const block: string[] = [`## Step ${k}`, '', Array.from({ length: 2 + Math.floor(r() * 3) }, sentence).join(' '), ''];
    if (r() < 0.5) block.push(...Array.from({ length: 3 + Math.floor(r() * 3) }, () => `- ${sentence()}`), '');
    const lines = 6 + Math.floor(r() * 14);
    block.push('```python');
    for (let i = 0; i < lines; i++) block.push(`${i % 3 === 0 ? '' : '    '}value_${i} = compute(items[${i}]) + "text"  # step ${i}`);
    block.push('```', '', Array.from({ length: 1 + Math.floor(r() * 3) }, sentence).join(' '), '');
    if (r() < 0.2) block.push('| n | square |', '|---|---:|', ...Array.from({ length: 4 }, (_, i) => `| ${i} | ${i * i} |`), '');
    const text = block.join('\n') + '\n';
    parts.push(text);
    size += text.length;
  }
  return parts.join('');
}

/** An answer that is one long Python fence of about `bytes` characters (a program shown whole): code frames only. */
export function makeCodeAnswer(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `${i % 4 === 0 ? '' : '    '}value_${i} = compute(items[${i}]) + "text"  # step ${i}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `Here is the whole program:\n\n\`\`\`python\n${lines.join('\n')}\n\`\`\`\n\nRun it and compare.\n`;
}

function splitDeltas(text: string): number[] {
  const r = rng(7);
  const cuts: number[] = [];
  for (let i = 0; i < text.length; ) {
    i = Math.min(text.length, i + 1 + Math.floor(r() * 4));
    cuts.push(i);
  }
  return cuts;
}

async function pageBundle(entry: string): Promise<string> {
  const out = await build({ entryPoints: [join(__dirname, entry)], bundle: true, write: false, platform: 'browser', format: 'iife', target: 'chrome120', logLevel: 'silent' });
  return out.outputFiles[0].text;
}

/**
 * Streams the deltas at `rate` a second: the driver worker (webviewDriver.ts) paces them through the host's batcher
 * and the page relays each batch to its window; resolves with the stream's duration once the last frames ran. Runs
 * in the page (a function, so that every page runs the very same driver).
 */
function drive({ text, cuts, rate, driverJs }: { text: string; cuts: number[]; rate: number; driverJs: string }): Promise<{ ms: number; messages: number }> {
  return new Promise((resolve) => {
    const worker = new Worker(URL.createObjectURL(new Blob([driverJs], { type: 'text/javascript' })));
    const t0 = performance.now();
    worker.onmessage = (e: MessageEvent<{ driverDone?: true; messages?: number }>) => {
      if (!e.data.driverDone) {
        window.postMessage(e.data, '*');
        return;
      }
      worker.terminate();
      const messages = e.data.messages ?? 0;
      // Let the last messages and frames run.
      setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve({ ms: performance.now() - t0, messages }))), 50);
    };
    worker.postMessage({ text, cuts, rate });
  });
}

/** A page's main-thread load over a stream: all its task time, and the part that is script, style and layout. */
interface PageLoad {
  readonly busyPct: number;
  readonly workMs: number;
}

/**
 * The driver alone in a blank page (`plain` false): its own main-thread share (relaying the batches), to take out of
 * busyPct. With `plain`, the page also shows the stream the cheapest way a page can: the frame's new text appended to
 * a paragraph's text node (a new paragraph at a blank line, paragraphs in groups that layout skips off screen) and
 * the view scrolled to the end, once per animation frame, no markdown. That is the cost of any renderer that shows a
 * stream at 60 Hz in this browser.
 */
async function driverLoad(browser: Browser, driverJs: string, text: string, cuts: number[], plain: boolean): Promise<PageLoad> {
  const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
  try {
    await page.setContent('<!DOCTYPE html><html lang="en"><body style="margin:0;height:100vh;display:flex;flex-direction:column"><div id="list" style="flex:1 1 auto;overflow-y:auto;padding:8px 12px 16px;line-height:1.5;overflow-wrap:anywhere"></div></body></html>');
    await page.evaluate('window.__name = (f) => f');
    if (plain) await page.evaluate(plainRenderer);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value * 1000]));
    const work = (m: Record<string, number>) => (m.ScriptDuration ?? NaN) + (m.RecalcStyleDuration ?? NaN) + (m.LayoutDuration ?? NaN);
    const m0 = await metrics();
    const { ms } = await page.evaluate(drive, { text, cuts, rate: deltasPerSecond, driverJs });
    const m1 = await metrics();
    if (plain) {
      const shown = await page.evaluate(() => document.getElementById('list')!.textContent!.length);
      if (shown < text.length * 0.8) throw new Error(`the plain renderer showed ${shown} of ${text.length} characters`);
    }
    return { busyPct: (100 * ((m1.TaskDuration ?? NaN) - (m0.TaskDuration ?? NaN))) / ms, workMs: work(m1) - work(m0) };
  } finally {
    await page.close();
  }
}

/** Runs in the plain page: the plain renderer (see driverBusyPct). */
function plainRenderer(): void {
  const list = document.getElementById('list')!;
  let para: Text | null = null;
  let pending = '';
  let requested = false;
  const perGroup = 24;
  let group: HTMLElement | null = null;
  let grouped = 0;
  const take = (m: { type: string; event?: { kind: string; delta?: string }; messages?: unknown[] }): void => {
    if (m.type === 'events') for (const x of m.messages ?? []) take(x as typeof m);
    else if (m.type === 'event' && m.event?.kind === 'text.delta') pending += m.event.delta ?? '';
  };
  const frame = () => {
    requested = false;
    const parts = pending.split('\n\n');
    pending = '';
    parts.forEach((part, i) => {
      if (i > 0 || !para) {
        const p = document.createElement('p');
        p.style.whiteSpace = 'pre-wrap';
        para = document.createTextNode('');
        p.append(para);
        // Paragraphs in groups, a finished group skipped by layout off screen, as the webview groups its blocks:
        // without that, this page's cost grew with the answer (20-24 % busy at 400 KB).
        if (!group || grouped >= perGroup) {
          if (group) group.style.cssText = 'content-visibility: auto; contain-intrinsic-size: auto 400px';
          group = document.createElement('div');
          list.append(group);
          grouped = 0;
        }
        group.append(p);
        grouped++;
      }
      para.appendData(part);
    });
    list.scrollTop = list.scrollHeight;
  };
  window.addEventListener('message', (e) => {
    take(e.data as Parameters<typeof take>[0]);
    if (!requested) {
      requested = true;
      requestAnimationFrame(frame);
    }
  });
}

/** Runs in the page before webview.js: the VS Code API stub and the timing hooks. */
function instrument(): void {
  const w = window as unknown as Record<string, unknown>;
  const stats = { msgMs: 0, pendingMs: 0, frameMs: 0, layoutMs: 0, frames: [] as number[], posted: [] as unknown[], t0: 0 };
  w.__stats = stats;
  w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => stats.posted.push(m) });
  window.addEventListener('message', () => (stats.t0 = performance.now()));
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) =>
    raf((ts) => {
      const t0 = performance.now();
      cb(ts);
      const t1 = performance.now();
      void document.body.offsetHeight; // style and layout now, inside the timed region
      const ms = performance.now() - t0;
      stats.layoutMs += performance.now() - t1;
      stats.frameMs += ms;
      stats.frames.push(stats.pendingMs + ms);
      stats.pendingMs = 0;
    });
}

async function measureSize(browser: Browser, webviewJs: string, css: string, naiveJs: string, driverJs: string, bytes: number, code: boolean): Promise<RenderFigures> {
  const text = code ? makeCodeAnswer(bytes) : makeAnswer(bytes);
  const cuts = splitDeltas(text);
  const driver = await driverLoad(browser, driverJs, text, cuts, false);
  const plain = await driverLoad(browser, driverJs, text, cuts, true);
  const driverPct = driver.busyPct;
  const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
  await page.setContent(`<!DOCTYPE html><html lang="en"><head><style>${css}</style></head><body><div id="code-tutor-root"></div></body></html>`);
  // tsx compiles the functions handed to page.evaluate with esbuild's keepNames helper; give the page one.
  await page.evaluate('window.__name = (f) => f');
  await page.evaluate(instrument);
  await page.addScriptTag({ content: webviewJs });
  await page.addScriptTag({ content: naiveJs });
  await page.evaluate(() => {
    const stats = (window as unknown as { __stats: { msgMs: number; pendingMs: number; t0: number } }).__stats;
    window.addEventListener('message', () => {
      const ms = performance.now() - stats.t0;
      stats.msgMs += ms;
      stats.pendingMs += ms;
    });
  });
  const strings = Object.fromEntries(uiStringKeys.map((k) => [k, k]));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value * 1000]));
  await page.evaluate((s) => {
    window.postMessage({ type: 'snapshot', chat: { chatId: 'c', turns: [], runningTurnId: null }, strings: s, settings: { typewriter: false } }, '*');
    window.postMessage({ type: 'turnStarted', turn: { id: 't1', question: { text: 'Explain loops' }, run: { status: 'in_progress', error: null, items: [] } } }, '*');
  }, strings);
  await page.waitForTimeout(200);
  await page.evaluate(() => {
    const s = (window as unknown as { __stats: { msgMs: number; frameMs: number; layoutMs: number; frames: number[]; pendingMs: number } }).__stats;
    s.msgMs = s.frameMs = s.pendingMs = s.layoutMs = 0;
    s.frames.length = 0;
  });
  // The view must follow the stream to its end (the reader never scrolls here): note when it stops following.
  await page.evaluate(() => {
    const jump = document.getElementById('jump-latest');
    const w = window as unknown as { __lostFollow?: string };
    if (jump) new MutationObserver(() => {
      if (!jump.hidden && !w.__lostFollow) {
        const list = jump.previousElementSibling as HTMLElement;
        w.__lostFollow = `at ${document.querySelector('.md-text')?.textContent?.length} chars: scrollHeight ${list.scrollHeight} top ${list.scrollTop} client ${list.clientHeight}`;
      }
    }).observe(jump, { attributes: true });
  });
  const profile = process.env.CODE_TUTOR_BENCH_PROFILE === '1';
  if (profile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
  }
  const m0 = await metrics();
  const busy0 = m0.TaskDuration ?? NaN;
  const { ms: streamMs, messages } = await page.evaluate(drive, { text, cuts, rate: deltasPerSecond, driverJs });
  const m1 = await metrics();
  const busy1 = m1.TaskDuration ?? NaN;
  const split = (name: string) => (m1[name] ?? NaN) - (m0[name] ?? NaN);
  if (profile) printProfile((await cdp.send('Profiler.stop')).profile as CpuProfile);
  const stats = await page.evaluate(() => (window as unknown as { __stats: { msgMs: number; frameMs: number; layoutMs: number; frames: number[] } }).__stats);
  const shown = await page.evaluate(() => document.querySelector('.md-text')?.textContent?.length ?? 0);
  const lostFollow = await page.evaluate(() => (window as unknown as { __lostFollow?: string }).__lostFollow);
  if (lostFollow) console.log(`  ${bytes / 1000} KB: the view stopped following the stream ${lostFollow}`);
  if (shown < text.length * 0.8) throw new Error(`the webview showed ${shown} of ${text.length} characters`);

  // One render of the final text, and the naive way on prefixes.
  const { finalMs, naiveMean } = await page.evaluate(
    ({ text, cuts, samples }) => {
      const el = document.createElement('div');
      el.className = 'md-text';
      document.body.append(el);
      const time = (t: string) => {
        const t0 = performance.now();
        (window as unknown as { naiveRender(t: string, e: HTMLElement): void }).naiveRender(t, el);
        void el.offsetHeight;
        return performance.now() - t0;
      };
      const finals = [time(text), time(text), time(text)].sort((a, b) => a - b);
      let sum = 0;
      for (let j = 0; j < samples; j++) sum += time(text.slice(0, cuts[Math.floor(((j + 0.5) / samples) * cuts.length)]));
      el.remove();
      return { finalMs: finals[1], naiveMean: sum / samples };
    },
    { text, cuts, samples: naiveSamples },
  );
  await page.close();
  const incrementalMs = stats.msgMs + stats.frameMs;
  const framesOfStream = streamMs / (1000 / 60);
  return {
    answer: code ? 'code' : 'prose',
    answerBytes: text.length,
    deltas: cuts.length,
    streamMs,
    incrementalMs,
    messageMs: stats.msgMs,
    frameMs: stats.frameMs,
    layoutMs: stats.layoutMs,
    frames: stats.frames.length,
    p99FrameMs: percentile(stats.frames, 99),
    maxFrameMs: Math.max(...stats.frames),
    busyPct: (100 * (busy1 - busy0)) / streamMs - driverPct,
    busyGrossPct: (100 * (busy1 - busy0)) / streamMs,
    scriptMs: split('ScriptDuration'),
    styleMs: split('RecalcStyleDuration'),
    layoutTotalMs: split('LayoutDuration'),
    driverBusyPct: driverPct,
    plainBusyPct: plain.busyPct - driverPct,
    plainWorkMs: plain.workMs - driver.workMs,
    messages,
    finalRenderMs: finalMs,
    naiveMs: naiveMean * cuts.length,
    naivePerFrameMs: naiveMean * framesOfStream,
    usPerDelta: (1000 * incrementalMs) / cuts.length,
  };
}

export async function benchWebviewRender(sizesKb: readonly number[] = [25, 100, 400], codeKb: readonly number[] = [25]): Promise<RenderFigures[]> {
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'ignore' });
  const webviewJs = readFileSync(join(root, 'dist', 'webview.js'), 'utf8');
  const css = existsSync(join(root, 'dist', 'webview.css')) ? readFileSync(join(root, 'dist', 'webview.css'), 'utf8') : '';
  const naiveJs = await pageBundle('webviewNaive.ts');
  const driverJs = await pageBundle('webviewDriver.ts');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
  });
  const out: RenderFigures[] = [];
  try {
    for (const kb of sizesKb) out.push(await measureSize(browser, webviewJs, css, naiveJs, driverJs, kb * 1000, false));
    for (const kb of codeKb) out.push(await measureSize(browser, webviewJs, css, naiveJs, driverJs, kb * 1000, true));
  } finally {
    await browser.close();
  }
  printTable(
    `Webview rendering: real dist/webview.js in headless Chromium, 1-4 char deltas at ${num(deltasPerSecond, 0)}/s through the host's batcher, typewriter off`,
    ['answer', 'deltas', 'messages', 'stream s', 'incr ms', 'µs/delta', 'msgs ms', 'frames ms', 'of it layout', 'p99 frame', 'max frame', 'busy %', 'plain %', 'final ms', 'incr/final', 'plain/final', 'naive ms*', 'naive/frame ms*', 'naive/frame ÷ incr'],
    out.map((f) => [
      label(f),
      num(f.deltas, 0),
      num(f.messages, 0),
      num(f.streamMs / 1000, 1),
      num(f.incrementalMs, 0),
      num(f.usPerDelta, 1),
      num(f.messageMs, 0),
      num(f.frameMs, 0),
      num(f.layoutMs, 0),
      num(f.p99FrameMs, 2),
      num(f.maxFrameMs, 1),
      `${num(f.busyPct, 1)} (${num(f.busyGrossPct, 1)})`,
      num(f.plainBusyPct, 1),
      num(f.finalRenderMs, 1),
      num(f.incrementalMs / f.finalRenderMs, 1),
      num(f.plainWorkMs / f.finalRenderMs, 1),
      num(f.naiveMs, 0),
      num(f.naivePerFrameMs, 0),
      num(f.naivePerFrameMs / f.incrementalMs, 1),
    ]),
    [
      'incr = message handling + frame callbacks with their style/layout; busy % = Chromium TaskDuration / stream time, less the driver alone in a blank page (in brackets: with it).',
      'plain % = the same stream shown the cheapest way (the new text of each frame appended to a paragraph, grouped as the webview groups blocks, scrolled to the end, no markdown), driver taken out: what 60 Hz updates cost any renderer in this browser; plain/final = its script, style and layout over the stream ÷ final ms.',
      'code = one long fence (a program of ~460 lines at 25 KB): frames add lines to the open fence only.',
      ...out.map((f) => `${label(f)}: Chromium's split over the stream: script ${num(f.scriptMs, 0)} ms (the driver's included), style ${num(f.styleMs, 0)} ms, layout ${num(f.layoutTotalMs, 0)} ms; the rest of the task time is paint, messages and the browser's own.`),
      `* naive figures: mean cost of re-rendering ${naiveSamples} prefixes spread over the answer, times the deltas (naive) or the 60 Hz frames of the stream (naive/frame).`,
    ],
  );
  const pick = (f: RenderFigures) => ({
    answer: f.answer,
    answerBytes: f.answerBytes,
    deltas: f.deltas,
    incrementalMs: round(f.incrementalMs),
    naiveMs: round(f.naiveMs),
    naivePerFrameMs: round(f.naivePerFrameMs),
    finalRenderMs: round(f.finalRenderMs),
    p99FrameMs: round(f.p99FrameMs),
    busyPct: round(f.busyPct),
    busyGrossPct: round(f.busyGrossPct),
    plainBusyPct: round(f.plainBusyPct),
    plainWorkMs: round(f.plainWorkMs),
    messages: f.messages,
    streamMs: round(f.streamMs),
    usPerDelta: round(f.usPerDelta),
  });
  const at100 = out.find((f) => f.answer === 'prose' && Math.abs(f.answerBytes - 100_000) < 20_000) ?? out[0];
  updateResults((results) => (results.render = { ...pick(at100), bySize: out.map(pick) }));
  console.log(`  written to ${resultsPath} (render: the ~100 KB figures; render.bySize: every size)`);
  return out;
}

function label(f: RenderFigures): string {
  return `${num(f.answerBytes / 1000, 0)} KB${f.answer === 'code' ? ' code' : ''}`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * CODE_TUTOR_BENCH_PROFILE=1: where the stream's main-thread time goes, by function: self time, and total time (the
 * function and what it called; the style and layout a function forces count as its own time).
 */
function printProfile(p: CpuProfile): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (id: number): string => {
    const f = byId.get(id)?.callFrame;
    return f ? `${f.functionName || '(anonymous)'} ${f.url ? f.url.split('/').pop() : ''}:${f.lineNumber}`.trim() : '?';
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const key = keyOf(id);
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = keyOf(at);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  });
  const skip = new Set(['(idle)', '(program)', '(root)']);
  const top = [...inclusive.entries()].filter(([k]) => !skip.has(k.split(' ')[0])).sort((a, b) => b[1] - a[1]).slice(0, 30);
  printTable('Where the stream\'s time goes (CPU profile)', ['function', 'total ms', 'self ms', 'total %'], top.map(([k, ms]) => [k.slice(0, 90), num(ms, 0), num(self.get(k) ?? 0, 0), num((100 * ms) / total, 1)]), [
    `(program) ${num(self.get('(program)') ?? 0, 0)} ms, (idle) ${num(self.get('(idle)') ?? 0, 0)} ms of ${num(total, 0)} ms sampled`,
  ]);
}
