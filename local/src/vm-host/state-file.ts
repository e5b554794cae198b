import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writePrivateFileSync } from "@cw/client-node/private-files";
import { z } from "zod";

const repoSchema = z.object({ repo: z.string(), path: z.string(), rev: z.string().nullish() });

export const persistenceSchema = z.union([
  z.object({ type: z.literal("sticky"), priority: z.number().int().min(0).max(10).nullish() }),
  z.object({ type: z.literal("ephemeral"), deleteEvent: z.enum(["OnStop", "OnSuspend"]).nullish() }),
  z.object({ type: z.literal("persistent") }),
]);
export type Persistence = z.infer<typeof persistenceSchema>;

export const vmUserSchema = z.looseObject({ name: z.string() });

const storedVmSchema = z.object({
  id: z.string(),
  state: z.enum(["running", "suspended", "stopped"]),
  vmInstanceId: z.string(),
  workdir: z.string(),
  idleTimeoutSeconds: z.number().nullable(),
  persistence: persistenceSchema,
  users: z.array(vmUserSchema),
  repos: z.array(repoSchema),
  createdAt: z.string(),
  lastActivityAt: z.string(),
});
export type StoredVm = z.infer<typeof storedVmSchema>;

const storedIdentitySchema = z.object({ id: z.string(), managed: z.boolean(), createdAt: z.string() });
export type StoredIdentity = z.infer<typeof storedIdentitySchema>;

const storedPermissionSchema = z.object({
  id: z.string(),
  vmId: z.string(),
  identityId: z.string(),
  allowedUsers: z.array(z.string()).nullable(),
  grantedAt: z.string(),
  grantedBy: z.string(),
});
export type StoredPermission = z.infer<typeof storedPermissionSchema>;

const storedTokenSchema = z.object({
  id: z.string(),
  identityId: z.string(),
  token: z.string(),
  createdAt: z.string(),
});
export type StoredToken = z.infer<typeof storedTokenSchema>;

const stateFileSchema = z.object({
  version: z.literal(1),
  vms: z.array(storedVmSchema),
  identities: z.array(storedIdentitySchema),
  permissions: z.array(storedPermissionSchema),
  tokens: z.array(storedTokenSchema),
});
export type StateFile = z.infer<typeof stateFileSchema>;

export function emptyState(): StateFile {
  return { version: 1, vms: [], identities: [], permissions: [], tokens: [] };
}

export function stateFilePath(dataDir: string): string {
  return join(dataDir, "state.json");
}

/** A corrupt file is an error, not an empty state: silently starting fresh would orphan every VM dir. */
export function readStateFile(dataDir: string): StateFile {
  const file = stateFilePath(dataDir);
  if (!existsSync(file)) return emptyState();
  const parsed = stateFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`vm-host: ${file} is not a valid state file: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * Synchronous on purpose: writes are tiny and rare (lifecycle changes only), and doing them
 * inline keeps concurrent requests from interleaving partial snapshots. Temp + rename makes a
 * crash leave either the old or the new file, never half of one. Owner-only: it holds live SSH
 * tokens, and anyone holding one gets a shell as this user.
 */
export function writeStateFile(dataDir: string, state: StateFile): void {
  writePrivateFileSync(stateFilePath(dataDir), `${JSON.stringify(state, null, 2)}\n`);
}
