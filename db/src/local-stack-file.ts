import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * How a running local stack (`pnpm dev`) tells other commands on the machine (`pnpm admin`) where
 * its database is: `<data folder>/stack.json`, owner-only since the URL carries the password.
 */

const stackFileSchema = z.object({ databaseUrl: z.string().min(1) });
export type LocalStackFile = z.infer<typeof stackFileSchema>;

/** The local stack's data folder: `CW_DATA_DIR`, else `.data/` at the repository's root. */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CW_DATA_DIR || fileURLToPath(new URL("../../.data", import.meta.url));
}

const fileIn = (dataDir: string) => join(dataDir, "stack.json");

export function writeLocalStackFile(dataDir: string, info: LocalStackFile): string {
  const file = fileIn(dataDir);
  writeFileSync(file, JSON.stringify(info), { mode: 0o600 });
  // `mode` applies only to a new file; one left by a crashed stack keeps whatever it had.
  chmodSync(file, 0o600);
  return file;
}

/** The running stack's file, or undefined when no stack is running there. */
export function readLocalStackFile(dataDir: string): LocalStackFile | undefined {
  const file = fileIn(dataDir);
  if (!existsSync(file)) return undefined;
  return stackFileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
}
