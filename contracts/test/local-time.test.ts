import { describe, expect, it } from "vitest";
import { localTimeFormat } from "../src/local-time.ts";

// Built from local date parts, so the expectations hold in whatever time zone the tests run.
const local = (day: number, hours: number, minutes: number) => new Date(2026, 2, day, hours, minutes);

describe("instants in the user's time zone", () => {
  const format = localTimeFormat(local(10, 17, 30));

  it("says only the time today, 24-hour", () => {
    expect(format(local(10, 18, 0))).toBe("18:00");
    expect(format(local(10, 0, 5))).toBe("00:05");
    expect(format(local(10, 23, 59))).toBe("23:59");
  });

  it("names tomorrow and yesterday, and gives the date further away", () => {
    expect(format(local(11, 9, 0))).toBe("tomorrow 09:00");
    expect(format(local(9, 23, 10))).toBe("yesterday 23:10");
    expect(format(local(12, 9, 0))).toBe("2026-03-12 09:00");
    expect(format(local(2, 7, 45))).toBe("2026-03-02 07:45");
  });
});
