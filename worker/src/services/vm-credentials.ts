import { randomSecret, schema, sha256Hex } from "@cw/db";
import { eq } from "drizzle-orm";
import type { Deps } from "./deps.ts";

const creds = schema.workspaceVmCredentials;
const ws = schema.cloudWorkspaces;

/**
 * A workspace's VM credential: made when its VM is provisioned (replacing any earlier one), stored
 * as its SHA-256 only. The secret is returned once, to be written into the VM. Deleting the
 * workspace deletes the row (a cascade), which is what revokes it.
 */
export async function issueVmCredential(deps: Deps, workspaceId: string): Promise<string> {
  // `cwv_`, so neither an API token nor a VM credential can pass for the other.
  const secret = randomSecret("cwv_");
  const secretHash = await sha256Hex(secret);
  await deps.db
    .insert(creds)
    .values({ workspaceId, secretHash, createdAt: deps.now() })
    .onConflictDoUpdate({ target: creds.workspaceId, set: { secretHash, createdAt: deps.now() } });
  return secret;
}

/** The workspace a VM credential belongs to (with its repository), or null: unknown or revoked. */
export async function workspaceOfVmCredential(deps: Deps, secret: string) {
  if (!secret.startsWith("cwv_")) return null;
  const [found] = await deps.db
    .select({ workspace: ws, cloneUrl: schema.repositories.cloneUrl })
    .from(creds)
    .innerJoin(ws, eq(ws.id, creds.workspaceId))
    .innerJoin(schema.repositories, eq(schema.repositories.id, ws.repositoryId))
    .where(eq(creds.secretHash, await sha256Hex(secret)));
  return found ?? null;
}
