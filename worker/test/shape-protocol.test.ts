import { waitFor } from "@cw/testing";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { compactShapeLog } from "../src/shape/change-log.ts";
import { SHAPES } from "../src/shape/shapes.ts";
import { freshDatabase, openDb } from "./support/database.ts";
import { type Org, setupOrg } from "./support/org.ts";
import {
  type Message,
  type Row,
  SHAPE_URL,
  Shape,
  ShapeStream,
  workerFetch,
} from "./support/shape-client.ts";
import { workspaceRows } from "./support/shape-rows.ts";

/**
 * Protocol conformance of the built-in source: the real, unmodified ShapeStream/Shape from
 * @electric-sql/client against GET /v1/shape, on a real Postgres with the shape_log triggers.
 */
let bindings: Record<string, string>;
let a: Org;
let rows: ReturnType<typeof workspaceRows>;
const streams: AbortController[] = [];

beforeAll(async () => {
  bindings = { ...(await freshDatabase()).env, SHAPE_POLL_MS: "20" };
  a = await setupOrg(bindings, "a");
  rows = workspaceRows(bindings);
});

afterEach(() => {
  for (const c of streams.splice(0)) c.abort();
});

function stream(opts: { offset?: string; handle?: string; bindings?: Record<string, string> } = {}) {
  const controller = new AbortController();
  streams.push(controller);
  const { fetchClient, urls } = workerFetch(opts.bindings ?? bindings, a.token);
  const s = new ShapeStream<Row>({
    url: SHAPE_URL,
    params: { shape: "workspaces" },
    fetchClient,
    signal: controller.signal,
    ...(opts.offset ? { offset: opts.offset as `${number}_${number}`, handle: opts.handle } : {}),
  });
  return { stream: s, urls, stop: () => controller.abort() };
}

const byName = (shape: Shape<Row>) => new Map([...shape.currentRows].map((r) => [r.name as string, r]));

async function logCount(): Promise<number> {
  const db = openDb(bindings as { DATABASE_URL: string; DATABASE_WS_PROXY: string });
  try {
    const res = await db.db.execute<{ n: number }>(sql`select count(*)::int as n from shape_log`);
    return res.rows[0]!.n;
  } finally {
    await db.close();
  }
}

