import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StackOptions, startStack } from "@cw/local/stack";

export type TestStack = Awaited<ReturnType<typeof startStack>> & {
  /** Stops the stack and removes its data folder. */
  stop(): Promise<void>;
};

/**
 * A throw-away local stack as `pnpm dev` starts it (embedded PostgreSQL, the VM host with SSH, the
 * worker under wrangler dev), in a fresh temporary folder, with the cron tick left to the test.
 * Its log is kept quiet and printed only if start-up fails, unless `opts.log` says otherwise.
 */
export async function startTestStack(prefix: string, opts: StackOptions = {}): Promise<TestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  // As root, the embedded PostgreSQL runs as the postgres user, which must reach its folder.
  chmodSync(dataDir, 0o755);
  const lines: string[] = [];
  try {
    const stack = await startStack({
      dataDir,
      cronEveryMs: 3_600_000,
      log: (c) => (l) => {
        lines.push(`[${c}] ${l}`);
      },
      ...opts,
    });
    return {
      ...stack,
      async stop() {
        await stack.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (!opts.log) console.error(lines.join("\n"));
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
