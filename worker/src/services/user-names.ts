import { type Executor, schema } from "@cw/db";
import { inArray } from "drizzle-orm";
import type { UserName } from "../domain/presence-mirror.ts";

/** The names and emails of `ids`, for showing who is connected or holds a workspace. */
export async function userNames(db: Executor, ids: string[]): Promise<Map<string, UserName>> {
  if (ids.length === 0) return new Map();
  const users = schema.users;
  const rows = await db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(inArray(users.id, ids));
  return new Map(rows.map((u) => [u.id, { name: u.name, email: u.email }]));
}
