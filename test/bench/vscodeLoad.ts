/**
 * Load in one VS Code window (issue 9): code-server with the packaged extension, the sidebar chat, and the fake
 * server. In one window, one after another: a saved chat of 500 turns opened from the history, an answer whose
 * interpreter log is 10 MB, one whose text arrives as a single 1 MB SSE line, one with a 10 MB image, then 10 chats
 * streaming at once. Sampled throughout: the extension host's resident memory (/proc), the webview's JS heap, and
 * the webview's frame intervals (a requestAnimationFrame loop: a long interval is a frame the UI could not draw).
 * Figures, not assertions — but every answer must arrive whole, or the bench fails.
 * Written under "reliability.load" in test/bench/results.json. Needs dist/code-tutor.vsix (`npm run package`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { ChatStore } from '../../src/chat/chatStore';
import type { VsCode } from '../e2e/harness';
import { ask, chatsDir, openSidebar, waitForTurn, withTutor } from '../e2e/support';
import { encodePng } from '../fake/png';
import { ResponseBuilder } from '../fake/responsesScenarios';
import type { FakeServer } from '../fake/server';
import { savedChat } from './chats';
import { percentile } from './measure';
import { updateResults } from './results';
import { num, printTable } from './table';

const MB = 1024 * 1024;

export interface LoadFigures {
  /** Click in the history → the newest turn's answer drawn (what the reader sees first). */
  readonly open500FirstMs: number;
  /** Click → all 500 answers drawn. */
  readonly open500TurnsMs: number;
  readonly phases: Readonly<Record<string, number>>;
  readonly chatsAtOnce: number;
  readonly chatsComplete: number;
  readonly charactersLost: number;
  readonly extensionHostRssMb: { readonly before: number; readonly peak: number };
  readonly webviewHeapMb: { readonly before: number; readonly peak: number };
  readonly frames: FrameStats;
  /** The same, phase by phase. */
  readonly framesByPhase: Readonly<Record<string, FrameStats>>;
}

interface FrameStats {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly over50Ms: number;
}

function frameStats(frames: readonly number[]): FrameStats {
  if (frames.length === 0) return { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, over50Ms: 0 };
  return { count: frames.length, p50Ms: percentile(frames, 50), p99Ms: percentile(frames, 99), maxMs: Math.max(...frames), over50Ms: frames.filter((f) => f > 50).length };
}

/** The extension host of this VS Code (its HOME is the run's home dir), by resident memory in MB. */
function extensionHostRssMb(runDir: string): number | undefined {
  const home = `HOME=${join(runDir, 'home')}\0`;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('extensionHost')) continue;
      if (!`${readFileSync(`/proc/${pid}/environ`, 'utf8')}\0`.includes(home)) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) return Number(rss[1]) / 1024;
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

/** Prose of about `bytes` bytes in paragraphs: realistic for the renderer, JSON-safe. */
function prose(bytes: number, tag: string): string {
  const sentence = `The ${tag} answer keeps going so the renderer has real paragraphs to lay out. `;
  const paragraph = sentence.repeat(8).trim();
  const out: string[] = [];
  let size = 0;
  while (size < bytes) {
    out.push(paragraph);
    size += paragraph.length + 2;
  }
  return out.join('\n\n');
}

function script(server: FakeServer, plan: { events: readonly { event?: string; data: string }[] }, delayMs = 0, replace?: [string, string]): void {
  server.script({
    events: plan.events.map((e) => ({ event: e.event, data: JSON.parse(replace ? e.data.split(replace[0]).join(replace[1]) : e.data) as unknown })),
    delayMs,
    kind: 'responses',
  });
}

async function newChat(vs: VsCode): Promise<Frame> {
  await vs.runCommand('Code Tutor: New Chat');
  const frame = await vs.webviewFrame('#code-tutor-root textarea#question', { view: true });
  await frame.waitForFunction(() => document.querySelectorAll('.turn').length === 0, undefined, { timeout: 30_000 });
  return frame;
}

