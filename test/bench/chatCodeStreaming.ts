/**
 * Figures only (no assertions): the cost of streaming run_python code out of partial JSON arguments, per delta, as
 * the code grows. Run: node --import tsx test/bench/chatCodeStreaming.ts
 */
import { ChatMapper } from '../../src/engine/providers/chat/chatMapper';
for (const size of [2_000, 10_000, 50_000]) {
  const code = 'print("x" * 10)  # a line of code\n'.repeat(Math.ceil(size / 34)).slice(0, size);
  const args = JSON.stringify({ code });
  const m = new ChatMapper({ prefix: 'r0', codeTool: true });
  const t0 = performance.now();
  m.map({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'c', function: { name: 'run_python', arguments: '' } }] } }] });
  let n = 0;
  for (let i = 0; i < args.length; i += 4, n++) m.map({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + 4) } }] } }] });
  m.end();
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ codeChars: size, deltas: n, totalMs: Math.round(ms), perDeltaUs: Math.round((ms * 1000) / n) }));
}
