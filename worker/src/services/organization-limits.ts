import type { Database, Executor } from "@cw/db";
import { sql } from "drizzle-orm";
import { limitReached } from "../domain/problems.ts";

export interface OrganizationLimit {
  /** The variable that sets it (`MAX_WORKSPACES_PER_ORGANIZATION`), which the problem names. */
  name: string;
  max: number;
  /** What is counted, for the problem's detail ("workspaces"). */
  noun: string;
  status: 422 | 429;
}

/**
 * Runs `write` only if the organization has fewer than `limit.max` of what `count` counts, in one
 * transaction holding an advisory lock on (organization, limit), so concurrent writers queue
 * instead of all passing the same count.
 */
export async function withinOrganizationLimit<T>(
  db: Database,
  organizationId: string,
  limit: OrganizationLimit,
  count: (tx: Executor) => Promise<number>,
  write: (tx: Executor) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`${limit.name}:${organizationId}`}, 0))`,
    );
    const current = await count(tx);
    if (current >= limit.max) throw limitProblem(limit, current);
    return write(tx);
  });
}

export const limitProblem = (limit: OrganizationLimit, current: number) =>
  limitReached(
    limit.name,
    limit.max,
    `the organization has ${current} ${limit.noun}, the most allowed (${limit.name}=${limit.max})`,
    limit.status,
  );
