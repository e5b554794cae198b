import { createApiClient } from "@cw/contracts/client";
import { createOrganizationWithOwner, schema } from "@cw/db";
import { controlClient, startSilentServer } from "@cw/testing/node";
import { eq, inArray, sql } from "drizzle-orm";
import { databaseName, withBenchStack } from "./bench-stack.ts";
import { percentile } from "./stats.ts";

const FLEETS = [1_000, 100_000];
const DUE = 100;
/** Ticks measured per fleet size, the median reported: a shared machine is noisy. */
const REPEATS = 3;
/** Ticks before the first measured one: the first few after start-up run slower, whatever the fleet. */
const WARM_TICKS = 2;
const SUSPEND_DELAY_MS = 1_000;
const HUNG = 10;

type Ctx = Parameters<Parameters<typeof withBenchStack>[1]>[0];

/**
 * `pnpm bench tick`, three figures of the Cron Trigger's tick:
 *
 * 1. O(due): one tick with 100 due (idle) workspaces among 1 000, then among 100 000 (rows inserted
 *    directly; the due ones have real VMs on the local VM host, so each auto-stop is a real
 *    provider call; the rest are running and recently active), the median of REPEATS ticks.
 *    Target: ratio ≤ 1.5.
 * 2. A burst: one tick with 100 due workspaces while the VM host delays every suspend by 1 s.
 *    One after another that is ~100 s; target ≤ 25 s.
 * 3. A slow tenant: 10 workspaces of another organization whose git remote hangs (a server that
 *    accepts and never answers) beside one organization's due auto-stop and expired SSH grant:
 *    both must be done well before the next tick (60 s after this one starts).
 */
