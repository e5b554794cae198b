import { workspaceStatusValues } from "@cw/db/schema";
import { describe, expect, it } from "vitest";
import {
  allowedActions,
  operationIsStale,
  statusesAllowing,
  transitionFor,
  transitions,
  workspaceActions,
} from "../../src/domain/state-machine.ts";

describe("workspace state machine", () => {
  it("decides every status × action", () => {
    for (const status of workspaceStatusValues) {
      expect(Object.keys(transitions[status]).sort()).toEqual([...workspaceActions].sort());
    }
  });

  it.each([
    ["running", "pause", "paused", "suspend"],
    ["running", "stop", "stopped", "stop"],
    ["paused", "resume", "running", "start"],
    ["paused", "stop", "stopped", "stop"],
    ["stopped", "resume", "running", "start"],
    ["error", "resume", "running", "start"],
    ["error", "stop", "stopped", "stop"],
  ] as const)("%s --%s--> %s via provider %s", (status, action, to, call) => {
    expect(transitionFor({ status, providerVmId: "vm" }, action)).toEqual({ to, call });
  });

  it.each([
    ["provisioning", "pause"],
    ["provisioning", "resume"],
    ["provisioning", "stop"],
    ["running", "resume"],
    ["paused", "pause"],
    ["stopped", "pause"],
    ["stopped", "stop"],
    ["error", "pause"],
  ] as const)("refuses %s --%s", (status, action) => {
    expect(transitionFor({ status, providerVmId: "vm" }, action)).toBeNull();
  });

  it("allows delete from every status", () => {
    for (const status of workspaceStatusValues) {
      expect(transitionFor({ status, providerVmId: null }, "delete")).toEqual({
        to: "deleted",
        call: "delete",
      });
    }
  });

  it("allows only delete without a VM", () => {
    expect(allowedActions({ status: "error", providerVmId: null })).toEqual(["delete"]);
    expect(allowedActions({ status: "error", providerVmId: "vm" })).toEqual(["resume", "stop", "delete"]);
  });

  it("lists the statuses an action may start from (the lock's guard)", () => {
    expect(statusesAllowing("pause")).toEqual(["running"]);
    expect(statusesAllowing("resume")).toEqual(["paused", "stopped", "error"]);
    expect(statusesAllowing("delete")).toEqual([...workspaceStatusValues]);
  });

  it("treats a lock as stale only past its window", () => {
    const now = new Date("2026-01-01T00:10:00Z");
    expect(operationIsStale(null, now, 60_000)).toBe(true);
    expect(operationIsStale(new Date("2026-01-01T00:09:00Z"), now, 60_000)).toBe(false);
    expect(operationIsStale(new Date("2026-01-01T00:08:59.999Z"), now, 60_000)).toBe(true);
  });
});
