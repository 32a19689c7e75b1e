/**
 * Saves a chat while it streams without writing on every delta: a change schedules one save within `intervalMs`
 * (so a streaming chat is on disk at least once a second), and `now()` saves at once (a run's end). Saves never
 * overlap: a change during a save is written by the next one.
 */
export class SaveThrottle {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> | undefined;
  private again = false;
  private disposed = false;

  constructor(
    private readonly save: () => Promise<void>,
    private readonly intervalMs = 1000,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** Something changed: save within the interval. */
  changed(): void {
    if (this.disposed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.intervalMs);
  }

  /** Save now (and cancel the scheduled save). Resolves when what is current now is on disk. */
  now(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.run();
  }

  private async run(): Promise<void> {
    if (this.saving) {
      this.again = true;
      await this.saving;
      if (this.again) return this.run();
      return;
    }
    this.again = false;
    this.saving = this.save().catch(this.onError);
    try {
      await this.saving;
    } finally {
      this.saving = undefined;
    }
  }

  /** Stop scheduling; a save already scheduled is written now. */
  async dispose(): Promise<void> {
    const pending = this.timer !== undefined;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (pending) await this.run();
    else if (this.saving) await this.saving;
  }
}