export async function benchTick() {
  const ticks: string[] = [];
  return withBenchStack(
    {
      vmHostControl: true,
      log: (c) => (l) => (c === "worker" && l.includes("tick {") ? ticks.push(l) : undefined),
    },
    async (ctx) => {
      const { stack } = ctx;
      const control = controlClient(stack.vmHost!.url);
      const lastTick = async () => {
        // The worker logs the tick's result once the handler returns; give the log a moment.
        await new Promise((r) => setTimeout(r, 300));
        const line = ticks.at(-1) ?? "";
        return JSON.parse(line.slice(line.indexOf("{"))) as Record<string, Record<string, number>>;
      };
      const tick = async () => {
        const t0 = performance.now();
        const res = await fetch(`${stack.workerUrl}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
        await res.text();
        return { t0: Date.now() - (performance.now() - t0), ms: performance.now() - t0 };
      };

      // 1. O(due)
      const fleet = fleetOf(ctx);
      const results: { fleet: number; ms: number }[] = [];
      for (const [i, size] of FLEETS.entries()) {
        await fleet.grow(size);
        // Warm the isolate, its connections and every job's code path with ticks like the
        // measured ones (each stops its due ones; each measured tick gets 100 new due workspaces).
        for (let warm = 0; i === 0 && warm < WARM_TICKS; warm++) {
          await fleet.addDue();
          await tick();
          await fleet.removeDue();
        }
        const times: number[] = [];
        for (let rep = 0; rep < REPEATS; rep++) {
          await fleet.addDue();
          times.push((await tick()).ms);
          // The VM host writes its whole state on each change: keep its VM count from growing
          // with the repetitions, so that only the database's fleet differs between the sizes.
          await fleet.removeDue();
        }
        results.push({ fleet: size, ms: percentile(times, 50) });
        console.log(`  ticks at ${size}: ${times.map((t) => t.toFixed(0)).join(", ")} ms`);
        console.log(`  jobs at ${size} (last): ${JSON.stringify(await lastTick())}`);
      }

      // 2. A burst of slow suspends
      await fleet.addDue();
      await control.addFault({ method: "POST", path: "/suspend$", delayMs: SUSPEND_DELAY_MS });
      const burst = await tick();
      const burstJobs = await lastTick();
      await control.clearFaults();
      console.log(`  jobs in the burst: ${JSON.stringify(burstJobs)}`);

      // 3. A slow tenant
      const slow = await slowTenant(ctx);
      await control.clearCalls();
      const slowTick = await tick();
      const slowJobs = await lastTick();
      await slow.close();
      console.log(`  jobs beside the slow tenant: ${JSON.stringify(slowJobs)}`);
      const calls = await control.calls();
      const doneAfter = (match: (path: string, method: string) => boolean) => {
        const ends = calls.filter((c) => match(c.path, c.method)).map((c) => Date.parse(c.finishedAt));
        return ends.length ? Math.max(...ends) - slowTick.t0 : Number.NaN;
      };
      const revokedAfter = doneAfter((p, m) => m === "DELETE" && p.includes(slow.identityId));
      const stoppedAfter = doneAfter((p) => p === `/v1/vms/${slow.idleVmId}/suspend`);
      const [revoked] = await ctx.db.db
        .select({ at: schema.sshGrants.revokedAt })
        .from(schema.sshGrants)
        .where(eq(schema.sshGrants.providerIdentityId, slow.identityId));
      const [idle] = await ctx.db.db
        .select({ status: schema.cloudWorkspaces.status })
        .from(schema.cloudWorkspaces)
        .where(eq(schema.cloudWorkspaces.providerVmId, slow.idleVmId));

      console.log(`\ntick bench, database ${databaseName(stack)}`);
      console.log(`  one tick with ${DUE} due workspaces (real auto-stops), median of ${REPEATS}:`);
      for (const r of results)
        console.log(`    among ${String(r.fleet).padStart(7)} workspaces: ${r.ms.toFixed(0)} ms`);
      const ratio = results[1]!.ms / results[0]!.ms;
      console.log(`    ratio 100k/1k: ${ratio.toFixed(2)}× (target ≤ 1.5: the tick is O(due), not O(all))`);
      console.log(
        `  ${DUE} due while every suspend takes ${SUSPEND_DELAY_MS} ms: ${(burst.ms / 1000).toFixed(1)} s ` +
          `(${burstJobs.idleStop?.stopped} stopped, ${burstJobs.idleStop?.left} left; target ≤ 25 s, one after another ≈ ${(DUE * SUSPEND_DELAY_MS) / 1000} s)`,
      );
      console.log(
        `  beside ${HUNG} workspaces whose git remote hangs: the other organization's expired grant revoked ` +
          `${(revokedAfter / 1000).toFixed(2)} s and its idle workspace ${idle?.status} ${(stoppedAfter / 1000).toFixed(2)} s ` +
          `after the tick began (target: before the next tick, 60 s); the tick took ${(slowTick.ms / 1000).toFixed(1)} s; ` +
          `git polling timed out ${slowJobs.gitPoll?.timedOut} and left ${slowJobs.gitPoll?.left} for the next tick` +
          (revoked?.at ? "" : " — THE GRANT WAS NOT REVOKED"),
      );
      return { ratio, burstMs: burst.ms, revokedAfter, stoppedAfter };
    },
  );
}

/** Creates a VM at the local VM host with the bench repository checked out. */
async function createVm(ctx: Ctx): Promise<string> {
  const host = ctx.stack.vmHost!;
  const res = await fetch(`${host.url}/v1/vms`, {
    method: "POST",
    headers: { authorization: `Bearer ${host.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      git: { repos: [{ repo: ctx.cloneUrl, path: "/workspace", rev: "main" }] },
      workdir: "/workspace",
    }),
  });
  return ((await res.json()) as { id: string }).id;
}

async function createVms(ctx: Ctx, n: number): Promise<string[]> {
  const vms: string[] = [];
  for (let i = 0; i < n; i += 10)
    vms.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => createVm(ctx)))));
  return vms;
}

async function execIn(ctx: Ctx, vmId: string, command: string) {
  const host = ctx.stack.vmHost!;
  const res = await fetch(`${host.url}/v1/vms/${vmId}/exec-await`, {
    method: "POST",
    headers: { authorization: `Bearer ${host.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ command, terminal: null, timeoutMs: 10_000 }),
  });
  const out = (await res.json()) as { statusCode: number | null; stderr: string };
  if (out.statusCode !== 0) throw new Error(`exec in ${vmId}: ${out.stderr}`);
}

/** The seeded organization's fleet: recently active fillers (fake VM ids) and due workspaces. */
function fleetOf(ctx: Ctx) {
  const { db } = ctx;
  let inserted = 0;
  let serial = 0;
  const base = {
    organizationId: ctx.organizationId,
    repositoryId: ctx.repositoryId,
    creatorId: ctx.userId,
    branch: "main",
    status: "running" as const,
  };
  let due: string[] = [];
  const addDue = async () => {
    const now = new Date();
    const vms = await createVms(ctx, DUE);
    due = vms;
    await db.db.insert(schema.cloudWorkspaces).values(
      vms.map((vmId) => ({
        ...base,
        name: `due-${serial++}`,
        providerVmId: vmId,
        lastActiveAt: new Date(Date.now() - 31 * 60_000),
        statusCheckedAt: now,
        syncCheckedAt: now,
      })),
    );
  };
  const grow = async (to: number) => {
    const now = new Date();
    const filler = to - inserted;
    for (let i = 0; i < filler; i += 1000) {
      const n = Math.min(1000, filler - i);
      await db.db.insert(schema.cloudWorkspaces).values(
        Array.from({ length: n }, () => ({
          ...base,
          name: `filler-${serial}`,
          providerVmId: `filler${String(serial++).padStart(14, "0")}`,
          lastActiveAt: now,
          statusCheckedAt: now,
          syncCheckedAt: now,
        })),
      );
    }
    inserted = to;
    // As autovacuum would have by then in production: fresh statistics for the planner.
    await db.db.execute(sql`analyze cloud_workspaces`);
  };
  const removeDue = async () => {
    const host = ctx.stack.vmHost!;
    for (const vmId of due)
      await fetch(`${host.url}/v1/vms/${vmId}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${host.apiKey}` },
      }).then((r) => r.text());
    await db.db.delete(schema.cloudWorkspaces).where(inArray(schema.cloudWorkspaces.providerVmId, due));
    due = [];
  };
  return { grow, addDue, removeDue };
}

