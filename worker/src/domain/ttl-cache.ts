/**
 * A small map whose entries expire after `ttlMs` (checked against the `now` each call passes in)
 * and which never holds more than `max` entries (the oldest go first).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  get(key: string, now: number): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V, now: number) {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  deleteWhere(predicate: (value: V) => boolean) {
    for (const [key, { value }] of this.entries) if (predicate(value)) this.entries.delete(key);
  }
}