async function measureLoad(): Promise<LoadFigures> {
  let figures: LoadFigures | undefined;
  await withTutor({ name: 'bench-load', settings: { 'codeTutor.typewriter': false }, timeoutMs: 60_000 }, async (vs, server) => {
    await openSidebar(vs);
    // A saved chat of 500 turns, written by the product's own store where the extension keeps its chats.
    const dir = chatsDir(vs);
    mkdirSync(dir, { recursive: true });
    const store = new ChatStore(dir);
    await store.save({ ...savedChat('chat_load500', 500), title: 'Load: 500 turns' });
    await vs.runCommand('Developer: Reload Window');

    let chat = await vs.webviewFrame('#code-tutor-root textarea#question', { view: true, timeoutMs: 90_000 });
    const rss: number[] = [];
    const heap: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const r = extensionHostRssMb(vs.runDir);
        if (r !== undefined) rss.push(r);
        const h = await chat.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0).catch(() => 0);
        if (h) heap.push(h / MB);
        await new Promise((res) => setTimeout(res, 500));
      }
    })();
    // A script string: tsx would wrap a named inner function of an evaluated closure in a helper the page lacks.
    const startFrames = (f: Frame) =>
      f.evaluate(`(() => {
        if (window.__frames) return;
        const frames = (window.__frames = []);
        let last = performance.now();
        function tick(now) {
          frames.push(now - last);
          last = now;
          requestAnimationFrame(tick);
        }
        requestAnimationFrame(tick);
      })()`);
    await startFrames(chat);
    await new Promise((res) => setTimeout(res, 1500));
    const before = { rss: rss.at(-1) ?? 0, heap: heap.at(-1) ?? 0 };
    const phases: Record<string, number> = {};
    // Where each phase's frames start in the webview's list (the frame loop runs in the one sidebar webview).
    const frameMarks: Array<[string, number]> = [];
    const mark = async (name: string) => frameMarks.push([name, await chat.evaluate(() => (window as unknown as { __frames: number[] }).__frames.length)]);
    const timed = async (name: string, body: () => Promise<void>) => {
      await mark(name);
      const t0 = performance.now();
      await body();
      phases[name] = performance.now() - t0;
    };

    // 1. The 500-turn chat, from the history list.
    let open500 = 0;
    let open500First = 0;
    await timed('open 500-turn chat', async () => {
      const row = vs.page.locator('.pane .monaco-list-row', { has: vs.page.locator('.label-name', { hasText: 'Load: 500 turns' }) }).first();
      await row.waitFor({ state: 'visible', timeout: 60_000 });
      const t0 = performance.now();
      await row.click();
      // The newest turn's answer drawn (older turns may still be arriving, a page at a time), then all 500.
      await chat.waitForFunction(() => document.querySelector('.turn[data-turn-id="turn_499"].latest .md-text') !== null, undefined, { timeout: 120_000, polling: 'raf' });
      open500First = performance.now() - t0;
      await chat.waitForFunction(() => document.querySelectorAll('.turn').length === 500 && Array.from(document.querySelectorAll('.turn')).every((t) => t.querySelector('.md-text')), undefined, { timeout: 120_000, polling: 50 });
      open500 = performance.now() - t0;
    });

    // 2. A 10 MB interpreter log.
    const bigLog = `${'0123456789'.repeat(7)}ok\n`.repeat(Math.ceil((10 * MB) / 73)).slice(0, 10 * MB);
    await timed('10 MB interpreter log', async () => {
      chat = await newChat(vs);
      script(server, new ResponseBuilder({ model: 'gpt-4.1' }).start().message('Here is a long log.').codeInterpreter('for i in range(10**5): print(i)', [{ type: 'logs', logs: bigLog }]).message('That was long.').complete());
      await ask(chat, 'Print a lot');
      await waitForTurn(chat, 1, 'completed', 180_000);
    });

    // 3. One SSE line of 1 MB (the whole answer in one delta).
    const bigText = prose(1 * MB, 'one-line');
    await timed('1 MB single SSE line', async () => {
      chat = await newChat(vs);
      script(server, new ResponseBuilder({ model: 'gpt-4.1' }).start().message('Qbigline').complete(), 0, ['Qbigline', JSON.stringify(bigText).slice(1, -1)]);
      await ask(chat, 'One huge line');
      await waitForTurn(chat, 1, 'completed', 180_000);
    });

    // 4. A 10 MB image (random pixels: PNG cannot compress them).
    const side = Math.ceil(Math.sqrt((10 * MB) / 3));
    const png = encodePng(side, side, randomBytes(side * side * 3));
    await timed('10 MB image', async () => {
      chat = await newChat(vs);
      script(server, new ResponseBuilder({ model: 'gpt-4.1' }).start().codeInterpreter('plt.show()', [{ type: 'image', url: `data:image/png;base64,${png.toString('base64')}` }]).message('A big plot.').complete());
      await ask(chat, 'A big picture');
      await waitForTurn(chat, 1, 'completed', 180_000);
      await chat.waitForFunction(() => Array.from(document.querySelectorAll('img.output-image')).some((i) => (i as HTMLImageElement).naturalWidth > 1000), undefined, { timeout: 60_000 });
    });

    // 5. Ten chats streaming at once (each a 30 s answer, started one after another).
    const texts = Array.from({ length: 10 }, (_, i) => prose(8 * 1024, `parallel-${i}`));
    await timed('10 chats at once', async () => {
      for (let i = 0; i < 10; i++) {
        chat = await newChat(vs);
        const plan = new ResponseBuilder({ model: 'gpt-4.1' }).start().message(texts[i]!).complete();
        script(server, plan, Math.round(30_000 / plan.events.length));
        await ask(chat, `Parallel question ${i}`);
        await chat.waitForFunction(() => document.querySelectorAll('.turn').length === 1, undefined, { timeout: 30_000 });
      }
      await waitForTurn(chat, 1, 'completed', 180_000);
      const deadline = Date.now() + 180_000;
      while (server.requests.filter((r) => r.path.endsWith('/responses') && r.method === 'POST' && r.finished).length < 13 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 500));
    });
    await startFrames(chat);
    sampling = false;
    await sampler;
    const frames = await chat.evaluate(() => (window as unknown as { __frames: number[] }).__frames);
    const framesByPhase: Record<string, FrameStats> = {};
    frameMarks.forEach(([name, start], i) => (framesByPhase[name] = frameStats(frames.slice(start, frameMarks[i + 1]?.[1] ?? frames.length))));

    // Every parallel answer arrived whole: read the stored chats (saved while streaming and at each run end).
    await new Promise((res) => setTimeout(res, 2000));
    let complete = 0;
    let lost = 0;
    for (const s of (await store.list()).summaries) {
      const loaded = await store.load(s.id);
      if ('problem' in loaded) continue;
      const turn = loaded.record.turns[0];
      const m = /^Parallel question (\d)$/.exec(turn?.question.text ?? '');
      if (!m || !turn) continue;
      const shown = turn.run.items.map((i) => (i.type === 'text' ? i.text : '')).join('');
      if (turn.run.status === 'completed' && shown === texts[Number(m[1])]) complete++;
      else lost += Math.max(0, texts[Number(m[1])]!.length - shown.length);
    }
    figures = {
      open500FirstMs: open500First,
      open500TurnsMs: open500,
      phases,
      chatsAtOnce: 10,
      chatsComplete: complete,
      charactersLost: lost,
      extensionHostRssMb: { before: before.rss, peak: Math.max(...rss) },
      webviewHeapMb: { before: before.heap, peak: Math.max(0, ...heap) },
      frames: frameStats(frames),
      framesByPhase,
    };
    await vs.screenshot('bench-load-end');
  });
  if (!figures) throw new Error('no figures');
  return figures;
}

