import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * How a running local stack (`pnpm dev`) tells other commands on the machine (`pnpm admin`) where
 * its database is: `<data folder>/stack.json`, owner-only since the URL carries the password. The
 * stack writes it with the one owner-only writer (`@cw/client-node/private-files`, which this bottom
 * layer may not import); this module says where it is and reads it.
 */

const stackFileSchema = z.object({ databaseUrl: z.string().min(1) });
export type LocalStackFile = z.infer<typeof stackFileSchema>;

/** The local stack's data folder: `CW_DATA_DIR`, else `.data/` at the repository's root. */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CW_DATA_DIR || fileURLToPath(new URL("../../.data", import.meta.url));
}

export const localStackFilePath = (dataDir: string) => join(dataDir, "stack.json");

/** The running stack's file, or undefined when no stack is running there. */
export function readLocalStackFile(dataDir: string): LocalStackFile | undefined {
  const file = localStackFilePath(dataDir);
  if (!existsSync(file)) return undefined;
  return stackFileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
}
