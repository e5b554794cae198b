import { schema } from "@cw/db";
import { eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { apiClient } from "./support/api.ts";
import { freshDatabase, openDb, seedOrganization } from "./support/database.ts";
import { tickResult } from "./support/tick.ts";
import { vmHost } from "./support/vm-host.ts";

/**
 * One tenant cannot stall the cron for everyone. Organization A has eight workspaces whose VMs'
 * git remote is a server that accepts and never answers (a user can point their own VM's remote
 * anywhere); B has an expired SSH grant on one workspace and another due for auto-stop; C has one
 * healthy workspace to poll. A database of this file's own, so the tick sees exactly these.
 */
const ws = schema.cloudWorkspaces;
const HUNG = 8;
let bindings: { DATABASE_URL: string; DATABASE_WS_PROXY: string };

type Seeded = Awaited<ReturnType<typeof seedOrganization>>;

async function insert<T>(fn: (db: ReturnType<typeof openDb>["db"]) => Promise<T>): Promise<T> {
  const db = openDb(bindings);
  try {
    return await fn(db.db);
  } finally {
    await db.close();
  }
}

/** A repository of the organization's and a running workspace on it, its VM made at the host. */
async function runningWorkspace(org: Seeded, name: string, fields: Partial<typeof ws.$inferInsert> = {}) {
  const vmId = await vmHost.createVm("main");
  return insert(async (db) => {
    const [repo] = await db
      .insert(schema.repositories)
      .values({
        organizationId: org.organization.id,
        name,
        cloneUrl: inject("gitRepo").cloneUrl,
        defaultBranch: "main",
      })
      .returning();
    const [row] = await db
      .insert(ws)
      .values({
        organizationId: org.organization.id,
        repositoryId: repo!.id,
        creatorId: org.user.id,
        name,
        branch: "main",
        status: "running",
        providerVmId: vmId,
        ...fields,
      })
      .returning();
    return row!;
  });
}

const rows = (ids: string[]) => insert((db) => db.select().from(ws).where(inArray(ws.id, ids)));
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);

let a: Seeded;
let b: Seeded;
let c: Seeded;

beforeAll(async () => {
  bindings = (await freshDatabase()).env;
  const db = openDb(bindings);
  try {
    a = await seedOrganization(db, "slow-a");
    b = await seedOrganization(db, "slow-b");
    c = await seedOrganization(db, "slow-c");
  } finally {
    await db.close();
  }
});

describe("the cron with one tenant's git remotes hanging", () => {
  it("revokes another organization's expired grant and auto-stops its workspace in the same tick", async () => {
    // A: each on a repository of its own, so each is a remote check of its own, all hanging.
    const hung = await Promise.all(Array.from({ length: HUNG }, (_, i) => runningWorkspace(a, `a-${i}`)));
    for (const w of hung) {
      const out = await vmHost.exec(w.providerVmId!, `git remote set-url origin ${inject("hangingGitUrl")}`);
      expect(out.statusCode).toBe(0);
    }
    const healthy = await runningWorkspace(c, "c-healthy");
    // B: one workspace with an SSH grant (through the API, a real identity at the host) that
    // has expired, and one idle for longer than its auto-stop.
    const withGrant = await runningWorkspace(b, "b-ssh");
    const issued = await apiClient(bindings, b.token)("POST", `/v1/workspaces/${withGrant.id}/ssh`);
    expect(issued.status).toBe(200);
    const [grant] = await insert((db) =>
      db
        .update(schema.sshGrants)
        .set({ expiresAt: ago(1) })
        .where(eq(schema.sshGrants.workspaceId, withGrant.id))
        .returning(),
    );
    const idle = await runningWorkspace(b, "b-idle", { lastActiveAt: ago(31) });
    expect((await rows([idle.id]))[0]!.autoStopAt!.getTime()).toBeLessThan(Date.now());
    expect(await vmHost.identitiesOn(withGrant.providerVmId!)).toBe(1);

    await vmHost.clearCalls();
    // A small git budget, so the test does not wait out many hung commands (each still gets the
    // least time a command is given); the others keep their defaults.
    const result = await tickResult({ ...bindings, CRON_BUDGET_GIT_POLL_SECONDS: "2" });

    // B's grant is revoked, at the provider too, and B's idle workspace is paused.
    const [revoked] = await insert((db) =>
      db.select().from(schema.sshGrants).where(eq(schema.sshGrants.id, grant!.id)),
    );
    expect(revoked!.revokedAt).not.toBeNull();
    expect(await vmHost.identitiesOn(withGrant.providerVmId!)).toBe(0);
    expect((await rows([idle.id]))[0]).toMatchObject({ status: "paused", operation: null });
    expect((await vmHost.vm(idle.providerVmId!)).body.state).toBe("suspended");
    expect(result.grants).toMatchObject({ revoked: 1, left: 0 });
    expect(result.idleStop).toMatchObject({ stopped: 1, left: 0 });

    // C's polling went on beside A's hung checks.
    expect((await rows([healthy.id]))[0]).toMatchObject({ syncStatus: "up_to_date" });

    // A's checks: the one in flight timed out and says so; the rest are left, still unchecked and
    // first in line for the next tick, and the job reports how many.
    const git = result.gitPoll as { timedOut: number; left: number };
    expect(git.timedOut).toBeGreaterThanOrEqual(1);
    expect(git.left).toBeGreaterThanOrEqual(1);
    const after = await rows(hung.map((w) => w.id));
    const checked = after.filter((r) => r.syncCheckedAt !== null);
    expect(checked.length + git.left).toBe(HUNG);
    for (const r of checked) expect(r.syncMessage).toMatch(/did not answer in time/);

    // Ordering, from the VM host's call log: B's revocation and suspend were answered before the
    // first of A's hung commands came back, so they never waited behind it.
    const calls = await vmHost.calls();
    const hungVms = new Set(hung.map((w) => w.providerVmId));
    const hungExecs = calls.filter(
      (call) => call.path.endsWith("/exec-await") && hungVms.has(call.path.split("/")[3]!),
    );
    expect(hungExecs.length).toBeGreaterThanOrEqual(1);
    const firstHungBack = Math.min(...hungExecs.map((call) => Date.parse(call.finishedAt)));
    const revocation = calls.filter(
      (call) => call.method === "DELETE" && call.path.includes(grant!.providerIdentityId),
    );
    const suspend = calls.filter((call) => call.path === `/v1/vms/${idle.providerVmId}/suspend`);
    expect(revocation.length).toBeGreaterThanOrEqual(1);
    expect(suspend).toHaveLength(1);
    for (const call of [...revocation, ...suspend]) {
      expect(Date.parse(call.finishedAt)).toBeLessThan(firstHungBack);
    }
    // One organization's checks ran one at a time: its hung commands never overlapped.
    const spans = hungExecs
      .map((call) => [Date.parse(call.at), Date.parse(call.finishedAt)] as const)
      .sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });
});