export async function benchVsCodeLoad(): Promise<LoadFigures | undefined> {
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'code-tutor.vsix'))) {
    console.log('\n(load in one VS Code window skipped: run `npm run package` first)');
    return undefined;
  }
  const f = await measureLoad();
  printTable(
    'Load in one VS Code window (500-turn chat, 10 MB log, 1 MB SSE line, 10 MB image, 10 chats at once)',
    ['what', 'figure'],
    [
      ['open the 500-turn chat: click → newest answer drawn / all 500 drawn', `${num(f.open500FirstMs, 0)} / ${num(f.open500TurnsMs, 0)} ms`],
      ...Object.entries(f.phases).map(([k, v]) => {
        const fr = f.framesByPhase[k];
        return [`phase: ${k}`, `${num(v / 1000, 1)} s; frames p99 ${num(fr?.p99Ms ?? 0, 0)} ms, max ${num(fr?.maxMs ?? 0, 0)} ms, ${fr?.over50Ms ?? 0} over 50 ms`];
      }),
      ['parallel chats complete / started', `${f.chatsComplete} / ${f.chatsAtOnce} (${f.charactersLost} characters lost)`],
      ['extension host RSS before → peak', `${num(f.extensionHostRssMb.before, 0)} → ${num(f.extensionHostRssMb.peak, 0)} MB`],
      ['renderer JS heap (workbench + webviews) before → peak', `${num(f.webviewHeapMb.before, 0)} → ${num(f.webviewHeapMb.peak, 0)} MB`],
      ['webview frame interval p50 / p99 / max', `${num(f.frames.p50Ms, 1)} / ${num(f.frames.p99Ms, 1)} / ${num(f.frames.maxMs, 0)} ms`],
      ['frames longer than 50 ms', `${f.frames.over50Ms} of ${f.frames.count}`],
    ],
    [
      '* frame intervals from a requestAnimationFrame loop in the chat webview for the whole load; 16.7 ms is a smooth 60 Hz frame.',
      '* JS heap: performance.memory in the webview, which shares its renderer with the workbench here.',
    ],
  );
  if (f.chatsComplete !== f.chatsAtOnce) throw new Error(`only ${f.chatsComplete} of ${f.chatsAtOnce} parallel chats arrived whole`);
  const r = (x: number) => Math.round(x * 10) / 10;
  const load = {
    open500FirstMs: Math.round(f.open500FirstMs),
    open500TurnsMs: Math.round(f.open500TurnsMs),
    chatsAtOnce: f.chatsAtOnce,
    chatsComplete: f.chatsComplete,
    charactersLost: f.charactersLost,
    peakExtensionHostMb: r(f.extensionHostRssMb.peak),
    peakRendererHeapMb: r(f.webviewHeapMb.peak),
    frameP50Ms: r(f.frames.p50Ms),
    frameP99Ms: r(f.frames.p99Ms),
    framesOver50Ms: f.frames.over50Ms,
  };
  updateResults((results) => (results.reliability = { ...(results.reliability as object | undefined), load }));
  return f;
}
