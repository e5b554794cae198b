import { schema } from "@cw/db";
import { eq } from "drizzle-orm";
import { openDb } from "./database.ts";
import type { Org } from "./org.ts";

/** Workspace rows written straight to the database (the triggers fire as for any writer). */
export function workspaceRows(bindings: Record<string, string>) {
  const env = bindings as { DATABASE_URL: string; DATABASE_WS_PROXY: string };
  return {
    async insert(org: Org, name: string, extra: Partial<typeof schema.cloudWorkspaces.$inferInsert> = {}) {
      const handle = openDb(env);
      try {
        const [row] = await handle.db
          .insert(schema.cloudWorkspaces)
          .values({
            organizationId: org.organizationId,
            repositoryId: org.repositoryId,
            creatorId: org.userId,
            name,
            branch: "main",
            ...extra,
          })
          .returning();
        return row!;
      } finally {
        await handle.close();
      }
    },
    /** The row as it is now. */
    async get(id: string) {
      const handle = openDb(env);
      try {
        const [row] = await handle.db
          .select()
          .from(schema.cloudWorkspaces)
          .where(eq(schema.cloudWorkspaces.id, id));
        if (!row) throw new Error(`no workspace row ${id}`);
        return row;
      } finally {
        await handle.close();
      }
    },
    async update(id: string, set: Partial<typeof schema.cloudWorkspaces.$inferInsert>) {
      const handle = openDb(env);
      try {
        await handle.db.update(schema.cloudWorkspaces).set(set).where(eq(schema.cloudWorkspaces.id, id));
      } finally {
        await handle.close();
      }
    },
    async remove(id: string) {
      const handle = openDb(env);
      try {
        await handle.db.delete(schema.cloudWorkspaces).where(eq(schema.cloudWorkspaces.id, id));
      } finally {
        await handle.close();
      }
    },
  };
}
