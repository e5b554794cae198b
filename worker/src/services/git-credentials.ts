import type { CreateGitCredential, GitCredential, GitCredentialScope } from "@cw/contracts";
import { schema } from "@cw/db";
import { and, count, desc, eq, inArray, isNull, lt, not, or, type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import { userActor } from "../domain/events.ts";
import { notFound, Problem } from "../domain/problems.ts";
import { open, SealedUnreadable, seal } from "../domain/secret-box.ts";
import { logError } from "../safe-log.ts";
import { type Caller, type Deps, notifyChange } from "./deps.ts";
import { recordEvents } from "./event-log.ts";
import { withinOrganizationLimit } from "./organization-limits.ts";
import { type ResealResult, resealUnderNewestKey, sealedColumns, sealedOf } from "./reseal.ts";

const creds = schema.gitCredentials;
type Row = typeof creds.$inferSelect;

/** What a ciphertext is bound to: its owner and host, so it opens in no other row. */
const contextOf = (row: Pick<Row, "organizationId" | "scope" | "userId" | "host">) =>
  `git-credential\u0000${row.organizationId}\u0000${row.scope}\u0000${row.userId ?? ""}\u0000${row.host}`;

const HINT_MIN_LENGTH = 12;

/** What an event says of a credential: which, for which host, whose; never its secret or hint. */
const credentialEvent = (row: Row) => ({ credentialId: row.id, host: row.host, scope: row.scope });

const view = (row: Row): GitCredential => ({
  id: row.id,
  host: row.host,
  username: row.username,
  scope: row.scope,
  hint: row.hint,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
});

/** The rows of `scope` with this owner and host: the key a credential is unique by. */
function sameKey(
  organizationId: string,
  scope: GitCredentialScope,
  userId: string | null,
  host: string,
): SQL {
  return and(
    eq(creds.organizationId, organizationId),
    eq(creds.scope, scope),
    userId ? eq(creds.userId, userId) : isNull(creds.userId),
    eq(creds.host, host),
  )!;
}

async function isOwner(deps: Deps, caller: Caller): Promise<boolean> {
  const [m] = await deps.db
    .select({ role: schema.memberships.role })
    .from(schema.memberships)
    .where(
      and(
        eq(schema.memberships.organizationId, caller.organizationId),
        eq(schema.memberships.userId, caller.userId),
      ),
    );
  return m?.role === "owner";
}

const ownersOnly = () =>
  new Problem(403, "forbidden", "Forbidden", "only the organization's owners manage its git credentials", {
    errors: [{ field: "body.scope", message: "organization credentials are managed by owners" }],
  });

/**
 * Adds a credential for a host, or replaces the one of the same scope and host (a rotation): the
 * secret is sealed under the first key of GIT_CREDENTIAL_KEYS and never returned.
 */
export async function createGitCredential(
  deps: Deps,
  caller: Caller,
  input: z.output<typeof CreateGitCredential>,
): Promise<GitCredential> {
  if (input.scope === "organization" && !(await isOwner(deps, caller))) throw ownersOnly();
  const owner = {
    organizationId: caller.organizationId,
    scope: input.scope,
    userId: input.scope === "user" ? caller.userId : null,
    host: input.host,
  };
  const sealed = await seal(deps.config.GIT_CREDENTIAL_KEYS, input.secret, contextOf(owner));
  const values = {
    ...owner,
    username: input.username,
    ...sealedColumns(sealed),
    hint: input.secret.length >= HINT_MIN_LENGTH ? input.secret.slice(-4) : null,
    createdAt: deps.now(),
    lastUsedAt: null,
  };
  const key = sameKey(owner.organizationId, owner.scope, owner.userId, owner.host);
  const row = await withinOrganizationLimit(
    deps.db,
    caller.organizationId,
    {
      name: "MAX_GIT_CREDENTIALS_PER_ORGANIZATION",
      max: deps.config.MAX_GIT_CREDENTIALS_PER_ORGANIZATION,
      noun: "git credentials",
      status: 422,
    },
    // A replacement does not add one.
    async (tx) =>
      (
        await tx
          .select({ n: count() })
          .from(creds)
          .where(and(eq(creds.organizationId, caller.organizationId), not(key)))
      )[0]!.n,
    async (tx) => {
      const [existing] = await tx.update(creds).set(values).where(key).returning();
      const saved = existing ?? (await tx.insert(creds).values(values).returning())[0]!;
      await recordEvents(tx, caller.organizationId, userActor(caller), [
        { type: "git_credential.created", workspaceId: null, data: credentialEvent(saved) },
      ]);
      return saved;
    },
  );
  await notifyChange(deps, caller.organizationId);
  return view(row);
}

/** The caller's own credentials and the organization's; never another user's. */
export async function listGitCredentials(deps: Deps, caller: Caller): Promise<GitCredential[]> {
  const rows = await deps.db
    .select()
    .from(creds)
    .where(
      and(
        eq(creds.organizationId, caller.organizationId),
        or(eq(creds.scope, "organization"), eq(creds.userId, caller.userId)),
      ),
    )
    .orderBy(creds.host, desc(creds.scope), desc(creds.createdAt));
  return rows.map(view);
}

/** Deletes one of the caller's credentials, or (owners) one of the organization's. VMs stop receiving it at once. */
export async function deleteGitCredential(deps: Deps, caller: Caller, id: string) {
  const [row] = await deps.db
    .select({ scope: creds.scope, userId: creds.userId })
    .from(creds)
    .where(and(eq(creds.id, id), eq(creds.organizationId, caller.organizationId)));
  if (!row || (row.scope === "user" && row.userId !== caller.userId)) throw notFound("git credential");
  if (row.scope === "organization" && !(await isOwner(deps, caller))) throw ownersOnly();
  await deps.db.transaction(async (tx) => {
    const gone = await tx
      .delete(creds)
      .where(and(eq(creds.id, id), eq(creds.organizationId, caller.organizationId)))
      .returning();
    await recordEvents(
      tx,
      caller.organizationId,
      userActor(caller),
      gone.map((c) => ({
        type: "git_credential.deleted" as const,
        workspaceId: null,
        data: credentialEvent(c),
      })),
    );
  });
  await notifyChange(deps, caller.organizationId);
}

/**
 * The credential a workspace's git gets for `host`: its creator's own, else the organization's;
 * opened, with its use recorded (at most once a minute). Null when there is none, or when it
 * cannot be opened (its key left GIT_CREDENTIAL_KEYS: logged, never the secret).
 */
export async function credentialForHost(
  deps: Deps,
  workspace: { organizationId: string; creatorId: string },
  host: string,
): Promise<{ username: string; secret: string } | null> {
  const [row] = await deps.db
    .select()
    .from(creds)
    .where(
      and(
        eq(creds.organizationId, workspace.organizationId),
        eq(creds.host, host),
        or(
          and(eq(creds.scope, "user"), eq(creds.userId, workspace.creatorId)),
          eq(creds.scope, "organization"),
        ),
      ),
    )
    // The user's own first.
    .orderBy(sql`${creds.scope} = 'user' desc`)
    .limit(1);
  if (!row) return null;
  let secret: string;
  try {
    secret = await open(deps.config.GIT_CREDENTIAL_KEYS, sealedOf(row), contextOf(row));
  } catch (err) {
    if (!(err instanceof SealedUnreadable)) throw err;
    logError(`git credential ${row.id} cannot be opened:`, err);
    return null;
  }
  const now = deps.now();
  await deps.db
    .update(creds)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(creds.id, row.id),
        or(isNull(creds.lastUsedAt), lt(creds.lastUsedAt, new Date(now.getTime() - 60_000))),
      ),
    );
  return { username: row.username, secret };
}

/**
 * Moves credentials sealed under an older key of GIT_CREDENTIAL_KEYS to the first one, a batch a
 * tick, so an old key can be dropped once none is left under it. The update is conditional on the
 * row's ciphertext being unchanged, so a concurrent replacement is never overwritten.
 */
export const reencryptGitCredentials = (deps: Deps): Promise<ResealResult> =>
  resealUnderNewestKey<Row>(deps.config.GIT_CREDENTIAL_KEYS, {
    stale: (older, limit) =>
      deps.db.select().from(creds).where(inArray(creds.secretKeyId, older)).limit(limit),
    contextOf,
    save: async (row, columns) =>
      (
        await deps.db
          .update(creds)
          .set(columns)
          .where(and(eq(creds.id, row.id), eq(creds.secretCiphertext, row.secretCiphertext)))
          .returning({ id: creds.id })
      ).length > 0,
  });
