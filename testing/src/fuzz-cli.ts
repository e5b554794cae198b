import { createApiClient } from "@cw/contracts/client";
import { answerText, checkFuzzAnswer, fuzzRequests } from "./fuzz.ts";
import { startTestStack } from "./stack.ts";

/**
 * `pnpm fuzz <count>`: the worker test's fuzz run (src/fuzz.ts) against a throw-away local stack,
 * over real HTTP, with any count. Prints one line per broken answer (at most 50) and a summary;
 * exits non-zero if any answer broke the rule. `FUZZ_SEED` repeats a run; the seed is printed.
 */
const CONCURRENCY = 8;

async function main(): Promise<number> {
  const count = Number(process.argv[2] ?? "2000");
  if (!Number.isInteger(count) || count < 1) {
    console.error(`fuzz: the count must be a positive whole number, not "${process.argv[2]}"`);
    return 2;
  }
  const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`fuzz: starting a local stack for ${count} requests (seed ${seed})…`);
  const stack = await startTestStack("cw-fuzz-");
  try {
    const api = createApiClient({ baseUrl: stack.workerUrl, token: stack.token });
    const repositoryId = (await api.listRepositories()).items[0]?.id;
    const workspaceId = repositoryId
      ? (await api.createWorkspace({ repositoryId, name: "fuzz-target", branch: "main" })).id
      : undefined;
    const document = await (await fetch(`${stack.workerUrl}/openapi.json`)).json();
    const requests = fuzzRequests(
      { document, token: stack.token, ids: { repositoryId, workspaceId }, seed },
      count,
    );
    const statuses = new Map<number, number>();
    const broken: string[] = [];
    let unsendable = 0;
    const started = Date.now();
    const worker = async () => {
      for (let next = requests.next(); !next.done; next = requests.next()) {
        const req = next.value;
        let res: Response;
        try {
          res = await fetch(`${stack.workerUrl}${req.path}`, {
            method: req.method,
            headers: req.headers,
            body: req.body,
          });
        } catch (err) {
          // fetch refuses to send some of it (forbidden methods, control bytes in a header):
          // nothing reached the worker.
          const cause = (err as { cause?: { name?: string } }).cause;
          if (
            err instanceof TypeError &&
            (!/fetch failed/.test(err.message) || cause?.name === "InvalidArgumentError")
          ) {
            unsendable++;
            continue;
          }
          broken.push(`${req.method} ${req.path.slice(0, 120)} [${req.defect}] → no answer: ${String(err)}`);
          continue;
        }
        const text = await answerText(res);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const wrong = checkFuzzAnswer(res.status, res.headers.get("content-type"), text);
        if (wrong)
          broken.push(
            `${req.method} ${req.path.slice(0, 120)} [${req.defect}] → ${wrong}: ${text.slice(0, 200)}`,
          );
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    for (const line of broken.slice(0, 50)) console.log(`  ✗ ${line}`);
    const byStatus = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(" ");
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `fuzz: ${count} requests in ${seconds} s (seed ${seed}): ${byStatus}; ${unsendable} unsendable; ${broken.length} broke the rule`,
    );
    return broken.length === 0 ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`fuzz: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
