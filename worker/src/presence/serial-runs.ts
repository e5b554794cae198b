/**
 * Runs a task one run at a time, each run reading the state as it is when it starts: a call while
 * a run is under way gets a fresh run after it, and calls made before that fresh run starts share
 * it. The presence object writes through this way, so an older view of its state never lands in
 * Postgres after a newer one (and no change is diffed, and recorded, twice).
 */
export class SerialRuns {
  private last: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;

  constructor(private readonly task: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.last
      .catch(() => {}) // the run that failed reported it to its own callers
      .then(() => {
        this.queued = null;
        return this.task();
      });
    this.queued = next;
    this.last = next;
    return next;
  }
}
