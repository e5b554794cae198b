import { schema } from "@cw/db";
import { waitFor } from "@cw/testing";
import { eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { logsFinal, openDb, sharedDatabase } from "./support/database.ts";
import { openEventStream } from "./support/event-stream.ts";
import { createRunning, type Org, setupOrg } from "./support/org.ts";
import { tick } from "./support/tick.ts";
import { vmHost } from "./support/vm-host.ts";

/**
 * Events: each lifecycle path records exactly one event naming its actor and reason, in the
 * change's own transaction; the audit log pages them per organization; the stream delivers them
 * live and resumes without gaps; waitFor answers when a status is reached. Workspaces are made by
 * the provisioner object, so this file uses the workers' shared database.
 */
let org: Org;
let other: Org;
const bindings = () => sharedDatabase().env;
const ws = schema.cloudWorkspaces;

beforeAll(async () => {
  org = await setupOrg(bindings(), "events");
  other = await setupOrg(bindings(), "events-other");
});

afterEach(() => vmHost.clearFaults());

async function eventsOf(workspaceId: string, o: Org = org) {
  await logsFinal(bindings());
  const res = await o.api("GET", `/v1/events?workspaceId=${workspaceId}&limit=500`);
  expect(res.status).toBe(200);
  return res.body.items as any[];
}

/** Type, actor and (for a status change) from → to and reason: what a reader checks. */
const summary = (events: any[]) =>
  events.map((e) =>
    [
      e.type,
      e.actor.type === "user" ? `user:${e.actor.userId === org.userId}` : `system:${e.actor.process}`,
      e.type === "workspace.status_changed" ? `${e.data.from}→${e.data.to} (${e.data.reason})` : "",
    ].join(" "),
  );

async function setRow(id: string, set: Partial<typeof ws.$inferInsert>) {
  const db = openDb(bindings());
  try {
    await db.db.update(ws).set(set).where(eq(ws.id, id));
  } finally {
    await db.close();
  }
}

describe("each lifecycle path records exactly one event, with its actor and reason", () => {
  it("create: created by the user, then provisioned by the system", async () => {
    const w = await createRunning(org, "ev-create");
    expect(summary(await eventsOf(w.id))).toEqual([
      "workspace.created user:true ",
      "workspace.status_changed system:provisioning provisioning→running (provisioned)",
    ]);
  });

  it("a user's pause and resume, through their token", async () => {
    const w = await createRunning(org, "ev-pause");
    expect((await org.api("POST", `/v1/workspaces/${w.id}/pause`)).status).toBe(200);
    expect((await org.api("POST", `/v1/workspaces/${w.id}/resume`)).status).toBe(200);
    const events = (await eventsOf(w.id)).slice(2);
    expect(summary(events)).toEqual([
      "workspace.status_changed user:true running→paused (user)",
      "workspace.status_changed user:true paused→running (user)",
    ]);
    expect(events[0].actor.tokenId).toEqual(expect.any(String));
    expect(events[0].workspaceId).toBe(w.id);
    expect(events[0].organizationId).toBe(org.organizationId);
  });

  it("the cron's auto-stop", async () => {
    const w = await createRunning(org, "ev-idle");
    await setRow(w.id, { lastActiveAt: new Date(Date.now() - 31 * 60_000) });
    await tick(bindings());
    const mine = (await eventsOf(w.id)).filter((e) => e.type === "workspace.status_changed").slice(1);
    expect(summary(mine)).toEqual(["workspace.status_changed system:auto-stop running→paused (auto_stop)"]);
    expect(mine[0].data.message).toMatch(/auto-paused after 30 minutes/);
  });

  it("drift found by reconcile", async () => {
    const w = await createRunning(org, "ev-drift");
    await vmHost.deleteVm(w.providerVmId);
    await setRow(w.id, { statusCheckedAt: new Date(0) });
    await tick(bindings());
    const mine = (await eventsOf(w.id)).filter((e) => e.type === "workspace.status_changed").slice(1);
    expect(summary(mine)).toEqual(["workspace.status_changed system:reconcile running→error (reconcile)"]);
  });

  it("a provider failure during a user's stop", async () => {
    const w = await createRunning(org, "ev-fail");
    await vmHost.addFault({ method: "POST", path: "/stop$", status: 500, message: "no", times: 1 });
    expect((await org.api("POST", `/v1/workspaces/${w.id}/stop`)).status).toBe(502);
    const mine = (await eventsOf(w.id)).filter((e) => e.type === "workspace.status_changed").slice(1);
    expect(summary(mine)).toEqual(["workspace.status_changed user:true running→error (provider_failure)"]);
  });

  it("delete, SSH credentials, and the organization's own changes (tokens, repositories), never a secret", async () => {
    const w = await createRunning(org, "ev-delete");
    const ssh = await org.api("POST", `/v1/workspaces/${w.id}/ssh`);
    expect(ssh.status).toBe(200);
    expect((await org.api("DELETE", `/v1/workspaces/${w.id}?force=true`)).status).toBe(204);
    const token = await org.api("POST", "/v1/tokens", { name: "ev-token" });
    expect((await org.api("DELETE", `/v1/tokens/${token.body.id}`)).status).toBe(204);

    expect(summary(await eventsOf(w.id)).slice(2)).toEqual([
      "ssh.credentials_issued user:true ",
      "workspace.deleted user:true ",
    ]);
    const all = (await org.api("GET", "/v1/events?type=token.created,token.deleted,repository.created")).body
      .items as any[];
    expect(all.map((e) => e.type)).toEqual(["repository.created", "token.created", "token.deleted"]);
    expect(all[1].data).toMatchObject({ tokenId: token.body.id, name: "ev-token" });
    const text = JSON.stringify((await org.api("GET", "/v1/events?limit=500")).body);
    expect(text).not.toContain(token.body.token);
    expect(text).not.toContain(ssh.body.token);
  });
});

describe("the audit log", () => {
  it("pages oldest first after a cursor, filters by type and workspace, and stays in its organization", async () => {
    const w = await createRunning(other, "ev-other");
    const first = await other.api("GET", "/v1/events?limit=1");
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0].type).toBe("repository.created");
    const rest = await other.api("GET", `/v1/events?after=${first.body.nextCursor}&limit=500`);
    expect(rest.body.items.map((e: any) => e.type)).toEqual([
      "workspace.created",
      "workspace.status_changed",
    ]);
    // Caught up: the next page is empty and its cursor stays usable.
    const none = await other.api("GET", `/v1/events?after=${rest.body.nextCursor}`);
    expect(none.body.items).toEqual([]);
    expect((await other.api("GET", `/v1/events?after=${none.body.nextCursor}`)).status).toBe(200);
    // Another organization's workspace, ids and events are invisible to `org`.
    expect(await eventsOf(w.id)).toEqual([]);
    const mine = JSON.stringify((await org.api("GET", "/v1/events?limit=500")).body);
    expect(mine).not.toContain(w.id);
    expect(mine).not.toContain(other.organizationId);
  });

  it.each([
    ["after=yes", "query.after"],
    ["after=99999999999999999999_1", "query.after"],
    ["type=workspace.exploded", "query.type"],
    ["workspaceId=nope", "query.workspaceId"],
    ["limit=0", "query.limit"],
  ])("?%s → 400 naming %s", async (query, field) => {
    const res = await org.api("GET", `/v1/events?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});

describe("the event stream", () => {
  it("delivers what happens, resumes after a disconnect without gaps or repeats, and keeps to its organization", async () => {
    const w = await createRunning(org, "ev-stream");
    const stream = await openEventStream(bindings(), org.token, { query: `workspaceId=${w.id}` });
    const foreign = await openEventStream(bindings(), other.token);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    await stream.readUntil((f) => f.some((x) => x.kind === "comment" && x.text === "connected"));

    await org.api("POST", `/v1/workspaces/${w.id}/pause`);
    // "From now" starts where the log is final, which an open transaction anywhere on the server
    // can hold back a little: the create's own events may come first; the pause must come.
    const isPause = (e: { data: any }) =>
      e.data.type === "workspace.status_changed" && e.data.data.to === "paused";
    await stream.readUntil(() => stream.events().some(isPause));
    const paused = stream.events().find(isPause);
    expect(paused!.data).toMatchObject({ type: "workspace.status_changed", data: { to: "paused" } });
    expect(paused!.id).toBe(paused!.data.cursor);
    await stream.close();

    // While nobody listens: two more changes.
    await org.api("POST", `/v1/workspaces/${w.id}/resume`);
    await org.api("PATCH", `/v1/workspaces/${w.id}`, { name: "ev-stream-renamed" });
    const resumed = await openEventStream(bindings(), org.token, {
      query: `workspaceId=${w.id}`,
      lastEventId: paused!.id,
    });
    await resumed.readUntil((f) => f.filter((x) => x.kind === "event").length >= 2);
    await org.api("POST", `/v1/workspaces/${w.id}/pause`);
    await resumed.readUntil((f) => f.filter((x) => x.kind === "event").length >= 3);
    expect(resumed.events().map((e) => [e.data.type, e.data.data.to ?? e.data.data.changes?.name])).toEqual([
      ["workspace.status_changed", "running"],
      ["workspace.updated", "ev-stream-renamed"],
      ["workspace.status_changed", "paused"],
    ]);
    await resumed.close();

    // The other organization's stream saw none of it: only its own event, made last.
    const marker = await other.api("POST", "/v1/repositories", {
      name: "ev-marker",
      cloneUrl: inject("gitRepo").cloneUrl,
    });
    expect(marker.status).toBe(201);
    await foreign.readUntil((f) => f.some((x) => x.kind === "event"));
    expect(foreign.events().map((e) => e.data.type)).toEqual(["repository.created"]);
    expect(JSON.stringify(foreign.frames)).not.toContain(w.id);
    await foreign.close();
  });

  it("sends a keep-alive comment while nothing happens, and refuses a malformed Last-Event-ID", async () => {
    const stream = await openEventStream(bindings(), org.token, { query: "type=webhook.disabled" });
    await stream.readUntil((f) => f.some((x) => x.kind === "comment" && x.text === "keep-alive"), 25_000);
    await stream.close();
    const bad = await openEventStream(bindings(), org.token, { lastEventId: "12;drop" });
    expect(bad.status).toBe(400);
  });
});

describe("waitFor", () => {
  it("answers as soon as the status is one of those asked for", async () => {
    const created = await org.api("POST", "/v1/workspaces", {
      repositoryId: org.repositoryId,
      name: "ev-wait",
      branch: "main",
    });
    const res = await org.api(
      "GET",
      `/v1/workspaces/${created.body.id}?waitFor=running,error&timeoutSeconds=60`,
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("running");
    expect(res.body.operation).toBeNull();
  });

  it("answers the workspace as it is at the timeout, and 404 for another organization's", async () => {
    const w = await createRunning(org, "ev-wait-timeout");
    const t0 = Date.now();
    const res = await org.api("GET", `/v1/workspaces/${w.id}?waitFor=stopped&timeoutSeconds=1`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(res.body.status).toBe("running");
    expect((await other.api("GET", `/v1/workspaces/${w.id}?waitFor=stopped&timeoutSeconds=1`)).status).toBe(
      404,
    );
  });

  it("wakes on a change made elsewhere (a stop by another request)", async () => {
    const w = await createRunning(org, "ev-wait-stop");
    const waiting = org.api("GET", `/v1/workspaces/${w.id}?waitFor=stopped&timeoutSeconds=60`);
    await waitFor("the stop to be accepted", async () => {
      const res = await org.api("POST", `/v1/workspaces/${w.id}/stop`);
      return res.status === 200;
    });
    const res = await waiting;
    expect(res.body.status).toBe("stopped");
  });

  it.each([
    ["waitFor=sleeping", "query.waitFor"],
    ["waitFor=", "query.waitFor"],
    ["waitFor=running&timeoutSeconds=0", "query.timeoutSeconds"],
    ["waitFor=running&timeoutSeconds=301", "query.timeoutSeconds"],
  ])("?%s → 400 naming %s", async (query, field) => {
    const res = await org.api("GET", `/v1/workspaces/00000000-0000-4000-8000-000000000000?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});
