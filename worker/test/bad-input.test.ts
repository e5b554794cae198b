import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { freshDatabase } from "./support/database.ts";
import { type Org, setupOrg } from "./support/org.ts";
import { workspaceRows } from "./support/shape-rows.ts";

/**
 * Input that reached Postgres or a UI unchecked: each answers a 4xx problem naming the field,
 * never a 500, and nothing is written.
 */
let bindings: Record<string, string>;
let org: Org;
let workspaceId: string;

beforeAll(async () => {
  bindings = (await freshDatabase()).env;
  org = await setupOrg(bindings, "input");
  workspaceId = (await workspaceRows(bindings).insert(org, "kept")).id;
});

const expectProblem = (
  res: { status: number; headers: Headers; body: any },
  status: number,
  field?: string,
) => {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
};

describe("names and text", () => {
  const hostile = [
    ["a NUL byte", "ws\u0000name"],
    ["a newline", "line one\nline two"],
    ["a carriage return", "ok\rspoof"],
    ["a right-to-left override", "invoice\u202Egpj.exe"],
    ["a bidirectional isolate", "a\u2066b"],
    ["a line separator", "a\u2028b"],
    ["an unpaired surrogate", "a\ud800b"],
    ["a C1 control", "a\u0085b"],
  ];

  it.each(hostile)("refuses %s in every name with 400, writing nothing", async (_label, name) => {
    const before = (await org.api("GET", "/v1/workspaces")).body.items.length;
    expectProblem(
      await org.api("POST", "/v1/repositories", { name, cloneUrl: "https://git.example/x.git" }),
      400,
      "body.name",
    );
    expectProblem(
      await org.api("POST", "/v1/workspaces", { repositoryId: org.repositoryId, name, branch: "main" }),
      400,
      "body.name",
    );
    expectProblem(await org.api("PATCH", `/v1/workspaces/${workspaceId}`, { name }), 400, "body.name");
    expectProblem(await org.api("POST", "/v1/tokens", { name }), 400, "body.name");
    expect((await org.api("GET", "/v1/workspaces")).body.items).toHaveLength(before);
    expect((await org.api("GET", `/v1/workspaces/${workspaceId}`)).body.name).toBe("kept");
  });

  it("still takes names in any script, emoji sequences included", async () => {
    const name = "数据 café 👩‍💻";
    const res = await org.api("PATCH", `/v1/workspaces/${workspaceId}`, { name });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe(name);
    await org.api("PATCH", `/v1/workspaces/${workspaceId}`, { name: "kept" });
  });

  it("refuses bidirectional controls in branch names (git takes them; a tray menu would misshow them)", async () => {
    expectProblem(
      await org.api("POST", "/v1/workspaces", {
        repositoryId: org.repositoryId,
        name: "b",
        branch: "main\u2066",
      }),
      400,
      "body.branch",
    );
    expectProblem(
      await org.api("POST", "/v1/repositories", {
        name: "bidi-branch",
        cloneUrl: "https://git.example/x.git",
        defaultBranch: "\u202Emain",
      }),
      400,
      "body.defaultBranch",
    );
  });

  it("refuses control bytes in a clone URL", async () => {
    expectProblem(
      await org.api("POST", "/v1/repositories", {
        name: "nul-url",
        cloneUrl: "https://git.example/a\u0000b.git",
      }),
      400,
      "body.cloneUrl",
    );
  });

  it("refuses unknown fields in the repository body, like every other body", async () => {
    const res = await org.api("POST", "/v1/repositories", {
      name: "extra",
      cloneUrl: "https://git.example/x.git",
      organizationId: crypto.randomUUID(),
    });
    expectProblem(res, 400, "body.organizationId");
    expect(
      (await org.api("GET", "/v1/repositories")).body.items.map((r: { name: string }) => r.name),
    ).not.toContain("extra");
  });
});

describe("headers and queries", () => {
  it.each([
    ["a control byte", "key\u0001one"],
    ["a tab", "key\tone"],
    ["a space", "key one"],
    ["a non-ASCII character", "clé"],
  ])("refuses an Idempotency-Key with %s, naming the header", async (_label, key) => {
    const res = await org.api(
      "POST",
      "/v1/workspaces",
      { repositoryId: org.repositoryId, name: "idem", branch: "main" },
      { headers: { "idempotency-key": key } },
    );
    expectProblem(res, 400, "header.idempotency-key");
  });

  it.each(["9223372036854775808_0", "0_9223372036854775808", "9999999999999999999_9999999999999999999"])(
    "refuses a shape offset beyond Postgres' bigint (%s) with 400",
    async (offset) => {
      const res = await org.api("GET", `/v1/shape?shape=workspaces&offset=${offset}&handle=h`);
      expectProblem(res, 400, "query.offset");
    },
  );

  it("still takes the largest offset Postgres can hold (then asks the client to refetch)", async () => {
    const res = await org.api("GET", "/v1/shape?shape=workspaces&offset=9223372036854775807_0&handle=h");
    expect(res.status).toBe(409);
  });
});

describe("methods and sizes", () => {
  /** A request straight to the fetch handler, for methods the test client does not send. */
  async function send(method: string, path: string, body?: string) {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`http://cw.test${path}`, {
        method,
        headers: { authorization: `Bearer ${org.token}`, "content-type": "application/json" },
        body,
      }),
      { ...env, ...bindings },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  }

  it("answers every method it does not serve with 405 problem+json, where the runtime lets one through", async () => {
    // workerd refuses to build requests with some methods (CONNECT, invented ones): those never
    // reach the worker. Every one it does let through must get a 405.
    const candidates = [
      "CONNECT",
      "TRACE",
      "TRACK",
      "PROPFIND",
      "PROPPATCH",
      "MKCOL",
      "COPY",
      "MOVE",
      "LOCK",
      "UNLOCK",
      "REPORT",
      "SEARCH",
      "PURGE",
      "FOO",
    ];
    const reached: string[] = [];
    for (const method of candidates) {
      try {
        new Request("http://cw.test/", { method });
      } catch {
        continue;
      }
      reached.push(method);
      const res = await send(method, "/v1/workspaces");
      expectProblem(res, 405);
      expect(res.body).toMatchObject({ type: "/problems/method-not-allowed", status: 405 });
    }
    expect(reached).toEqual(expect.arrayContaining(["PROPFIND", "MKCOL", "LOCK"]));
  });

  it("answers a known path under another method with 405 naming the allowed ones", async () => {
    const res = await send("PUT", `/v1/workspaces/${workspaceId}`, "{}");
    expectProblem(res, 405);
    expect(res.headers.get("allow")?.split(", ").sort()).toEqual(["DELETE", "GET", "HEAD", "PATCH"]);
    const tokens = await send("PATCH", "/v1/tokens");
    expect(tokens.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "HEAD", "POST"]);
    expect((await send("GET", "/v1/nothing-here")).status).toBe(404);
  });

  it("refuses a body over 64 KiB with 413 before reading it", async () => {
    const res = await send("POST", "/v1/tokens", JSON.stringify({ name: "x".repeat(70 * 1024) }));
    expectProblem(res, 413, "body");
  });
});
