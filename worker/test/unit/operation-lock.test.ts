import { describe, expect, it } from "vitest";
import { operationIsStale } from "../../src/domain/operation-lock.ts";

describe("operation lock", () => {
  it("treats a lock as stale only past its window", () => {
    const now = new Date("2026-01-01T00:10:00Z");
    expect(operationIsStale(null, now, 60_000)).toBe(true);
    expect(operationIsStale(new Date("2026-01-01T00:09:00Z"), now, 60_000)).toBe(false);
    expect(operationIsStale(new Date("2026-01-01T00:08:59.999Z"), now, 60_000)).toBe(true);
  });
});
