import { operations } from "@cw/contracts";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";

interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
}

async function document() {
  const res = await createApp().request("http://cw.test/openapi.json");
  expect(res.status).toBe(200);
  return (await res.json()) as {
    servers?: { url: string }[];
    security?: unknown[];
    tags?: { name: string }[];
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
}

describe("the OpenAPI document", () => {
  it("gives every operation a unique operationId, a summary and declared tags", async () => {
    const doc = await document();
    const declaredTags = new Set(doc.tags?.map((t) => t.name));
    const ops = Object.values(doc.paths).flatMap((byMethod) => Object.values(byMethod));
    expect(ops.length).toBeGreaterThan(10);
    for (const op of ops) {
      expect(op.operationId, JSON.stringify(op)).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.summary?.length, op.operationId).toBeGreaterThan(0);
      expect(op.tags?.length, op.operationId).toBeGreaterThan(0);
      for (const tag of op.tags ?? []) expect(declaredTags, op.operationId).toContain(tag);
    }
    const ids = ops.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("documents each contract operation at its method and path, and declares servers and security", async () => {
    const doc = await document();
    for (const [id, op] of Object.entries(operations))
      expect(doc.paths[op.path]?.[op.method]?.operationId, id).toBe(id);
    expect(doc.servers).toEqual([{ url: "http://cw.test", description: "This API" }]);
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.paths["/healthz"]?.get?.security).toEqual([]);
  });
});
