import type { CreateRepository, Repository } from "@cw/contracts";
import { schema } from "@cw/db";
import { desc, eq } from "drizzle-orm";
import type { z } from "zod";
import { userActor } from "../domain/events.ts";
import { Problem } from "../domain/problems.ts";
import { type Caller, type Deps, notifyChange } from "./deps.ts";
import { recordEvents } from "./event-log.ts";
import { assertRepositoryUrl } from "./repository-url-check.ts";

const repos = schema.repositories;

export const repositoryView = (r: typeof repos.$inferSelect): Repository => ({
  id: r.id,
  name: r.name,
  cloneUrl: r.cloneUrl,
  defaultBranch: r.defaultBranch,
  createdAt: r.createdAt.toISOString(),
});

export async function createRepository(deps: Deps, caller: Caller, input: z.output<typeof CreateRepository>) {
  await assertRepositoryUrl(deps, input.cloneUrl, "body.cloneUrl");
  const row = await deps.db.transaction(async (tx) => {
    const [added] = await tx
      .insert(repos)
      .values({ ...input, organizationId: caller.organizationId, createdAt: deps.now() })
      .onConflictDoNothing({ target: [repos.organizationId, repos.name] })
      .returning();
    if (added)
      await recordEvents(tx, caller.organizationId, userActor(caller), [
        { type: "repository.created", workspaceId: null, data: { repositoryId: added.id, name: added.name } },
      ]);
    return added;
  });
  if (row) await notifyChange(deps, caller.organizationId);
  if (!row) {
    throw new Problem(409, "conflict", "Conflict", `a repository named "${input.name}" already exists`, {
      errors: [{ field: "name", message: "already exists in this organization" }],
    });
  }
  return repositoryView(row);
}

export async function listRepositories(deps: Deps, caller: Caller) {
  const rows = await deps.db
    .select()
    .from(repos)
    .where(eq(repos.organizationId, caller.organizationId))
    .orderBy(desc(repos.createdAt), desc(repos.id));
  return rows.map(repositoryView);
}
