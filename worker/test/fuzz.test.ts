import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { schema, sha256Hex } from "@cw/db";
import { answerText, checkFuzzAnswer, fuzzRequests, operationsOf } from "@cw/testing";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { apiClient } from "./support/api.ts";
import { freshDatabase, openDb } from "./support/database.ts";
import { type Org, setupOrg } from "./support/org.ts";
import { workspaceRows } from "./support/shape-rows.ts";

/**
 * A few thousand malformed requests across every operation of the OpenAPI document, through the
 * real fetch handler with production's repository policy (hosts resolved by the tests' DNS
 * server): never a 5xx, and every 4xx a problem. `pnpm fuzz <count>` runs the same generator
 * against a local stack.
 */
const COUNT = 2500;
const SEED = 20261125;

let bindings: Record<string, string>;
let org: Org;
let workspaceId: string;
/** The fuzzed workspace's VM credential, the bearer of `/v1/vm/…`. */
const vmCredential = `cwv_${"f".repeat(43)}`;

beforeAll(async () => {
  const db = (await freshDatabase()).env;
  org = await setupOrg(db, "fuzz");
  workspaceId = (await workspaceRows(db).insert(org, "fuzzed", { status: "running" })).id;
  const handle = openDb(db);
  await handle.db
    .insert(schema.workspaceVmCredentials)
    .values({ workspaceId, secretHash: await sha256Hex(vmCredential) });
  await handle.close();
  bindings = { ...db, ALLOW_LOCAL_REPOSITORIES: "false" };
});

describe("fuzz", () => {
  it(`answers ${COUNT} malformed requests across every route without a 5xx, each 4xx a problem`, {
    timeout: 300_000,
  }, async () => {
    const document = (await apiClient(bindings)("GET", "/openapi.json")).body;
    const failures: string[] = [];
    const operations = new Set<string>();
    const vmStatuses = new Set<number>();
    let skipped = 0;
    for (const req of fuzzRequests(
      {
        document,
        token: org.token,
        ids: { repositoryId: org.repositoryId, workspaceId },
        vmCredential,
        seed: SEED,
      },
      COUNT,
    )) {
      let request: Request;
      try {
        request = new Request(`http://cw.test${req.path}`, {
          method: req.method,
          headers: req.headers,
          body: req.body,
        });
      } catch {
        skipped++; // something the runtime itself refuses to send never reaches the worker
        continue;
      }
      operations.add(req.operation);
      const ctx = createExecutionContext();
      const res = await worker.fetch(request, { ...env, ...bindings }, ctx);
      const text = await answerText(res);
      await waitOnExecutionContext(ctx);
      if (req.operation === "POST /v1/vm/git-credential") vmStatuses.add(res.status);
      const wrong = checkFuzzAnswer(res.status, res.headers.get("content-type"), text);
      if (wrong)
        failures.push(
          `${req.method} ${req.path.slice(0, 120)} [${req.defect}] → ${wrong}: ${text.slice(0, 200)}`,
        );
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(skipped).toBeLessThan(COUNT * 0.05);
    const all = operationsOf(document)
      .map((op) => `${op.method} ${op.path}`)
      .filter((op) => op !== "GET /healthz");
    expect([...operations].sort()).toEqual(all.sort());
    // The VM's route was reached past its credential check, and refused the bodies themselves.
    expect(vmStatuses).toContain(400);
    expect(vmStatuses).toContain(413);
    expect(vmStatuses).not.toContain(200);
    // Nothing was written: the organization still has its one repository, token and workspace, as they were.
    const api = apiClient(bindings, org.token);
    expect((await api("GET", "/v1/repositories")).body.items).toHaveLength(1);
    expect((await api("GET", "/v1/tokens")).body.items).toHaveLength(1);
    expect((await api("GET", "/v1/git-credentials")).body.items).toEqual([]);
    expect((await api("GET", `/v1/workspaces/${workspaceId}`)).body.name).toBe("fuzzed");
    expect((await api("GET", "/v1/workspaces")).body.items.map((w: { id: string }) => w.id)).toEqual([
      workspaceId,
    ]);
  });
});
