import { describe, expect, it } from "vitest";
import { workspaceActionValues, workspaceStatusValues } from "../src/enums.ts";
import {
  actionsInStatus,
  allowedActions,
  statusesAllowing,
  transitionFor,
  transitions,
} from "../src/status-table.ts";

describe("workspace state machine", () => {
  it("decides every status × action", () => {
    for (const status of workspaceStatusValues) {
      expect(Object.keys(transitions[status]).sort()).toEqual([...workspaceActionValues].sort());
    }
  });

  it.each([
    ["running", "pause", "paused"],
    ["running", "stop", "stopped"],
    ["paused", "resume", "running"],
    ["paused", "stop", "stopped"],
    ["stopped", "resume", "running"],
    ["error", "resume", "running"],
    ["error", "stop", "stopped"],
  ] as const)("%s --%s--> %s", (status, action, to) => {
    expect(transitionFor({ status, providerVmId: "vm" }, action)).toEqual({ to });
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
      expect(transitionFor({ status, providerVmId: null }, "delete")).toEqual({ to: "deleted" });
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

  it("lists what a status allows, for a client that cannot see the VM", () => {
    expect(actionsInStatus("provisioning")).toEqual(["delete"]);
    expect(actionsInStatus("running")).toEqual(["pause", "stop", "delete"]);
    expect(actionsInStatus("stopped")).toEqual(["resume", "delete"]);
  });
});
