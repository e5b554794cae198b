import { describe, expect, it } from "vitest";
import { CoalescedLookups } from "../../src/services/coalesced-lookups.ts";

/** A cache and a lookup that fills it (or not) when its gate opens, counting its calls. */
function source(answer: string | null) {
  const cache = new Map<string, string>();
  let calls = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    cache,
    calls: () => calls,
    open,
    read: (key: string) => () => cache.get(key),
    lookup: (key: string) => async () => {
      calls++;
      await gate;
      if (answer !== null) cache.set(key, answer);
      return answer;
    },
  };
}

describe("coalesced lookups", () => {
  it("looks a key up once for many concurrent misses; the others take its answer from the cache", async () => {
    const lookups = new CoalescedLookups(60_000, 1);
    const s = source("caller");
    const all = Promise.all(Array.from({ length: 20 }, () => lookups.get("k", s.read("k"), s.lookup("k"))));
    await new Promise((r) => setTimeout(r, 5));
    s.open();
    expect(await all).toEqual(Array(20).fill("caller"));
    expect(s.calls()).toBe(1);
    // Cached now: no lookup at all.
    expect(await lookups.get("k", s.read("k"), s.lookup("k"))).toBe("caller");
    expect(s.calls()).toBe(1);
  });

  it("lets each waiter look up itself when the lookup found nothing to cache", async () => {
    const lookups = new CoalescedLookups(60_000, 1);
    const s = source(null);
    const all = Promise.all(Array.from({ length: 3 }, () => lookups.get("k", s.read("k"), s.lookup("k"))));
    s.open();
    expect(await all).toEqual([null, null, null]);
    expect(s.calls()).toBe(3);
  });

  it("stops waiting on a lookup that never answers (its request was cancelled) after maxWaitMs", async () => {
    const lookups = new CoalescedLookups(20, 1);
    const stuck = source("never");
    void lookups.get("k", stuck.read("k"), stuck.lookup("k"));
    const s = source("caller");
    s.open();
    expect(await lookups.get("k", s.read("k"), s.lookup("k"))).toBe("caller");
    expect(s.calls()).toBe(1);
  });

  it("never makes one key wait for another's lookup", async () => {
    const lookups = new CoalescedLookups(60_000, 1);
    const stuck = source("never");
    void lookups.get("a", stuck.read("a"), stuck.lookup("a"));
    const s = source("b's");
    s.open();
    expect(await lookups.get("b", s.read("b"), s.lookup("b"))).toBe("b's");
  });
});
