import { env } from "cloudflare:test";
import { schema } from "@cw/db";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, openDb, seedOrganization } from "./support/database.ts";

/**
 * The organization hub and transactions it cannot see past: a change commits while an older
 * transaction (of anyone, anywhere on the server) still runs, so it is not final when the hub reads
 * after the writer's notice. The hub must read again soon, not at its next safety poll.
 */
let bindings: { DATABASE_URL: string; DATABASE_WS_PROXY: string };
let organizationId: string;
let workspaceId: string;

beforeAll(async () => {
  bindings = (await freshDatabase()).env;
  const db = openDb(bindings);
  const seeded = await seedOrganization(db, "hub");
  organizationId = seeded.organization.id;
  const [repo] = await db.db
    .insert(schema.repositories)
    .values({ organizationId, name: "r", cloneUrl: "https://git.example.test/r.git" })
    .returning();
  const [ws] = await db.db
    .insert(schema.cloudWorkspaces)
    .values({ organizationId, repositoryId: repo!.id, creatorId: seeded.user.id, name: "w", branch: "main" })
    .returning();
  workspaceId = ws!.id;
  await db.close();
});

/** Far longer than the test may take: only a re-read of the hub's own can answer in time. */
const SAFETY_POLL_MS = 60_000;

describe("the organization hub", () => {
  it("delivers a change held back by an older open transaction soon after that transaction ends", async () => {
    const hub = env.ORGANIZATION_HUB.get(env.ORGANIZATION_HUB.idFromName(organizationId));
    const common = { source: bindings, organizationId, pollMs: SAFETY_POLL_MS, limit: 10 };
    const db = openDb(bindings);
    try {
      // Where a client stands now.
      const [now] = (await db.db.execute(sql`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`))
        .rows as { xmin: string }[];
      const after = { txid: BigInt(now!.xmin), seq: 0n };

      // An older transaction, holding a transaction id, open until released.
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let opened!: () => void;
      const isOpen = new Promise<void>((resolve) => {
        opened = resolve;
      });
      const older = db.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_current_xact_id()`);
        opened();
        await released;
      });
      await isOpen;

      // The change commits after it, and its writer tells the hub.
      const changer = openDb(bindings);
      await changer.db
        .update(schema.cloudWorkspaces)
        .set({ name: "renamed" })
        .where(eq(schema.cloudWorkspaces.id, workspaceId));
      await changer.close();
      const waiting = hub.waitShape({ ...common, after, timeoutMs: 25_000 });
      await hub.notify(bindings, organizationId);
      // A read while the older transaction runs: the change is committed but not final yet.
      await hub.eventsHead({ ...common, pollMs: 0 });
      const meanwhile = await hub.waitShape({ ...common, after, timeoutMs: 200 });
      expect(meanwhile.kind).toBe("timeout");

      release();
      await older;
      const answer = await waiting;
      expect(answer.kind).toBe("entries");
      if (answer.kind !== "entries") return;
      expect(answer.entries.map((e) => e.rowId)).toEqual([workspaceId]);
      expect(answer.rows[workspaceId]).toMatchObject({ name: "renamed" });
    } finally {
      await db.close();
    }
  });
});
