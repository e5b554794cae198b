import { schema } from "@cw/db";
import { sql } from "drizzle-orm";
import { databaseName, withBenchStack } from "./bench-stack.ts";

const FLEETS = [1_000, 100_000];
const DUE = 100;

/**
 * `pnpm bench tick`: the cost of one Cron Trigger tick with 100 due (idle) workspaces among 1 000,
 * then among 100 000 (rows inserted directly). The due ones have real VMs on the local VM host,
 * so each auto-stop is a real provider call; the rest are running and recently active.
 */
export async function benchTick() {
  const ticks: string[] = [];
  return withBenchStack(
    { log: (c) => (l) => (c === "worker" && l.includes("tick {") ? ticks.push(l) : undefined) },
    async (ctx) => {
      const { stack, db } = ctx;
      let inserted = 0;
      let serial = 0;
      const base = {
        organizationId: ctx.organizationId,
        repositoryId: ctx.repositoryId,
        creatorId: ctx.userId,
        branch: "main",
        status: "running" as const,
      };

      const createVm = async () => {
        const res = await fetch(`${stack.vmHost!.url}/v1/vms`, {
          method: "POST",
          headers: { authorization: `Bearer ${stack.vmHost!.apiKey}`, "content-type": "application/json" },
          body: JSON.stringify({
            git: { repos: [{ repo: ctx.cloneUrl, path: "/workspace", rev: "main" }] },
            workdir: "/workspace",
          }),
        });
        return ((await res.json()) as { id: string }).id;
      };

      const grow = async (to: number) => {
        const now = new Date();
        const filler = to - inserted - DUE;
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
        const vms: string[] = [];
        for (let i = 0; i < DUE; i += 10)
          vms.push(...(await Promise.all(Array.from({ length: 10 }, createVm))));
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
        inserted = to;
        // As autovacuum would have by then in production: fresh statistics for the planner.
        await db.db.execute(sql`analyze cloud_workspaces`);
      };

      const tick = async () => {
        const t0 = performance.now();
        const res = await fetch(`${stack.workerUrl}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
        await res.text();
        return performance.now() - t0;
      };

      await tick(); // warm the isolate and connections
      const results: { fleet: number; ms: number }[] = [];
      for (const fleet of FLEETS) {
        await grow(fleet);
        results.push({ fleet, ms: await tick() });
        await new Promise((r) => setTimeout(r, 200));
        console.log(`  jobs at ${fleet}: ${ticks.at(-1)?.slice(ticks.at(-1)!.indexOf("{"))}`);
      }
      console.log(
        `\ntick bench: one tick with ${DUE} due workspaces (real auto-stops), database ${databaseName(stack)}`,
      );
      for (const r of results)
        console.log(`  among ${String(r.fleet).padStart(7)} workspaces: ${r.ms.toFixed(0)} ms`);
      const ratio = results[1]!.ms / results[0]!.ms;
      console.log(`  ratio 100k/1k: ${ratio.toFixed(2)}× (target ≤ 1.5: the tick is O(due), not O(all))`);
      return { ratio };
    },
  );
}
