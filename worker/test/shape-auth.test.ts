import { waitFor } from "@cw/testing";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "./support/database.ts";
import { type Org, setupOrg } from "./support/org.ts";
import { type Row, SHAPE_URL, Shape, ShapeStream, workerFetch } from "./support/shape-client.ts";
import { workspaceRows } from "./support/shape-rows.ts";

/** Whatever a client puts in the query string, it sees its own organization's rows only. */
let bindings: Record<string, string>;
let a: Org;
let b: Org;
let rows: ReturnType<typeof workspaceRows>;
const controllers: AbortController[] = [];

beforeAll(async () => {
  bindings = { ...(await freshDatabase()).env, SHAPE_POLL_MS: "20" };
  a = await setupOrg(bindings, "a");
  b = await setupOrg(bindings, "b");
  rows = workspaceRows(bindings);
});

afterEach(() => {
  for (const c of controllers.splice(0)) c.abort();
});

/** A stream as org `who`, asking (in vain) for org a's rows and a secret column. */
function hostileShape(who: Org) {
  const controller = new AbortController();
  controllers.push(controller);
  const { fetchClient, urls } = workerFetch(bindings, who.token);
  const stream = new ShapeStream<Row>({
    url: SHAPE_URL,
    params: {
      shape: "workspaces",
      table: "cloud_workspaces",
      where: `organization_id = '${a.organizationId}' or true`,
      columns: ["id", "idempotency_key"],
      params: { "1": a.organizationId },
      organization_id: a.organizationId,
    },
    fetchClient,
    signal: controller.signal,
  });
  return { shape: new Shape(stream), urls };
}

describe("authorization", () => {
  it("never sends another organization's rows, in the snapshot or live", async () => {
    await rows.insert(a, "a-secret-1", { idempotencyKey: "a-idem" });
    await rows.insert(b, "b-own-1");
    const { shape, urls } = hostileShape(b);
    const initial = await shape.rows;
    expect(urls[0]!.searchParams.get("where")).toContain(a.organizationId); // it really asked
    expect(initial.map((r) => r.name)).toEqual(["b-own-1"]);

    // While b is live, a's changes must not reach it; b's own must.
    const aRow = await rows.insert(a, "a-secret-2");
    await rows.update(aRow.id, { status: "running" });
    await rows.insert(b, "b-own-2");
    await waitFor("b-own-2 in the shape", () => shape.currentRows.some((r) => r.name === "b-own-2"));
    expect(shape.currentRows.map((r) => r.name).sort()).toEqual(["b-own-1", "b-own-2"]);
    expect(shape.currentRows.every((r) => r.organization_id === b.organizationId)).toBe(true);
    expect(JSON.stringify(shape.currentRows)).not.toContain("idem");
  });

  it("treats another organization's handle as expired (409), never as a way into its log", async () => {
    const fromA = await a.api("GET", "/v1/shape?shape=workspaces&offset=-1");
    const res = await b.api(
      "GET",
      `/v1/shape?shape=workspaces&offset=0_0&handle=${fromA.headers.get("electric-handle")}`,
    );
    expect(res.status).toBe(409);
    expect(JSON.stringify(res.body)).not.toContain(a.organizationId);
  });

  it("a moved row leaves the old organization's shape", async () => {
    const { shape } = hostileShape(b);
    const moving = await rows.insert(b, "b-moving");
    await shape.rows;
    await waitFor("the moved row in the shape", () => shape.currentRows.some((r) => r.id === moving.id));
    await rows.update(moving.id, { organizationId: a.organizationId, repositoryId: a.repositoryId });
    await waitFor("the moved row gone", () => !shape.currentRows.some((r) => r.id === moving.id));
  });

  it("never sends another organization's ids in any raw protocol message, live or resumed", async () => {
    // A client drops a delete for a row it does not hold without a trace, so the rows it keeps
    // cannot show a leak of ids: the raw bodies it received are what is checked here.
    const gone = await rows.insert(a, "a-gone-before");
    const live = recording(b);
    await live.shape.rows;
    const aLive = await rows.insert(a, "a-live");
    await rows.update(aLive.id, { status: "running" });
    await rows.remove(aLive.id);
    await rows.remove(gone.id);
    const bMarker = await rows.insert(b, "b-marker-live");
    await waitFor("b's marker, live", () => live.shape.currentRows.some((r) => r.id === bMarker.id));
    const handle = live.stream.shapeHandle!;
    const offset = live.stream.lastOffset;
    live.stop();

    // While b is away, a's rows come and go; b then resumes from where it was.
    const aAway = await rows.insert(a, "a-away");
    await rows.remove(aAway.id);
    const bBack = await rows.insert(b, "b-marker-resumed");
    const resumed = recording(b, { handle, offset });
    await waitFor("b's marker, resumed", () => resumed.shape.currentRows.some((r) => r.id === bBack.id));
    resumed.stop();

    const received = [...live.bodies, ...resumed.bodies].join("\n");
    expect(live.bodies.length).toBeGreaterThan(1); // the snapshot and at least one live answer
    expect(resumed.bodies.length).toBeGreaterThan(0);
    for (const secret of [a.organizationId, gone.id, aLive.id, aAway.id])
      expect(received).not.toContain(secret);
    expect(received).toContain(bMarker.id);
  });
});

/** A stream as `who` that also keeps the raw body of every response it received. */
function recording(who: Org, from: { handle?: string; offset?: string } = {}) {
  const controller = new AbortController();
  controllers.push(controller);
  const { fetchClient } = workerFetch(bindings, who.token);
  const bodies: string[] = [];
  const keepBodies = async (input: RequestInfo | URL, init?: RequestInit) => {
    const res = await fetchClient(input, init);
    bodies.push(await res.clone().text());
    return res;
  };
  const stream = new ShapeStream<Row>({
    url: SHAPE_URL,
    params: { shape: "workspaces" },
    fetchClient: keepBodies as typeof fetch,
    signal: controller.signal,
    ...(from.offset ? { offset: from.offset as `${number}_${number}`, handle: from.handle } : {}),
  });
  return { stream, shape: new Shape(stream), bodies, stop: () => controller.abort() };
}
