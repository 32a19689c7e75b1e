/**
 * The typewriter's pacing, with no DOM and no clock of its own: the caller says what arrived when, and asks how
 * much to show at a given time. Pure, so its lag bound is tested on a simulated clock.
 *
 * Two rules:
 * - smooth: reveal at least `charsPerSecond`, and faster in proportion to the backlog (it drains in ~`catchUpMs`);
 * - hard bound: anything that arrived `maxLagMs` ago or earlier is shown, whatever the frame rate was.
 */
export interface TypewriterOptions {
  /** Calm typing speed when little is waiting. */
  readonly charsPerSecond: number;
  /** Time constant of the catch-up: the backlog shrinks by ~63 % in this time. */
  readonly catchUpMs: number;
  /** Nothing stays hidden longer than this after it arrived. */
  readonly maxLagMs: number;
}

export const defaultTypewriterOptions: TypewriterOptions = { charsPerSecond: 90, catchUpMs: 90, maxLagMs: 250 };

export class Typewriter {
  private shownF = 0;
  private target = 0;
  private lastTick: number | undefined;
  /** Arrivals not yet past the hard bound, oldest first: (length reached, when). */
  private readonly arrivals: Array<{ readonly len: number; readonly at: number }> = [];
  private head = 0;

  constructor(
    initiallyShown = 0,
    private readonly options: TypewriterOptions = defaultTypewriterOptions,
  ) {
    this.shownF = initiallyShown;
    this.target = initiallyShown;
  }

  /** The text now has `length` characters (it arrived at `now`). A shorter length restarts from there. */
  push(length: number, now: number): void {
    if (length < this.target) {
      this.target = length;
      this.shownF = Math.min(this.shownF, length);
      this.arrivals.length = 0;
      this.head = 0;
      return;
    }
    if (length === this.target) return;
    this.target = length;
    this.arrivals.push({ len: length, at: now });
  }

  /** How many characters to show at `now`. Call once per frame. */
  tick(now: number): number {
    const dt = this.lastTick === undefined ? 0 : Math.max(0, now - this.lastTick) / 1000;
    this.lastTick = now;
    const backlog = this.target - this.shownF;
    if (backlog > 0) {
      const rate = Math.max(this.options.charsPerSecond, backlog / (this.options.catchUpMs / 1000));
      this.shownF = Math.min(this.target, this.shownF + rate * dt);
    }
    // The hard bound: what arrived maxLagMs ago must be visible now.
    const due = now - this.options.maxLagMs;
    while (this.head < this.arrivals.length && this.arrivals[this.head].at <= due) {
      this.shownF = Math.max(this.shownF, this.arrivals[this.head].len);
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.arrivals.length) {
      this.arrivals.splice(0, this.head);
      this.head = 0;
    }
    return this.shown;
  }

  /** Show everything now (typewriter off, run finished). */
  finish(): void {
    this.shownF = this.target;
    this.arrivals.length = 0;
    this.head = 0;
  }

  get shown(): number {
    return Math.floor(this.shownF);
  }

  get caughtUp(): boolean {
    return this.shown >= this.target;
  }
}

/** Never cut a UTF-16 surrogate pair in half. */
export function safeCut(text: string, n: number): number {
  if (n <= 0 || n >= text.length) return Math.max(0, Math.min(n, text.length));
  const c = text.charCodeAt(n - 1);
  return c >= 0xd800 && c <= 0xdbff ? n - 1 : n;
}
