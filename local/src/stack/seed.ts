import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writePrivateFileSync } from "@cw/client-node/private-files";
import { createDb, createOrganizationWithOwner, hashApiToken, schema } from "@cw/db";
import { useNodeWebSocket } from "@cw/db/node";
import { and, eq } from "drizzle-orm";
import { z } from "zod";

const seedFileSchema = z.object({ token: z.string(), organizationId: z.string() });
type SeedFile = z.infer<typeof seedFileSchema>;

/**
 * The local organization, its owner and an API token, created once and remembered in the data
 * directory (only the hash is in the database, so the plain token is kept here for printing).
 * A demo repository is registered in it when given.
 */
export async function ensureLocalOrganization(
  dbEnv: { DATABASE_URL: string; DATABASE_WS_PROXY: string },
  dataDir: string,
  demo?: { name: string; cloneUrl: string },
) {
  useNodeWebSocket();
  const file = join(dataDir, "local-org.json");
  const handle = createDb(dbEnv);
  try {
    let seed: SeedFile | null = existsSync(file)
      ? seedFileSchema.parse(JSON.parse(readFileSync(file, "utf8")))
      : null;
    if (seed) {
      const [known] = await handle.db
        .select({ id: schema.apiTokens.id })
        .from(schema.apiTokens)
        .where(eq(schema.apiTokens.tokenHash, await hashApiToken(seed.token)));
      if (!known) seed = null;
    }
    if (!seed) {
      const created = await createOrganizationWithOwner(handle.db, {
        organizationName: "Local",
        email: "you@localhost",
        userName: "Local developer",
      });
      seed = { token: created.token, organizationId: created.organization.id };
      writePrivateFileSync(file, JSON.stringify(seed, null, 2));
    }
    if (demo) {
      const repos = schema.repositories;
      const [existing] = await handle.db
        .select()
        .from(repos)
        .where(and(eq(repos.organizationId, seed.organizationId), eq(repos.name, demo.name)));
      if (existing && existing.cloneUrl !== demo.cloneUrl) {
        await handle.db.update(repos).set({ cloneUrl: demo.cloneUrl }).where(eq(repos.id, existing.id));
      }
      if (!existing) await handle.db.insert(repos).values({ organizationId: seed.organizationId, ...demo });
    }
    return seed;
  } finally {
    await handle.close();
  }
}
