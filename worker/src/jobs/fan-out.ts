/**
 * A cron job's share of the tick: until when it may start work, its clock (injected, so the rule
 * is tested without waiting), how many items it runs at once, and where it gets a connection slot
 * for each (the tick's ConnectionGate lane of the job).
 */
export interface JobBudget {
  /** No item starts at or after this instant, in `clock`'s milliseconds. */
  deadline: number;
  clock: () => number;
  concurrency: number;
  /** Waits for a connection slot; resolves with its release. */
  slot: () => Promise<() => void>;
}

export interface FanOutResult<T> {
  /** Items whose work finished (successfully or with an error it handled itself). */
  done: number;
  /** Items whose work threw. */
  failed: number;
  /** Items never started because the budget ran out: they stay first in line for the next tick. */
  left: number;
  /** Those items, in their order. */
  unstarted: T[];
}

/** Outside the tick (a test, a one-off call): no deadline, one at a time, no gate. */
export const unbudgeted = (): JobBudget => ({
  deadline: Number.POSITIVE_INFINITY,
  clock: Date.now,
  concurrency: 1,
  slot: async () => () => {},
});

/** Time left before the budget's deadline (0 once it has passed). */
export const remainingMs = (budget: JobBudget) => Math.max(0, budget.deadline - budget.clock());

/**
 * Runs `work` over `items` in their order with at most `budget.concurrency` at once, each holding
 * a slot from `budget.slot` while it runs, and at most `perKey` at once for one `keyOf` (one
 * organization's slow VMs then hold at most that many slots, whatever its share of the items).
 * The next item is the first one whose key has room, so order is kept wherever keys allow.
 * Once the deadline has passed nothing more starts; what is running is awaited (it holds the
 * workspace lock and must release it) and the rest is counted as `left`. One item's failure never
 * stops the others.
 */
export async function fanOut<T>(
  items: readonly T[],
  work: (item: T) => Promise<unknown>,
  budget: JobBudget,
  opts: { keyOf?: (item: T) => string; perKey?: number } = {},
): Promise<FanOutResult<T>> {
  const pending = [...items];
  const perKey = opts.perKey ?? Number.POSITIVE_INFINITY;
  const runningByKey = new Map<string, number>();
  const keyRunning = (item: T) => (opts.keyOf ? (runningByKey.get(opts.keyOf(item)) ?? 0) : 0);
  const nextIndex = () => pending.findIndex((item) => keyRunning(item) < perKey);
  let running = 0;
  let done = 0;
  let failed = 0;
  // Resolved whenever a running item finishes, so the loop can look again.
  let wake = () => {};
  let finished = new Promise<void>((r) => (wake = r));
  const settle = () => {
    const w = wake;
    finished = new Promise<void>((r) => (wake = r));
    w();
  };

  while (pending.length > 0 && budget.clock() < budget.deadline) {
    if (running >= budget.concurrency || nextIndex() < 0) {
      await finished;
      continue;
    }
    const release = await budget.slot();
    // While waiting for the slot, time passed and earlier keys may have freed up.
    const index = nextIndex();
    if (budget.clock() >= budget.deadline || index < 0) {
      release();
      continue;
    }
    const [item] = pending.splice(index, 1) as [T];
    const key = opts.keyOf?.(item);
    if (key !== undefined) runningByKey.set(key, (runningByKey.get(key) ?? 0) + 1);
    running++;
    void (async () => {
      try {
        await work(item);
        done++;
      } catch {
        failed++;
      } finally {
        release();
        if (key !== undefined) runningByKey.set(key, runningByKey.get(key)! - 1);
        running--;
        settle();
      }
    })();
  }
  while (running > 0) await finished;
  return { done, failed, left: pending.length, unstarted: pending };
}

/** One provider call outside `fanOut` (a listing), under a slot of the job's lane. */
export async function withSlot<R>(budget: JobBudget, call: () => Promise<R>): Promise<R> {
  const release = await budget.slot();
  try {
    return await call();
  } finally {
    release();
  }
}
