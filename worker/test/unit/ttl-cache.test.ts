import { expect, it } from "vitest";
import { TtlCache } from "../../src/domain/ttl-cache.ts";

it("expires entries at their TTL, caps its size, and deletes by predicate", () => {
  const cache = new TtlCache<{ id: string }>(1000, 2);
  cache.set("a", { id: "1" }, 0);
  expect(cache.get("a", 999)).toEqual({ id: "1" });
  expect(cache.get("a", 1000)).toBeUndefined();
  cache.set("a", { id: "1" }, 0);
  cache.set("b", { id: "2" }, 0);
  cache.set("c", { id: "3" }, 0);
  expect(cache.get("a", 1)).toBeUndefined();
  expect(cache.get("c", 1)).toEqual({ id: "3" });
  cache.deleteWhere((v) => v.id === "3");
  expect(cache.get("c", 1)).toBeUndefined();
  expect(cache.get("b", 1)).toEqual({ id: "2" });
});
