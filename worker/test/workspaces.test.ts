import { beforeAll, describe, expect, inject, it } from "vitest";
import { sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, settled, setupOrg } from "./support/org.ts";
import { vmHost } from "./support/vm-host.ts";

let bindings: Record<string, string>;
let a: Org;
let b: Org;

beforeAll(async () => {
  bindings = sharedDatabase().env;
  a = await setupOrg(bindings, "a");
  b = await setupOrg(bindings, "b");
});

describe("create", () => {
  it("answers 202 provisioning at once, then provisions a real VM on the branch", async () => {
    const res = await a.api(
      "POST",
      "/v1/workspaces",
      { repositoryId: a.repositoryId, name: "first", branch: "feature" },
      { waitForBackground: false },
    );
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: "provisioning",
      name: "first",
      branch: "feature",
      providerType: "freestyle",
      autoStopMinutes: 30,
      operation: "create",
      allowedActions: [],
    });

    const ws = await createRunning(a, "second");
    expect(ws).toMatchObject({ status: "running", statusMessage: null, operation: null });
    expect(ws.providerVmId).toMatch(/^[a-z0-9]{20}$/);
    expect(ws.allowedActions).toEqual(["pause", "stop", "delete"]);
    const head = await vmHost.exec(ws.providerVmId, "git rev-parse HEAD");
    expect(head.stdout.trim()).toBe(inject("gitRepo").featureHead);
  });

  it("refuses the fly provider with 422 naming providerType", async () => {
    const res = await a.api("POST", "/v1/workspaces", {
      repositoryId: a.repositoryId,
      name: "fly",
      branch: "main",
      providerType: "fly",
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { field: "providerType", message: expect.stringContaining("not available") },
    ]);
  });

  it("refuses another organization's repository without creating anything", async () => {
    const before = await b.api("GET", "/v1/workspaces");
    const res = await b.api("POST", "/v1/workspaces", {
      repositoryId: a.repositoryId,
      name: "x",
      branch: "main",
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe("repositoryId");
    expect((await b.api("GET", "/v1/workspaces")).body.items).toHaveLength(before.body.items.length);
  });

  it.each([
    [{ name: "x", branch: "main" }, "body.repositoryId"],
    [{ repositoryId: "not-a-uuid", name: "x", branch: "main" }, "body.repositoryId"],
    [{ repositoryId: "00000000-0000-4000-8000-000000000000", name: "", branch: "main" }, "body.name"],
    [{ repositoryId: "00000000-0000-4000-8000-000000000000", name: "x", branch: "has space" }, "body.branch"],
    [
      { repositoryId: "00000000-0000-4000-8000-000000000000", name: "x", branch: "m", autoStopMinutes: -1 },
      "body.autoStopMinutes",
    ],
    [
      { repositoryId: "00000000-0000-4000-8000-000000000000", name: "x", branch: "m", providerType: "aws" },
      "body.providerType",
    ],
    [
      { repositoryId: "00000000-0000-4000-8000-000000000000", name: "x", branch: "m", extra: 1 },
      "body.extra",
    ],
  ])("validates %j → 400 naming %s", async (body, field) => {
    const res = await a.api("POST", "/v1/workspaces", body);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});

describe("idempotent create", () => {
  it("returns the same workspace for the same key and body, with one VM", async () => {
    await vmHost.clearCalls();
    const body = { repositoryId: a.repositoryId, name: "idem", branch: "main" };
    const headers = { "idempotency-key": "key-1" };
    const [one, two] = await Promise.all([
      a.api("POST", "/v1/workspaces", body, { headers }),
      a.api(
        "POST",
        "/v1/workspaces",
        { branch: "main", name: "idem", repositoryId: a.repositoryId },
        { headers },
      ),
    ]);
    expect(one.status).toBe(202);
    expect(two.status).toBe(202);
    expect(two.body.id).toBe(one.body.id);
    expect((await settled(a, one.body.id)).status).toBe("running");
    const creates = (await vmHost.calls()).filter((c) => c.method === "POST" && c.path === "/v1/vms");
    expect(creates).toHaveLength(1);
  });

  it("refuses the same key with a different body", async () => {
    const headers = { "idempotency-key": "key-2" };
    await a.api(
      "POST",
      "/v1/workspaces",
      { repositoryId: a.repositoryId, name: "k2", branch: "main" },
      { headers },
    );
    const res = await a.api(
      "POST",
      "/v1/workspaces",
      { repositoryId: a.repositoryId, name: "other", branch: "main" },
      { headers },
    );
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe("header.Idempotency-Key");
  });

  it("scopes keys to the organization", async () => {
    const headers = { "idempotency-key": "shared-key" };
    const one = await a.api(
      "POST",
      "/v1/workspaces",
      { repositoryId: a.repositoryId, name: "s", branch: "main" },
      { headers },
    );
    const two = await b.api(
      "POST",
      "/v1/workspaces",
      { repositoryId: b.repositoryId, name: "s", branch: "main" },
      { headers },
    );
    expect(two.status).toBe(202);
    expect(two.body.id).not.toBe(one.body.id);
  });
});

describe("read and update", () => {
  it("pages through every workspace exactly once, newest first, with a status filter", async () => {
    const org = await setupOrg(bindings, "pager");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await org.api("POST", "/v1/workspaces", {
        repositoryId: org.repositoryId,
        name: `p${i}`,
        branch: "main",
      });
      ids.push(res.body.id);
    }
    for (const id of ids) await settled(org, id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await org.api(
        "GET",
        `/v1/workspaces?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((w) => w.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    await org.api("POST", `/v1/workspaces/${ids[0]}/pause`);
    const paused = await org.api("GET", "/v1/workspaces?status=paused");
    expect(paused.body.items.map((w: { id: string }) => w.id)).toEqual([ids[0]]);
  });

  it.each([
    ["/v1/workspaces?limit=0", "query.limit"],
    ["/v1/workspaces?status=sleeping", "query.status"],
    ["/v1/workspaces?cursor=garbage", "query.cursor"],
    ["/v1/workspaces/not-a-uuid", "path.id"],
  ])("validates %s", async (path, field) => {
    const res = await a.api("GET", path);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it("hides other organizations' workspaces behind 404 on every route", async () => {
    const ws = await createRunning(a, "private");
    for (const [method, path, body] of [
      ["GET", `/v1/workspaces/${ws.id}`],
      ["PATCH", `/v1/workspaces/${ws.id}`, { name: "mine" }],
      ["POST", `/v1/workspaces/${ws.id}/pause`],
      ["POST", `/v1/workspaces/${ws.id}/resume`],
      ["POST", `/v1/workspaces/${ws.id}/stop`],
      ["POST", `/v1/workspaces/${ws.id}/ssh`],
      ["DELETE", `/v1/workspaces/${ws.id}`],
      ["GET", `/v1/workspaces/${ws.id}/sessions`],
      ["POST", `/v1/workspaces/${ws.id}/sessions`, { clientType: "desktop" }],
    ] as const) {
      const res = await b.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain(a.organizationId);
    }
    expect((await b.api("GET", "/v1/workspaces")).body.items.map((w: { id: string }) => w.id)).not.toContain(
      ws.id,
    );
    expect((await a.api("GET", `/v1/workspaces/${ws.id}`)).body).toMatchObject({
      name: "private",
      status: "running",
    });
  });

  it("updates name and autoStopMinutes, and nothing else", async () => {
    const ws = await createRunning(a, "renamable");
    const res = await a.api("PATCH", `/v1/workspaces/${ws.id}`, { name: "renamed", autoStopMinutes: 0 });
    expect(res.body).toMatchObject({ name: "renamed", autoStopMinutes: 0, status: "running" });
    const bad = await a.api("PATCH", `/v1/workspaces/${ws.id}`, { status: "stopped" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe("body.status");
    const empty = await a.api("PATCH", `/v1/workspaces/${ws.id}`, {});
    expect(empty.status).toBe(400);
    expect((await a.api("GET", `/v1/workspaces/${ws.id}`)).body.name).toBe("renamed");
  });
});

describe("lifecycle", () => {
  it("pauses, resumes, stops, resumes and deletes, with the VM following", async () => {
    const ws = await createRunning(a, "cycle");
    const vmId = ws.providerVmId;

    const paused = await a.api("POST", `/v1/workspaces/${ws.id}/pause`);
    expect(paused.body).toMatchObject({ status: "paused", allowedActions: ["resume", "stop", "delete"] });
    expect((await vmHost.vm(vmId)).body.state).toBe("suspended");

    const resumed = await a.api("POST", `/v1/workspaces/${ws.id}/resume`);
    expect(resumed.body.status).toBe("running");
    expect((await vmHost.vm(vmId)).body.state).toBe("running");

    const stopped = await a.api("POST", `/v1/workspaces/${ws.id}/stop`);
    expect(stopped.body).toMatchObject({ status: "stopped", allowedActions: ["resume", "delete"] });
    expect((await vmHost.vm(vmId)).body.state).toBe("stopped");

    expect((await a.api("POST", `/v1/workspaces/${ws.id}/resume`)).body.status).toBe("running");

    const deleted = await a.api("DELETE", `/v1/workspaces/${ws.id}`);
    expect(deleted.status).toBe(204);
    expect((await a.api("GET", `/v1/workspaces/${ws.id}`)).status).toBe(404);
    expect((await vmHost.vm(vmId)).status).toBe(404);
  });

  it.each([
    ["pause", "stopped", ["resume", "delete"]],
    ["stop", "stopped", ["resume", "delete"]],
  ])(
    "refuses to %s a %s workspace with 409 naming status and allowed actions",
    async (action, _status, allowed) => {
      const ws = await createRunning(a, `refuse-${action}`);
      await a.api("POST", `/v1/workspaces/${ws.id}/stop`);
      const res = await a.api("POST", `/v1/workspaces/${ws.id}/${action}`);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        type: "/problems/invalid-transition",
        status: 409,
        workspaceStatus: "stopped",
        allowedActions: allowed,
      });
      expect(res.body.detail).toContain("stopped");
    },
  );

  it("refuses to resume a running workspace", async () => {
    const ws = await createRunning(a, "already");
    const res = await a.api("POST", `/v1/workspaces/${ws.id}/resume`);
    expect(res.status).toBe(409);
    expect(res.body.allowedActions).toEqual(["pause", "stop", "delete"]);
  });

  it("answers a second operation while one is in flight with 409 operation-in-progress", async () => {
    const res = await a.api(
      "POST",
      "/v1/workspaces",
      { repositoryId: a.repositoryId, name: "busy", branch: "main" },
      { waitForBackground: false },
    );
    const del = await a.api("DELETE", `/v1/workspaces/${res.body.id}`);
    expect([204, 409]).toContain(del.status);
    if (del.status === 409) expect(del.body.type).toBe("/problems/operation-in-progress");
  });
});
