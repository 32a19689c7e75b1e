/**
 * What the terminal client prints, strictly in stream order, with room for the learner to answer in between: a
 * step may wait (a prediction being typed) while the run goes on streaming, and what arrives meanwhile is printed
 * after it, in order. Without a waiting step, text is written at once.
 */
type Step = string | (() => Promise<void>);

export class TerminalScreen {
  private atLineStart = true;
  private readonly queue: Step[] = [];
  private pumping: Promise<void> | undefined;

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  write(s: string): void {
    if (!s) return;
    this.atLineStart = s.endsWith('\n');
    if (this.pumping) this.queue.push(s);
    else this.out.write(s);
  }

  /** Start a new line unless at the start of one (of what will have been printed by then). */
  newline(): void {
    if (!this.atLineStart) this.write('\n');
  }

  /** A step that may wait; everything written after it is printed once it has finished. It prints whole lines through `print`. */
  step(run: (print: (s: string) => void) => Promise<void>): void {
    this.queue.push(() => run((s) => this.out.write(s)));
    this.atLineStart = true; // a step prints whole lines
    this.pumping ??= this.pump();
  }

  /** Resolves when everything written so far has been printed. */
  drained(): Promise<void> {
    return this.pumping ?? Promise.resolve();
  }

  private async pump(): Promise<void> {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      if (typeof next === 'string') this.out.write(next);
      else await next().catch(() => undefined);
    }
    this.pumping = undefined;
  }
}
