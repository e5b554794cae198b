import { schema } from "@cw/db";
import { databaseName, withBenchStack } from "./bench-stack.ts";
import { fmt, percentile, timeRequests } from "./stats.ts";

/**
 * `pnpm bench api`: p50/p99 of GET /v1/workspaces (1 000 workspaces in the organization, paged)
 * against GET /healthz, on one worker under wrangler dev.
 */
export async function benchApi(opts: { workspaces?: number; requests?: number } = {}) {
  const total = opts.workspaces ?? 1000;
  const n = opts.requests ?? 300;
  return withBenchStack({}, async ({ stack, db, organizationId, userId, repositoryId }) => {
    const base = Date.now() - total * 1000;
    for (let i = 0; i < total; i += 250) {
      await db.db.insert(schema.cloudWorkspaces).values(
        Array.from({ length: Math.min(250, total - i) }, (_, j) => ({
          organizationId,
          repositoryId,
          creatorId: userId,
          name: `bench-${i + j}`,
          branch: "main",
          status: "running" as const,
          providerVmId: `bench${String(i + j).padStart(15, "0")}`,
          createdAt: new Date(base + (i + j) * 1000),
        })),
      );
    }

    // Raw fetches, not the API client: the figure is the server's latency, and parsing 50 workspaces
    // on one side only would skew the ratio against the trivial route.
    const headers = { authorization: `Bearer ${stack.token}` };
    const cursors: (string | null)[] = [null];
    const walk = async (i: number) => {
      const cursor = cursors[i % cursors.length];
      const res = await fetch(
        `${stack.workerUrl}/v1/workspaces?limit=50${cursor ? `&cursor=${cursor}` : ""}`,
        {
          headers,
        },
      );
      const body = (await res.json()) as { nextCursor: string | null };
      if (!res.ok) throw new Error(`list answered ${res.status}`);
      if (cursors.length < total / 50 && body.nextCursor && i === cursors.length - 1)
        cursors.push(body.nextCursor);
    };
    const health = async () => {
      const res = await fetch(`${stack.workerUrl}/healthz`);
      await res.text();
    };
    // Warm up both paths (isolate, JIT, connection to the proxy) before measuring.
    await timeRequests(30, health);
    await timeRequests(30, walk);
    const healthSamples = await timeRequests(n, health);
    const listSamples = await timeRequests(n, walk);

    const rows = [
      ["GET /healthz", percentile(healthSamples, 50), percentile(healthSamples, 99)],
      [
        `GET /v1/workspaces (limit 50, ${cursors.length} pages of ${total})`,
        percentile(listSamples, 50),
        percentile(listSamples, 99),
      ],
    ] as const;
    console.log(`\napi bench: ${n} sequential requests each, database ${databaseName(stack)}`);
    for (const [name, p50, p99] of rows) console.log(`  ${name.padEnd(52)} p50 ${fmt(p50)}  p99 ${fmt(p99)}`);
    const ratio50 = rows[1][1] / rows[0][1];
    const ratio99 = rows[1][2] / rows[0][2];
    console.log(`  ratio list/trivial: p50 ${ratio50.toFixed(2)}×, p99 ${ratio99.toFixed(2)}× (target ≤ 3)`);
    return { ratio50, ratio99 };
  });
}
