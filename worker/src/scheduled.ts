import { createDb } from "@cw/db";
import { parseConfig } from "./config.ts";
import { providerFactory } from "./providers/index.ts";
import type { Deps } from "./services/deps.ts";
import { revokeExpiredGrants } from "./services/ssh-grants.ts";

/** Builds the deps of one scheduled event; the pool is closed when the event's work is done. */
export async function runScheduled(env: Record<string, unknown>, now: Date) {
  const config = parseConfig(env);
  const handle = createDb(config);
  const deps: Deps = { db: handle.db, providers: providerFactory(config), config, now: () => now };
  try {
    return { grants: await revokeExpiredGrants(deps) };
  } finally {
    await handle.close();
  }
}
