/**
 * The hint guard's worst case (issue 6 hardening): one list item holding thousands of indented paragraphs, each of
 * which may start an indented code block, so each used to make the guard re-parse the whole item. Real code blocks
 * are mixed in (long ones to withhold, short ones to show), so the guard's decisions are checked, not only its time.
 * Used by the hint guard's unit test and its benchmark.
 */
export function hintGuardWorstCase(bytes: number): string {
  const parts = ['Here are the steps, one list item with many notes:\n\n- Step one: read the input.\n\n'];
  let size = parts[0].length;
  for (let i = 0; size < bytes; i++) {
    let p = `    Note ${i}: think about what the loop does with element ${i} before you change it.\n\n`;
    // Indented six columns inside the item (content column 2): a code block. Every 7th is long (withheld at 4 lines).
    if (i % 7 === 3) p += `${Array.from({ length: 6 }, (_, k) => `      step_${i}_${k} = compute(${k})\n`).join('')}\n`;
    else if (i % 7 === 5) p += `      short_${i} = 1\n      print(short_${i})\n\n`;
    parts.push(p);
    size += p.length;
  }
  parts.push('That is all.\n');
  return parts.join('');
}
