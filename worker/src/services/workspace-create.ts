import type { CreateWorkspace } from "@cw/contracts";
import { type Executor, schema } from "@cw/db";
import { and, count, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import { userActor } from "../domain/events.ts";
import { fingerprint } from "../domain/fingerprint.ts";
import { Problem, validationProblem } from "../domain/problems.ts";
import { availableProviders } from "../providers/index.ts";
import { type Caller, type Deps, notifyChange } from "./deps.ts";
import { recordEvents } from "./event-log.ts";
import { withinOrganizationLimit } from "./organization-limits.ts";

const ws = schema.cloudWorkspaces;

/** A create request's body as the route parsed it (defaults applied). */
export type CreateWorkspaceInput = z.output<typeof CreateWorkspace>;

/**
 * Inserts the workspace in `provisioning` holding the `create` operation; the caller provisions it
 * in the background. With an Idempotency-Key, a repeat of the same request returns the first
 * workspace (`created: false`) and a different body under the same key is refused. A new workspace
 * must fit within the organization's limit; a repeat is answered whatever the count.
 */
export async function createWorkspace(
  deps: Deps,
  caller: Caller,
  input: CreateWorkspaceInput,
  idempotencyKey: string | undefined,
) {
  if (!availableProviders.includes(input.providerType)) {
    throw validationProblem(
      [{ field: "providerType", message: `${input.providerType} is not available yet; use freestyle` }],
      422,
    );
  }
  const [repo] = await deps.db
    .select()
    .from(schema.repositories)
    .where(
      and(
        eq(schema.repositories.id, input.repositoryId),
        eq(schema.repositories.organizationId, caller.organizationId),
      ),
    );
  if (!repo) {
    throw validationProblem(
      [{ field: "repositoryId", message: "no such repository in this organization" }],
      422,
    );
  }
  const print = idempotencyKey ? await fingerprint(input) : null;
  const byKey = async () =>
    idempotencyKey
      ? ((
          await deps.db
            .select()
            .from(ws)
            .where(and(eq(ws.organizationId, caller.organizationId), eq(ws.idempotencyKey, idempotencyKey)))
        )[0] ?? null)
      : null;
  const repeat = (existing: typeof ws.$inferSelect) => {
    if (existing.idempotencyFingerprint !== print) {
      throw new Problem(
        422,
        "idempotency-key-reused",
        "Idempotency key reused",
        "Idempotency-Key was already used with a different request body",
        { errors: [{ field: "header.Idempotency-Key", message: "already used with a different body" }] },
      );
    }
    return { row: existing, repoUrl: repo.cloneUrl, created: false };
  };
  const earlier = await byKey();
  if (earlier) return repeat(earlier);

  const now = deps.now();
  const insert = async (tx: Executor) => {
    const inserted = await tx
      .insert(ws)
      .values({
        ...input,
        organizationId: caller.organizationId,
        creatorId: caller.userId,
        status: "provisioning",
        operation: "create",
        operationStartedAt: now,
        lastActiveAt: now,
        createdAt: now,
        updatedAt: now,
        idempotencyKey: idempotencyKey ?? null,
        idempotencyFingerprint: print,
      })
      .onConflictDoNothing({
        target: [ws.organizationId, ws.idempotencyKey],
        where: sql`${ws.idempotencyKey} is not null`,
      })
      .returning();
    for (const row of inserted)
      await recordEvents(tx, caller.organizationId, userActor(caller), [
        {
          type: "workspace.created",
          workspaceId: row.id,
          data: { name: row.name, branch: row.branch, repositoryId: row.repositoryId },
        },
      ]);
    return inserted;
  };
  const [row] = await withinOrganizationLimit(
    deps.db,
    caller.organizationId,
    {
      name: "MAX_WORKSPACES_PER_ORGANIZATION",
      max: deps.config.MAX_WORKSPACES_PER_ORGANIZATION,
      noun: "workspaces",
      status: 422,
    },
    async (tx) =>
      (await tx.select({ n: count() }).from(ws).where(eq(ws.organizationId, caller.organizationId)))[0]!.n,
    insert,
  );
  if (row) {
    await notifyChange(deps, caller.organizationId);
    return { row, repoUrl: repo.cloneUrl, created: true };
  }

  // A concurrent request with the same key won the insert.
  const existing = await byKey();
  if (!existing) {
    // The first request's workspace was deleted since; the key is spent.
    throw new Problem(
      409,
      "idempotency-key-spent",
      "Idempotency key spent",
      "that workspace no longer exists",
    );
  }
  return repeat(existing);
}
