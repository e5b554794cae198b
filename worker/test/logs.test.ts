import { hashApiToken } from "@cw/db";
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
/** Never used before the test that needs it, so no isolate has it cached. */
let freshToken: string;
let logged: string[];

beforeAll(async () => {
  bindings = (await freshDatabase()).env;
  const db = openDb(bindings);
  token = (await seedOrganization(db, "logs")).token;
  freshToken = (await seedOrganization(db, "logs-fresh")).token;
  await db.db.execute(sql`
    create function refuse_tokens() returns trigger language plpgsql as $$
      begin raise exception 'token writes are off' using errcode = 'P0001'; end $$;
    create trigger refuse_tokens before insert on api_tokens for each row execute function refuse_tokens();`);
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

  it("keeps the message of errors that are not the database's", () => {
    expect(errorSummary(new TypeError("x is not a function"))).toBe("TypeError x is not a function");
    const wrapped = new Error("outer", {
      cause: Object.assign(new Error("secret=1"), { severity: "ERROR", code: "23505" }),
    });
    expect(errorSummary(wrapped)).toBe("Error <- Error SQLSTATE 23505");
  });
});
