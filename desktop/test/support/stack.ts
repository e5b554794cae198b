import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStack } from "@cw/local/stack";

export type TestStack = Awaited<ReturnType<typeof startStack>> & { stop(): Promise<void> };

/** The real local stack (PGlite, VM host with SSH, worker under wrangler dev); logs shown only on failure. */
export async function startTestStack(prefix: string): Promise<TestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const lines: string[] = [];
  try {
    const stack = await startStack({
      dataDir,
      cronEveryMs: 3_600_000,
      log: (c) => (l) => {
        lines.push(`[${c}] ${l}`);
      },
    });
    return {
      ...stack,
      async stop() {
        await stack.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    console.error(lines.join("\n"));
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
