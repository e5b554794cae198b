import { describe, expect, it } from "vitest";
import type { LogPosition } from "../../src/domain/log-position.ts";
import { Feed } from "../../src/hub/feed.ts";

const at = (txid: number, seq = 0): LogPosition => ({ txid: BigInt(txid), seq: BigInt(seq) });
const item = (txid: number, seq: number, id = `${txid}.${seq}`) => ({ position: at(txid, seq), id });
const ids = (items: readonly { id: string }[]) => items.map((i) => i.id);

describe("the hub's feed of a change log", () => {
  it("knows nothing until its first read, then covers exactly what that read covered", () => {
    const feed = new Feed<ReturnType<typeof item>>(100);
    expect(feed.coverage(at(5))).toBe("below");
    expect(feed.known).toBeNull();
    feed.apply({ after: at(10), upTo: at(20), items: [item(12, 3), item(15, 4)], complete: true });
    expect(feed.coverage(at(9))).toBe("below");
    expect(feed.coverage(at(10))).toBe("covered");
    expect(feed.coverage(at(20))).toBe("covered");
    expect(feed.coverage(at(20, 1))).toBe("above");
    expect(ids(feed.after(at(10), 10))).toEqual(["12.3", "15.4"]);
    expect(ids(feed.after(at(12, 3), 10))).toEqual(["15.4"]);
    expect(ids(feed.after(at(15, 4), 10))).toEqual([]);
  });

  it("grows its head with each refresh and its floor with each older position checked", () => {
    const feed = new Feed<ReturnType<typeof item>>(100);
    feed.apply({ after: at(10), upTo: at(20), items: [item(12, 1)], complete: true });
    // A refresh after the head.
    expect(ids(feed.apply({ after: at(20), upTo: at(30), items: [item(25, 2)], complete: true }))).toEqual([
      "25.2",
    ]);
    expect(feed.known).toEqual(at(30));
    // An idle client's old offset, checked once: nothing in between, yet now covered.
    feed.apply({ after: at(3), upTo: at(31), items: [item(12, 1), item(25, 2)], complete: true });
    expect(feed.coverage(at(3))).toBe("covered");
    expect(ids(feed.after(at(3), 10))).toEqual(["12.1", "25.2"]);
    expect(feed.known).toEqual(at(31));
  });

  it("covers only up to the last item of a read that hit its limit", () => {
    const feed = new Feed<ReturnType<typeof item>>(100);
    feed.apply({ after: at(10), upTo: at(50), items: [item(11, 1), item(12, 2)], complete: false });
    expect(feed.known).toEqual(at(12, 2));
    expect(feed.coverage(at(13))).toBe("above");
  });

  it("ignores a truncated read that ends below what it holds (no hole in the coverage)", () => {
    const feed = new Feed<ReturnType<typeof item>>(100);
    feed.apply({ after: at(100), upTo: at(120), items: [], complete: true });
    const added = feed.apply({
      after: at(1),
      upTo: at(120),
      items: [item(2, 1), item(3, 1)],
      complete: false,
    });
    expect(added).toEqual([]);
    expect(feed.coverage(at(1))).toBe("below");
    expect(feed.coverage(at(100))).toBe("covered");
  });

  it("keeps at most its capacity, raising its floor past what it dropped", () => {
    const feed = new Feed<ReturnType<typeof item>>(2);
    feed.apply({
      after: at(10),
      upTo: at(40),
      items: [item(11, 1), item(12, 2), item(13, 3)],
      complete: true,
    });
    expect(ids(feed.held())).toEqual(["12.2", "13.3"]);
    expect(feed.coverage(at(11))).toBe("below");
    expect(feed.coverage(at(11, 1))).toBe("covered");
    expect(ids(feed.after(at(11, 1), 10))).toEqual(["12.2", "13.3"]);
  });

  it("filters and limits what it answers, and never repeats an item a second read brings", () => {
    const feed = new Feed<ReturnType<typeof item>>(100);
    feed.apply({ after: at(10), upTo: at(20), items: [item(11, 1, "a"), item(12, 2, "b")], complete: true });
    feed.apply({
      after: at(10),
      upTo: at(21),
      items: [item(11, 1, "a"), item(12, 2, "b"), item(20, 3, "a")],
      complete: true,
    });
    expect(ids(feed.after(at(10), 10))).toEqual(["a", "b", "a"]);
    expect(ids(feed.after(at(10), 10, (i) => i.id === "a"))).toEqual(["a", "a"]);
    expect(ids(feed.after(at(10), 1))).toEqual(["a"]);
  });
});
