/**
 * The learner's answers on the terminal client's standard input, one line at a time: predictions and quiz answers.
 * Works on a terminal and on a pipe alike (a line that arrives before it is asked for waits in a queue, where
 * readline's own question() would drop it). Made on first use; closed at the end so the process can exit.
 */
import { createInterface, type Interface } from 'node:readline';

export class TerminalInput {
  private rl: Interface | undefined;
  private readonly lines: string[] = [];
  private readonly waiting: Array<(line: string | null) => void> = [];
  private ended = false;

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly prompts: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Show the prompt and wait for the next line; null when the input has ended (or was never there). */
  next(prompt: string): Promise<string | null> {
    this.prompts.write(prompt);
    this.open();
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): void {
    this.rl?.close();
    this.finish();
  }

  private open(): void {
    if (this.rl || this.ended) return;
    this.rl = createInterface({ input: this.input, crlfDelay: Infinity, terminal: false });
    this.rl.on('line', (line) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    this.rl.on('close', () => this.finish());
  }

  private finish(): void {
    this.ended = true;
    for (const waiter of this.waiting.splice(0)) waiter(null);
  }
}
