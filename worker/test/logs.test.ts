import { env } from "cloudflare:test";
import { hashApiToken, schema, sha256Hex } from "@cw/db";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { errorSummary } from "../src/safe-log.ts";
import { apiClient } from "./support/api.ts";
import { freshDatabase, openDb, seedOrganization } from "./support/database.ts";

/**
 * A failed query's error carries its SQL and bound parameters (token prefixes and hashes among
 * them), and Postgres' own error the conflicting values: none of it may reach the log. This
 * file's own database is broken on purpose.
 */
let bindings: { DATABASE_URL: string; DATABASE_WS_PROXY: string };
let token: string;
let organizationId: string;
/** Never used before the test that needs it, so no isolate has it cached. */
let freshToken: string;
let logged: string[];
/** A workspace's VM credential, stored as a VM would present it. */
const vmCredential = `cwv_${"v".repeat(43)}`;

beforeAll(async () => {
  bindings = (await freshDatabase()).env;
  const db = openDb(bindings);
  const seeded = await seedOrganization(db, "logs");
  token = seeded.token;
  organizationId = seeded.organization.id;
  freshToken = (await seedOrganization(db, "logs-fresh")).token;
  const [repo] = await db.db
    .insert(schema.repositories)
    .values({ organizationId: seeded.organization.id, name: "r", cloneUrl: "https://git.example.test/r.git" })
    .returning();
  const [ws] = await db.db
    .insert(schema.cloudWorkspaces)
    .values({
      organizationId: seeded.organization.id,
      repositoryId: repo!.id,
      creatorId: seeded.user.id,
      name: "w",
      branch: "main",
    })
    .returning();
  await db.db
    .insert(schema.workspaceVmCredentials)
    .values({ workspaceId: ws!.id, secretHash: await sha256Hex(vmCredential) });
  await db.db.execute(sql`
    create function refuse_tokens() returns trigger language plpgsql as $$
      begin raise exception 'token writes are off' using errcode = 'P0001'; end $$;
    create trigger refuse_tokens before insert on api_tokens for each row execute function refuse_tokens();
    create trigger refuse_git_credentials before insert on git_credentials for each row execute function refuse_tokens();`);
  await db.close();
});

afterEach(() => vi.restoreAllMocks());

function captureLogs() {
  logged = [];
  const keep = (...args: unknown[]) => {
    logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(" "));
  };
  vi.spyOn(console, "error").mockImplementation(keep);
  vi.spyOn(console, "log").mockImplementation(keep);
  vi.spyOn(console, "warn").mockImplementation(keep);
}

describe("database errors in the log", () => {
  it("a failing token write logs class and SQLSTATE, never the token, its prefix or its hash", async () => {
    captureLogs();
    const res = await apiClient(bindings, token)("POST", "/v1/tokens", { name: "doomed" });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ type: "/problems/internal", detail: "unexpected server error" });
    const text = logged.join("\n");
    expect(text).toContain("SQLSTATE P0001");
    expect(text).toContain("DrizzleQueryError");
    expect(text).not.toMatch(/cwk_/); // a token or its prefix
    expect(text).not.toMatch(/[0-9a-f]{64}/); // a SHA-256 hash
    expect(text).not.toContain(await hashApiToken(token));
    expect(text).not.toMatch(/insert into|params:/i);
    expect(text).not.toContain("token writes are off");
  });

  it("a failing read during authentication logs nothing of the bearer's hash", async () => {
    const db = openDb(bindings);
    await db.db.execute(sql`alter table api_tokens rename column token_hash to token_digest`);
    try {
      captureLogs();
      const res = await apiClient(bindings, freshToken)("GET", "/v1/workspaces");
      expect(res.status).toBe(500);
      const text = logged.join("\n");
      expect(text).toContain("SQLSTATE 42703");
      expect(text).not.toContain(await hashApiToken(freshToken));
      expect(text).not.toMatch(/select|params:/i);
    } finally {
      await db.db.execute(sql`alter table api_tokens rename column token_digest to token_hash`);
      await db.close();
    }
  });

  it("a failing git credential write logs nothing of the secret, its ciphertext or its owner", async () => {
    captureLogs();
    const secret = `ghp_${"s".repeat(36)}`;
    const res = await apiClient(bindings, token)("POST", "/v1/git-credentials", {
      host: "git.example.test",
      username: "logs-user",
      secret,
    });
    expect(res.status).toBe(500);
    const text = logged.join("\n");
    expect(text).toContain("SQLSTATE P0001");
    expect(text).not.toContain(secret);
    expect(text).not.toContain("logs-user");
    expect(text).not.toMatch(/[A-Za-z0-9+/]{40,}={0,2}/); // base64 ciphertext or nonce
    expect(text).not.toMatch(/insert into|params:/i);
  });

  it("a failing broker read logs nothing of the VM's credential or its hash", async () => {
    const db = openDb(bindings);
    await db.db.execute(sql`alter table workspace_vm_credentials rename column secret_hash to secret_digest`);
    try {
      captureLogs();
      const res = await apiClient(bindings)("POST", "/v1/vm/git-credential", undefined, {
        headers: { authorization: `Bearer ${vmCredential}`, "content-type": "text/plain" },
        rawBody: "protocol=https\nhost=git.example.test\n",
      });
      expect(res.status).toBe(500);
      const text = logged.join("\n");
      expect(text).toContain("SQLSTATE 42703");
      expect(text).not.toContain(vmCredential);
      expect(text).not.toContain(await sha256Hex(vmCredential));
      expect(text).not.toMatch(/select|params:/i);
    } finally {
      await db.db.execute(
        sql`alter table workspace_vm_credentials rename column secret_digest to secret_hash`,
      );
      await db.close();
    }
  });

  it("a failing read of the organization's hub reaches its caller without the query or its parameters", async () => {
    const db = openDb(bindings);
    await db.db.execute(sql`alter table shape_log rename column row_id to row_key`);
    try {
      const hub = env.ORGANIZATION_HUB.get(env.ORGANIZATION_HUB.idFromName(organizationId));
      const failed = await hub
        .waitShape({
          source: bindings,
          organizationId,
          // Older than anything the hub holds: checked against shape_log at once.
          after: { txid: 1n, seq: 0n },
          timeoutMs: 1_000,
          pollMs: 1_000,
          limit: 10,
        })
        .then(
          () => null,
          (err: Error) => err.message,
        );
      expect(failed).toContain("SQLSTATE 42703");
      expect(failed).not.toContain(organizationId);
      expect(failed).not.toMatch(/select|params:|shape_log/i);
    } finally {
      await db.db.execute(sql`alter table shape_log rename column row_key to row_id`);
      await db.close();
    }
  });

  it("keeps the message of errors that are not the database's", () => {
    expect(errorSummary(new TypeError("x is not a function"))).toBe("TypeError x is not a function");
    const wrapped = new Error("outer", {
      cause: Object.assign(new Error("secret=1"), { severity: "ERROR", code: "23505" }),
    });
    expect(errorSummary(wrapped)).toBe("Error <- Error SQLSTATE 23505");
  });
});
