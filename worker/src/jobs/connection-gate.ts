/** How one job (a lane) may use the tick's connection slots. */
export interface LaneRule {
  /** Slots kept free for this lane while it is open, whatever the other lanes want. */
  reserve: number;
  /** Slots this lane may hold at once. */
  max: number;
}

/**
 * The tick's provider connections, handed out by lane (one lane per job). Cloudflare lets one
 * invocation have six outgoing connections waiting for their response at once and queues the rest
 * first come, first served; a provider call (a suspend, an exec running git) waits for its
 * response for as long as it runs. Left to that queue, an expired grant's revocation would wait
 * behind every hanging git command started before it. So the tick queues its calls itself:
 *
 * - at most `capacity` slots are held at once (the scheduled handler keeps it at 6 or fewer);
 * - a lane never holds more than its `max`;
 * - each open lane's `reserve` is kept free for it: another lane takes a slot only if the slots
 *   left after it still cover every other open lane's unused reserve;
 * - a freed slot goes to the first lane, in the order `rules` lists them, that has a waiter and
 *   may take it; first come, first served within a lane;
 * - `close(lane)` ends a lane (its job is done): its reserve lapses.
 *
 * The reserves must leave at least one slot over (checked), so that a lane with no reserve can
 * always make progress once the reserved lanes are idle.
 */
export class ConnectionGate<Lane extends string> {
  private readonly held = new Map<Lane, number>();
  private readonly open: Set<Lane>;
  private readonly waiting = new Map<Lane, (() => void)[]>();
  private readonly order: Lane[];

  constructor(
    private readonly capacity: number,
    private readonly rules: Record<Lane, LaneRule>,
  ) {
    this.order = Object.keys(rules) as Lane[];
    this.open = new Set(this.order);
    const reserved = this.order.reduce((sum, lane) => sum + rules[lane].reserve, 0);
    if (reserved >= capacity)
      throw new Error(`connection gate: ${reserved} reserved slots leave nothing of ${capacity}`);
  }

  /** Waits for a slot of `lane`; resolves with the function that gives it back (call it once). */
  acquire(lane: Lane): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.held.set(lane, this.heldBy(lane) - 1);
          this.pump();
        });
      };
      const queue = this.waiting.get(lane) ?? [];
      queue.push(grant);
      this.waiting.set(lane, queue);
      this.pump();
    });
  }

  close(lane: Lane): void {
    this.open.delete(lane);
    this.pump();
  }

  /** Slots held now, in all or by one lane. */
  inUse(lane?: Lane): number {
    if (lane !== undefined) return this.heldBy(lane);
    let total = 0;
    for (const n of this.held.values()) total += n;
    return total;
  }

  private heldBy(lane: Lane) {
    return this.held.get(lane) ?? 0;
  }

  private admits(lane: Lane): boolean {
    const free = this.capacity - this.inUse();
    if (free <= 0 || this.heldBy(lane) >= this.rules[lane].max) return false;
    let keptForOthers = 0;
    for (const other of this.open) {
      if (other !== lane) keptForOthers += Math.max(0, this.rules[other].reserve - this.heldBy(other));
    }
    return free - 1 >= keptForOthers;
  }

  private pump() {
    for (let granted = true; granted; ) {
      granted = false;
      for (const lane of this.order) {
        const queue = this.waiting.get(lane);
        if (!queue?.length || !this.admits(lane)) continue;
        this.held.set(lane, this.heldBy(lane) + 1);
        queue.shift()!();
        granted = true;
        break;
      }
    }
  }
}