describe("snapshot", () => {
  it("gives Shape the organization's rows, typed by electric-schema, with only the declared columns", async () => {
    const one = await rows.insert(a, "snap-one", { idempotencyKey: "secret-idem-key", connectedCount: 2 });
    await rows.insert(a, "snap-two", { status: "running" });
    const { stream: s } = stream();
    const shape = new Shape(s);
    expect((await shape.rows).length).toBe(2);
    const all = byName(shape);
    expect(all.get("snap-one")).toMatchObject({
      id: one.id,
      organization_id: a.organizationId,
      status: "provisioning",
      connected_count: 2,
      auto_stop_minutes: 30,
      auto_stop_at: null,
      created_at: one.createdAt.toISOString(),
    });
    // Running with nobody connected: the auto_stop_at trigger set it, in ISO form.
    expect(all.get("snap-two")!.auto_stop_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    for (const row of all.values())
      expect(Object.keys(row).sort()).toEqual(Object.keys(SHAPES.workspaces.columns).sort());
    expect(JSON.stringify([...shape.currentRows])).not.toContain("secret-idem-key");
  });

  it("answers with Electric's headers, per-user caching and Vary: Authorization", async () => {
    const res = await a.api("GET", "/v1/shape?shape=workspaces&offset=-1");
    expect(res.status).toBe(200);
    expect(res.headers.get("electric-handle")).toMatch(/^[0-9a-f]{16}-/);
    expect(res.headers.get("electric-offset")).toMatch(/^\d+_\d+$/);
    expect(JSON.parse(res.headers.get("electric-schema")!)).toEqual(SHAPES.workspaces.columns);
    expect(res.headers.has("electric-up-to-date")).toBe(true);
    expect(res.headers.get("cache-control")).toContain("private");
    expect(res.headers.get("vary")).toMatch(/authorization/i);
    expect(res.body.at(-1)).toEqual({ headers: { control: "up-to-date" } });
    // Every value is Postgres text (or null), as Electric sends it.
    for (const m of res.body.slice(0, -1))
      for (const v of Object.values(m.value)) expect(v === null || typeof v === "string").toBe(true);
  });
});

describe("live", () => {
  it("delivers insert, update (through the API) and delete while live, each well within a second", async () => {
    const { stream: s } = stream();
    const shape = new Shape(s);
    await shape.rows;
    const t0 = Date.now();
    const inserted = await rows.insert(a, "live-new");
    await waitFor("live-new in the shape", () => byName(shape).get("live-new"));
    const insertMs = Date.now() - t0;

    const t1 = Date.now();
    const patched = await a.api("PATCH", `/v1/workspaces/${inserted.id}`, { name: "live-renamed" });
    expect(patched.status).toBe(200);
    await waitFor("live-renamed in the shape", () => byName(shape).get("live-renamed"));
    const updateMs = Date.now() - t1;

    await rows.remove(inserted.id);
    await waitFor("live-renamed gone", () => !byName(shape).has("live-renamed"));
    expect(insertMs).toBeLessThan(1_000);
    expect(updateMs).toBeLessThan(1_000);
    expect(s.isUpToDate).toBe(true);
  });

  it("holds a live request with no changes for SHAPE_LONG_POLL_MS, then answers up-to-date with a new cursor", async () => {
    const first = await a.api("GET", "/v1/shape?shape=workspaces&offset=-1");
    const handle = first.headers.get("electric-handle")!;
    const offset = first.headers.get("electric-offset")!;
    const t0 = Date.now();
    const live = await apiWith({ SHAPE_LONG_POLL_MS: "400" })(
      `/v1/shape?shape=workspaces&offset=${offset}&handle=${handle}&live=true&cursor=`,
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
    expect(live.status).toBe(200);
    expect(live.body).toEqual([{ headers: { control: "up-to-date" } }]);
    expect(live.headers.get("electric-offset")).toBe(offset);
    expect(live.headers.get("electric-handle")).toBe(handle);
    const cursor = live.headers.get("electric-cursor")!;
    expect(cursor).toMatch(/^\d+$/);
    const again = await apiWith({ SHAPE_LONG_POLL_MS: "100" })(
      `/v1/shape?shape=workspaces&offset=${offset}&handle=${handle}&live=true&cursor=${cursor}`,
    );
    expect(again.headers.get("electric-cursor")).not.toBe(cursor);
  });

  it("ignores updates of columns the shape does not sync (no log entry, no wake-up)", async () => {
    const row = await rows.insert(a, "quiet");
    const before = await logCount();
    await rows.update(row.id, { statusCheckedAt: new Date(), syncCheckedAt: new Date() });
    expect(await logCount()).toBe(before);
    await rows.update(row.id, { statusMessage: "hello" });
    expect(await logCount()).toBe(before + 1);
  });

  it("never skips a change whose transaction commits after a later one (log order is not commit order)", async () => {
    const x = await rows.insert(a, "order-x");
    const y = await rows.insert(a, "order-y");
    const first = await a.api("GET", "/v1/shape?shape=workspaces&offset=-1");
    const handle = first.headers.get("electric-handle")!;
    let offset = first.headers.get("electric-offset")!;
    const seen: string[] = [];
    const read = async () => {
      const res = await a.api("GET", `/v1/shape?shape=workspaces&offset=${offset}&handle=${handle}`);
      offset = res.headers.get("electric-offset")!;
      for (const m of res.body) if (m.value) seen.push(m.value.name);
    };

    const db = openDb(bindings as { DATABASE_URL: string; DATABASE_WS_PROXY: string });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let started!: () => void;
    const hasWritten = new Promise<void>((r) => {
      started = r;
    });
    const slow = db.db.transaction(async (tx) => {
      await tx.execute(sql`update cloud_workspaces set name = 'order-x2' where id = ${x.id}`);
      started();
      await held;
    });
    await hasWritten;
    await rows.update(y.id, { name: "order-y2" }); // commits first, with a later log entry
    await read();
    expect(seen).toEqual([]); // held back until the older transaction ends
    release();
    await slow;
    await db.close();
    await read();
    expect(seen.sort()).toEqual(["order-x2", "order-y2"]);
  });
});

describe("resume and must-refetch", () => {
  it("resumes from a stored handle and offset with only what changed since", async () => {
    const keep = await rows.insert(a, "resume-keep");
    const change = await rows.insert(a, "resume-change");
    const gone = await rows.insert(a, "resume-gone");
    const first = stream();
    await new Shape(first.stream).rows;
    const handle = first.stream.shapeHandle!;
    const offset = first.stream.lastOffset;
    first.stop();

    await rows.update(change.id, { status: "stopped" });
    await rows.remove(gone.id);
    const added = await rows.insert(a, "resume-added");

    const resumed = stream({ offset, handle });
    const messages: Message<Row>[] = [];
    await new Promise<void>((resolve) => {
      resumed.stream.subscribe((batch) => {
        messages.push(...batch);
        if (batch.some((m) => "control" in m.headers && m.headers.control === "up-to-date")) resolve();
      });
    });
    expect(resumed.urls[0]!.searchParams.get("offset")).toBe(offset);
    expect(resumed.urls[0]!.searchParams.get("handle")).toBe(handle);
    const changes = messages.filter((m) => "operation" in m.headers) as {
      headers: { operation: string };
      value: Row;
    }[];
    expect(changes.map((m) => [m.headers.operation, m.value.id])).toEqual([
      ["update", change.id],
      ["delete", gone.id],
      ["insert", added.id],
    ]);
    expect(changes.find((m) => m.value.id === change.id)!.value.status).toBe("stopped");
    expect(changes.some((m) => m.value.id === keep.id)).toBe(false);
  });

  it("answers 409 must-refetch with a new handle for an unknown handle or an offset from another database", async () => {
    const first = await a.api("GET", "/v1/shape?shape=workspaces&offset=-1");
    const handle = first.headers.get("electric-handle")!;
    for (const query of [
      `offset=${first.headers.get("electric-offset")}&handle=0000000000000000-abc-00000000`,
      `offset=${first.headers.get("electric-offset")}&handle=not-ours`,
      `offset=999999999999_0&handle=${handle}`,
    ]) {
      const res = await a.api("GET", `/v1/shape?shape=workspaces&${query}`);
      expect(res.status, query).toBe(409);
      expect(res.body).toEqual([{ headers: { control: "must-refetch" } }]);
      expect(res.headers.get("electric-handle")).toMatch(/^[0-9a-f]{16}-/);
      expect(res.headers.get("electric-handle")).not.toBe(handle);
    }
  });

  it("after compaction, a client resuming from before it refetches and ends with the right rows", async () => {
    const first = stream();
    const shape1 = new Shape(first.stream);
    await shape1.rows;
    const handle = first.stream.shapeHandle!;
    const offset = first.stream.lastOffset;
    first.stop();

    const victim = await rows.insert(a, "compacted-away");
    await rows.remove(victim.id);
    const survivor = await rows.insert(a, "after-compaction");
    const db = openDb(bindings as { DATABASE_URL: string; DATABASE_WS_PROXY: string });
    const { deleted } = await compactShapeLog(db.db, new Date(Date.now() + 60_000));
    await db.close();
    expect(deleted).toBeGreaterThan(0);

    const resumed = stream({ offset, handle });
    const controls: string[] = [];
    resumed.stream.subscribe((batch) => {
      for (const m of batch) if ("control" in m.headers) controls.push(m.headers.control as string);
    });
    const shape2 = new Shape(resumed.stream);
    await waitFor(
      "must-refetch, then up-to-date",
      () => controls.includes("must-refetch") && controls.includes("up-to-date") && shape2.isUpToDate,
    );
    const names = [...byName(shape2).keys()];
    expect(names).toContain("after-compaction");
    expect(names).not.toContain("compacted-away");
    expect(byName(shape2).get("after-compaction")!.id).toBe(survivor.id);
    expect(resumed.stream.shapeHandle).not.toBe(handle);
  });
});

describe("input", () => {
  it.each([
    ["", "query.shape"],
    ["shape=cloud_workspaces&offset=-1", "query.shape"],
    ["shape=workspaces", "query.offset"],
    ["shape=workspaces&offset=abc", "query.offset"],
    ["shape=workspaces&offset=5_0", "query.handle"],
    ["shape=workspaces&offset=-1&live=maybe", "query.live"],
    ["shape=workspaces&offset=-1&live=true&live_sse=true", "query.live_sse"],
    ["shape=workspaces&offset=-1&subset__limit=5", "query.subset__limit"],
  ])("?%s → 400 naming %s", async (query, field) => {
    const res = await a.api("GET", `/v1/shape?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it("needs a token", async () => {
    const res = await apiWith({}, null)("/v1/shape?shape=workspaces&offset=-1");
    expect(res.status).toBe(401);
  });
});

/** A raw GET with extra bindings (e.g. a short long-poll), as org a unless token is null. */
function apiWith(extra: Record<string, string>, token: string | null = a.token) {
  return async (path: string) => {
    const { fetchClient } = workerFetch({ ...bindings, ...extra }, token ?? "");
    const res = await fetchClient(`http://cw.test${path}`, token ? {} : { headers: {} });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
}
