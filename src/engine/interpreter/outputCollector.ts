/**
 * Turns what a running cell writes into CodeOutputs, for both local runtimes: stdout/stderr text is batched into
 * `logs` outputs (at most one per `flushMs`, in order with images and files), the learner sees at most
 * `visibleChars` of it, and the whole text (up to `keepChars`) is attached as an `output.txt` file when it was cut,
 * so it can still be saved and copied. The model gets a capped summary.
 */
import type { CodeOutput } from '../../shared/events';
import { format, type InterpreterMessages } from './interpreterMessages';

export interface OutputLimits {
  /** Characters of logs shown in the chat per cell. */
  readonly visibleChars: number;
  /** Characters of logs kept for the attached full output (the rest is only counted). */
  readonly keepChars: number;
  /** Characters of logs sent back to the model. */
  readonly summaryChars: number;
  readonly flushMs: number;
}

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = { visibleChars: 100_000, keepChars: 10_000_000, summaryChars: 8_000, flushMs: 40 };

export class OutputCollector {
  readonly outputs: CodeOutput[] = [];
  private pending = '';
  private shownChars = 0;
  private totalChars = 0;
  private readonly kept: string[] = [];
  private keptChars = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly onOutput: (output: CodeOutput) => void,
    private readonly messages: InterpreterMessages,
    private readonly limits: OutputLimits = DEFAULT_OUTPUT_LIMITS,
  ) {}

  /** Text from stdout or stderr, in the order it was written. */
  text(text: string): void {
    if (!text) return;
    this.totalChars += text.length;
    if (this.keptChars < this.limits.keepChars) {
      const part = text.slice(0, this.limits.keepChars - this.keptChars);
      this.kept.push(part);
      this.keptChars += part.length;
    }
    const room = this.limits.visibleChars - this.shownChars - this.pending.length;
    if (room <= 0) return;
    this.pending += text.length > room ? text.slice(0, room) : text;
    this.timer ??= setTimeout(() => this.flush(), this.limits.flushMs);
  }

  /** An image or file: whatever text came before it is sent first. */
  output(output: CodeOutput): void {
    this.flush();
    this.emit(output);
  }

  /** A note from the interpreter itself (timeout, restart …), shown as its own logs line. */
  note(text: string): void {
    this.flush();
    this.emit({ type: 'logs', text: text.endsWith('\n') ? text : text + '\n' });
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    this.shownChars += text.length;
    this.emit({ type: 'logs', text });
  }

  /** Ends the cell: flushes, and attaches the whole output when the view was cut. `extraChars` are counted but never seen. */
  finish(extraChars = 0): void {
    this.flush();
    const total = Math.max(this.totalChars, extraChars);
    if (total <= this.limits.visibleChars) return;
    const full = this.kept.join('');
    if (total > full.length) {
      this.note(format(this.messages.truncatedDropped, total, full.length));
    } else {
      this.note(format(this.messages.truncated, total, 'output.txt'));
    }
    const bytes = Buffer.from(full, 'utf8');
    this.emit({ type: 'file', name: 'output.txt', mime: 'text/plain', bytes: bytes.length, base64: bytes.toString('base64') });
  }

  /** The text for the model: head and tail of the logs when they are long. */
  summaryText(): string {
    const text = this.kept.join('');
    const max = this.limits.summaryChars;
    if (text.length <= max) return text;
    const half = Math.floor(max / 2);
    return `${text.slice(0, half)}\n… [${text.length - max} characters omitted] …\n${text.slice(text.length - half)}`;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit(output: CodeOutput): void {
    this.outputs.push(output);
    this.onOutput(output);
  }
}
