/**
 * Benchmarks of the streaming core (`npm run bench`). They print figures and never assert a time: the machine
 * may be shared and noisy, so read the ratios between figures measured in the same run.
 *
 *   1. SSE decode, JSON.parse + map, reduce over real recordings (Responses and Assistants), 1 KiB and 1-byte feeds
 *   2. cost per event as the answer grows (deltas, then items), and heap growth
 *   3. the whole engine over HTTP against the fake server, both providers
 *   4. chats: host → webview messages per second (coalesced), opening a 200-turn chat, heap for 100 saved chats
 *   4b. the hint guard on its worst case (one list item, thousands of indented paragraphs) at 25 / 100 / 400 KB
 *   5. the webview renderer in Chromium, and stream-to-screen latency and load in one window in the real VS Code (`-- webview`, `-- vscode`)
 *   6. reliability: a connection dropped after every event k, per protocol (`-- reliability` runs only this)
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { benchChats } from './chats';
import { benchEndToEnd } from './endToEnd';
import { benchHintGuard } from './hintGuard';
import { benchFirstCell, benchInterpreter } from './interpreter';
import { findGc } from './measure';
import { benchPipeline } from './pipeline';
import { measureReliability, type ReliabilityFigures, writeReliability } from './reliability';
import { benchScaling } from './scaling';
import { num } from './table';
import { benchVsCodeLatency } from './vscodeLatency';
import { benchVsCodeLoad } from './vscodeLoad';
import { benchWebviewRender } from './webviewRender';

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  // `npm run bench -- webview`: only the webview rendering section.
  if (process.argv.slice(2).includes('webview')) {
    await benchWebviewRender();
    console.log(`\nbench took ${num((performance.now() - started) / 1000, 1)} s`);
    return;
  }
  // `npm run bench -- vscode`: only the figures measured in the real VS Code (latency, load in one window);
  // `npm run bench -- load`: only the load.
  if (process.argv.slice(2).includes('vscode') || process.argv.slice(2).includes('load')) {
    if (!process.argv.slice(2).includes('load')) await benchVsCodeLatency();
    await benchVsCodeLoad();
    console.log(`\nbench took ${num((performance.now() - started) / 1000, 1)} s`);
    return;
  }
  // `npm run bench -- reliability`: only the dropped-connection figures, one row per protocol.
  if (process.argv.slice(2).includes('reliability')) {
    const r = await measureReliability();
    writeReliability(r);
    printReliability(r);
    console.log(`\nbench took ${num((performance.now() - started) / 1000, 1)} s`);
    return;
  }
  const gc = findGc();
  console.log('Code Tutor streaming benchmarks');
  console.log(`date ${new Date().toISOString()}  node ${process.version} (V8 ${process.versions.v8})  ${process.platform}/${process.arch}`);
  console.log(`cpu ${cpus()[0]?.model ?? 'unknown'} x${availableParallelism()}  commit ${gitCommit()}  gc: ${gc?.how ?? 'not available'}`);
  console.log('Figures, not assertions: the machine may be shared; compare ratios from the same run.');

  const pipeline = benchPipeline();
  const scaling = await benchScaling(gc);
  const e2e = await benchEndToEnd(20);
  await benchChats(gc);
  const hint = benchHintGuard();
  await benchInterpreter();
  await benchFirstCell();
  const reliability = await measureReliability();
  writeReliability(reliability);

  console.log('\n== Summary (ratios from this run) ==');
  for (const p of pipeline) {
    const k = p.ms.allK;
    const sum = p.ms.decodeK + p.ms.map + p.ms.reduce;
    console.log(
      `${p.label}: all stages ${num(p.bytes / 1e6 / (k / 1000), 1)} MB/s at 1 KiB, ${num(p.bytes / 1e6 / (p.ms.all1 / 1000), 1)} MB/s at 1 byte` +
        ` (1-byte feed costs ${num(p.ms.all1 / k, 1)}x; decode alone ${num(p.ms.decode1 / p.ms.decodeK, 0)}x);` +
        ` stages timed apart (1 KiB): decode ${num((100 * p.ms.decodeK) / sum, 0)}%, parse+map ${num((100 * p.ms.map) / sum, 0)}%` +
        ` (parse alone ${num((100 * p.ms.parse) / sum, 0)}%), reduce ${num((100 * p.ms.reduce) / sum, 0)}%; together / sum of stages = ${num(k / sum, 2)}`,
    );
  }
  const [s0, s1, s2] = scaling.sizes;
  const perN = (n: number) => scaling.perEventByN.get(n) ?? NaN;
  console.log(
    `Reducer, long answer: ${num(perN(s0), 0)} / ${num(perN(s1), 0)} / ${num(perN(s2), 0)} ns per event at ${num(s0, 0)} / ${num(s1, 0)} / ${num(s2, 0)} deltas each;` +
      ` ${num(s2, 0)}/${num(s0, 0)} = ${num(perN(s2) / perN(s0), 2)}x median, ${num((scaling.bestByN.get(s2) ?? NaN) / (scaling.bestByN.get(s0) ?? NaN), 2)}x best pass (1.0 = O(1) per delta);` +
      ` of which GC ${num(scaling.gcByN.get(s0) ?? NaN, 0)} / ${num(scaling.gcByN.get(s1) ?? NaN, 0)} / ${num(scaling.gcByN.get(s2) ?? NaN, 0)} ns (mean);` +
      ` without GC ${num(s2, 0)}/${num(s0, 0)} = ${num((scaling.withoutGcByN.get(s2) ?? NaN) / (scaling.withoutGcByN.get(s0) ?? NaN), 2)}x;` +
      ` control (string append only) ${num(s2, 0)}/${num(s0, 0)} = ${num((scaling.controlByN.get(s2) ?? NaN) / (scaling.controlByN.get(s0) ?? NaN), 2)}x`,
  );
  const m0 = scaling.itemCounts[0];
  const items = scaling.perDeltaByItems;
  console.log(
    `Reducer, items: ns per delta with ${scaling.itemCounts.map((m) => num(m, 0)).join(' / ')} earlier items = ` +
      `${scaling.itemCounts.map((m) => num(items.get(m)?.reduce ?? NaN, 0)).join(' / ')} (reduce), ` +
      `${scaling.itemCounts.map((m) => num(items.get(m)?.runStream ?? NaN, 0)).join(' / ')} (RunStream);` +
      ` ${num(scaling.itemCounts[scaling.itemCounts.length - 1], 0)}/${m0}: ` +
      `${num((items.get(scaling.itemCounts[scaling.itemCounts.length - 1])?.reduce ?? NaN) / (items.get(m0)?.reduce ?? NaN), 1)}x reduce, ` +
      `${num((items.get(scaling.itemCounts[scaling.itemCounts.length - 1])?.runStream ?? NaN) / (items.get(m0)?.runStream ?? NaN), 1)}x RunStream`,
  );
  console.log(
    scaling.retainedPerEvent !== undefined
      ? `Heap: bytes retained per delta at ${num(s2, 0)} + ${num(s2, 0)} deltas of ~21 chars: ${num(scaling.retainedPerEvent, 0)} (transcript alone), ` +
          `${num(scaling.runStreamRetainedPerEvent ?? NaN, 0)} (finished RunStream with its event log)`
      : 'Heap: no gc, retained figure not reported',
  );
  const [h0, , h2] = hint.sizes;
  console.log(
    `Hint guard, worst case: ${hint.sizes.map((kb) => num(hint.ms.get(kb) ?? NaN, 0)).join(' / ')} ms at ${hint.sizes.join(' / ')} KB;` +
      ` ${h2}/${h0} KB = ${num((hint.ms.get(h2) ?? NaN) / (hint.ms.get(h0) ?? NaN), 1)}x time for ${num(h2 / h0, 0)}x the text`,
  );
  const inProcess = new Map(pipeline.map((p) => [p.label, p.ms.allK]));
  for (const r of e2e) {
    const base = r.label.startsWith('Responses') ? inProcess.get('Responses') : r.label.includes('fixture') ? inProcess.get('Assistants') : undefined;
    console.log(
      `${r.label}: ${num(r.runsPerSecond, 1)} runs/s, first text p50 ${num(r.medianFirstTextMs, 2)} ms, done p50 ${num(r.medianDoneMs, 2)} ms` +
        (base !== undefined ? `; done p50 / in-process pass of the same recording = ${num(r.medianDoneMs / base, 1)}x` : ''),
    );
  }
  await benchWebviewRender();
  await benchVsCodeLatency();
  await benchVsCodeLoad();
  printReliability(reliability);
  console.log(`\nbench took ${num((performance.now() - started) / 1000, 1)} s`);
}

function printReliability(r: ReliabilityFigures): void {
  for (const [name, s] of Object.entries(r.byProtocol)) {
    console.log(
      `Reliability, ${name}: ${s.events} events, ${s.tried} runs, ${s.recovered} recovered${s.resumed !== undefined ? ` (${s.resumed} by resuming the stream)` : ''}, ` +
        `${s.lost} characters lost, ${s.duplicated} duplicated`,
    );
  }
  console.log(
    `Reliability (connection dropped after every event k, and mid-event): ${r.runsTried} runs, ${r.runsRecovered} recovered, ` +
      `${r.charactersLost} characters lost, ${r.charactersDuplicated} duplicated (written to test/bench/results.json)`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
