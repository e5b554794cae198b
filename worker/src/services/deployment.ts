import { type Database, schema } from "@cw/db";

/** This deployment's id (see the `deployment` table): made on first use, the same ever after. */
export async function deploymentId(db: Database): Promise<string> {
  const table = schema.deployment;
  const [made] = await db
    .insert(table)
    .values({})
    .onConflictDoNothing()
    .returning({ id: table.deploymentId });
  if (made) return made.id;
  const [row] = await db.select({ id: table.deploymentId }).from(table);
  return row!.id;
}
