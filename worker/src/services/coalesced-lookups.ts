/**
 * At most one lookup per key at a time in this isolate. A request that misses a key another request
 * is already looking up waits for that answer to reach the cache instead of asking Postgres too:
 * after a sync fan-out, every desktop of an organization asks again in the same few milliseconds,
 * often with one token, and each would otherwise take a connection of its own for the same row.
 *
 * Waiters poll the cache (`read`) rather than share the looking-up request's promise: workerd
 * cancels the continuations of a promise whose creating request ended. A lookup that has not
 * answered within `maxWaitMs` (its request was cancelled, or it found nothing to cache) no longer
 * holds anyone back: each waiter then looks up itself.
 */
export class CoalescedLookups {
  private readonly underWay = new Map<string, { since: number }>();

  constructor(
    private readonly maxWaitMs: number,
    private readonly pollMs: number,
  ) {}

  async get<V>(key: string, read: () => V | undefined, lookup: () => Promise<V>): Promise<V> {
    let hit = read();
    for (let other = this.underWay.get(key); hit === undefined && other; other = this.underWay.get(key)) {
      if (Date.now() - other.since >= this.maxWaitMs) break;
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
      hit = read();
    }
    if (hit !== undefined) return hit;
    const mine = { since: Date.now() };
    this.underWay.set(key, mine);
    try {
      return await lookup();
    } finally {
      if (this.underWay.get(key) === mine) this.underWay.delete(key);
    }
  }
}