/**
 * Organization A: HUNG workspaces, each on a repository of its own, whose VM's origin is a server
 * that never answers. Organization B: a workspace with an SSH grant (through the API) that has
 * expired, and one idle past its auto-stop.
 */
async function slowTenant(ctx: Ctx) {
  const { db } = ctx;
  const silent = await startSilentServer();
  const org = (name: string) =>
    createOrganizationWithOwner(db.db, {
      organizationName: name,
      email: `${name}-${Date.now()}@bench.test`,
      userName: name,
    });
  const a = await org("slow-a");
  const b = await org("slow-b");
  const workspace = async (
    owner: typeof a,
    name: string,
    vmId: string,
    fields: { lastActiveAt?: Date; syncCheckedAt?: Date | null } = {},
  ) => {
    const [repo] = await db.db
      .insert(schema.repositories)
      .values({ organizationId: owner.organization.id, name, cloneUrl: ctx.cloneUrl, defaultBranch: "main" })
      .returning();
    const [row] = await db.db
      .insert(schema.cloudWorkspaces)
      .values({
        organizationId: owner.organization.id,
        repositoryId: repo!.id,
        creatorId: owner.user.id,
        name,
        branch: "main",
        status: "running",
        providerVmId: vmId,
        // First in line for git polling, ahead of the fleet's fillers.
        syncCheckedAt: null,
        ...fields,
      })
      .returning();
    return row!;
  };
  const hungVms = await createVms(ctx, HUNG);
  for (const [i, vmId] of hungVms.entries()) {
    await execIn(ctx, vmId, `git remote set-url origin ${silent.url}/never.git`);
    await workspace(a, `hung-${i}`, vmId);
  }
  const [grantVm, idleVm] = await createVms(ctx, 2);
  const withGrant = await workspace(b, "b-ssh", grantVm!, { syncCheckedAt: new Date() });
  const api = createApiClient({ baseUrl: ctx.stack.workerUrl, token: b.token });
  await api.createSshCredentials(withGrant.id);
  const [grant] = await db.db
    .update(schema.sshGrants)
    .set({ expiresAt: new Date(Date.now() - 60_000) })
    .where(eq(schema.sshGrants.workspaceId, withGrant.id))
    .returning();
  await workspace(b, "b-idle", idleVm!, { lastActiveAt: new Date(Date.now() - 31 * 60_000) });
  return { identityId: grant!.providerIdentityId, idleVmId: idleVm!, close: silent.close };
}
