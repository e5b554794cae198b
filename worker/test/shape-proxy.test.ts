import { beforeAll, describe, expect, inject, it } from "vitest";
import { PROTOCOL_QUERY_PARAMS } from "../src/shape/protocol.ts";
import { SHAPES } from "../src/shape/shapes.ts";
import type { RecordedRequest } from "./provided-context.ts";
import { freshDatabase } from "./support/database.ts";
import { type Org, setupOrg } from "./support/org.ts";
import {
  ELECTRIC_PROTOCOL_QUERY_PARAMS,
  type Row,
  SHAPE_URL,
  Shape,
  ShapeStream,
  workerFetch,
} from "./support/shape-client.ts";

/**
 * Proxy mode (ELECTRIC_URL set) against a stand-in for Electric that records what it receives
 * (started by global-setup.ts): the forwarded request carries the server's table/where/columns
 * and never the client's; Electric's answer comes back with its headers.
 */
let bindings: Record<string, string>;
let a: Org;

beforeAll(async () => {
  const db = (await freshDatabase()).env;
  a = await setupOrg(db, "a");
  bindings = {
    ...db,
    ELECTRIC_URL: `${inject("shapeUpstream")}/v1/shape`,
    ELECTRIC_SOURCE_ID: "source-123",
    ELECTRIC_SOURCE_SECRET: "source-secret-xyz",
  };
});

async function recorded(): Promise<RecordedRequest[]> {
  return (await fetch(`${inject("shapeUpstream")}/__recorded`)).json();
}

async function get(query: string, extra: Record<string, string> = {}) {
  await recorded(); // clear
  const { fetchClient } = workerFetch({ ...bindings, ...extra }, a.token);
  const res = await fetchClient(`http://cw.test/v1/shape?${query}`);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, forwarded: await recorded() };
}

describe("Electric proxy", () => {
  it("forwards only protocol parameters and sets table, columns, where, params and the source server-side", async () => {
    const res = await get(
      [
        "shape=workspaces&offset=3_1&handle=h1&live=true&cursor=c9&log=full&cache-buster=cb&expired_handle=old",
        `table=users&where=${encodeURIComponent("true")}&columns=idempotency_key&params%5B1%5D=evil&secret=mine&source_id=mine&foo=bar`,
      ].join("&"),
    );
    expect(res.status).toBe(200);
    expect(res.forwarded).toHaveLength(1);
    const url = new URL(res.forwarded[0]!.url, "http://upstream");
    expect(url.pathname).toBe("/v1/shape");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      offset: "3_1",
      handle: "h1",
      live: "true",
      cursor: "c9",
      log: "full",
      "cache-buster": "cb",
      expired_handle: "old",
      table: "cloud_workspaces",
      columns: Object.keys(SHAPES.workspaces.columns).join(","),
      where: '"organization_id" = $1',
      "params[1]": a.organizationId,
      source_id: "source-123",
      secret: "source-secret-xyz",
    });
    // Exactly one value each: the client's never rides along.
    for (const name of ["table", "where", "columns", "params[1]", "secret", "source_id"])
      expect(url.searchParams.getAll(name)).toHaveLength(1);
    expect(res.forwarded[0]!.headers.authorization).toBeUndefined();
  });

  it("passes Electric's status, headers and (decompressed) body back, with Vary: Authorization", async () => {
    const res = await get("shape=workspaces&offset=-1");
    expect(res.headers.get("electric-handle")).toBe("up-handle");
    expect(res.headers.get("electric-offset")).toBe("0_0");
    expect(res.headers.has("electric-schema")).toBe(true);
    expect(res.headers.has("electric-up-to-date")).toBe(true);
    // Electric says public; every organization's first URL of a shape is the same, so never public here.
    expect(res.headers.get("cache-control")).toBe("private, max-age=60, stale-while-revalidate=300");
    expect(res.headers.get("etag")).toBe('"up-handle:-1:0_0"');
    expect(res.headers.get("vary")).toMatch(/authorization/i);
    expect(res.headers.has("content-encoding")).toBe(false);
    expect(res.headers.has("set-cookie")).toBe(false);
    expect(JSON.parse(res.text)[0].value.name).toBe("from-electric");

    const gone = await get("shape=workspaces&offset=3_1&handle=expired");
    expect(gone.status).toBe(409);
    expect(gone.headers.get("electric-handle")).toBe("fresh-handle");
  });

  it("marks live answers private too", async () => {
    const res = await get("shape=workspaces&offset=3_1&handle=h1&live=true&cursor=1");
    expect(res.headers.get("cache-control")).toBe("private, max-age=5, stale-while-revalidate=5");
  });

  it.each([
    ["subset__where", "subset__where=true"],
    ["subset__limit", "subset__limit=1000"],
    ["live_sse", "live_sse=true"],
  ])("refuses %s by name and forwards nothing: the desktop never sends it", async (name, param) => {
    const res = await get(`shape=workspaces&offset=-1&${param}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors.map((e: { field: string }) => e.field)).toEqual([`query.${name}`]);
    expect(res.forwarded).toEqual([]);
  });

  it("serves the real ShapeStream through the proxy", async () => {
    const controller = new AbortController();
    const { fetchClient } = workerFetch(bindings, a.token);
    const shape = new Shape(
      new ShapeStream<Row>({
        url: SHAPE_URL,
        params: { shape: "workspaces" },
        fetchClient,
        signal: controller.signal,
      }),
    );
    const rows = await shape.rows;
    controller.abort();
    expect(rows).toEqual([expect.objectContaining({ name: "from-electric", connected_count: 2 })]);
  });

  it("still validates the shape name, and answers 502 when Electric is unreachable", async () => {
    expect((await get("shape=secrets&offset=-1")).status).toBe(400);
    expect((await get("shape=workspaces&offset=-1")).forwarded).toHaveLength(1);
    const down = await get("shape=workspaces&offset=-1", { ELECTRIC_URL: "http://127.0.0.1:9/v1/shape" });
    expect(down.status).toBe(502);
    expect(down.text).not.toContain("source-secret-xyz");
  });

  it("forwards exactly the client package's protocol parameter list", () => {
    expect([...PROTOCOL_QUERY_PARAMS].sort()).toEqual([...ELECTRIC_PROTOCOL_QUERY_PARAMS].sort());
  });
});
