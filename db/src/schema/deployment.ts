import { sql } from "drizzle-orm";
import { check, integer, pgTable, uuid } from "drizzle-orm/pg-core";

/**
 * One row: who this deployment is. Every VM it creates is tagged with this id, so the janitor
 * never touches a VM another deployment (or anything else) made in the same provider account.
 * Made on first use, not by the migration, so each database — a test's clone of the migrated
 * template included — gets an id of its own.
 */
export const deployment = pgTable(
  "deployment",
  {
    id: integer("id").primaryKey().default(1),
    deploymentId: uuid("deployment_id").notNull().defaultRandom(),
  },
  (t) => [check("deployment_single_row", sql`${t.id} = 1`)],
);
