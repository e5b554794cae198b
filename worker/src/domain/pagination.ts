import { z } from "zod";

/** Keyset cursor over (createdAt desc, id desc): stable under inserts, O(page) to resolve. */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

const cursorSchema = z.object({ t: z.iso.datetime({ offset: true }), id: z.uuid() });

export function encodeCursor(c: PageCursor): string {
  const json = JSON.stringify({ t: c.createdAt.toISOString(), id: c.id });
  return btoa(json).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Returns null for anything that is not a cursor this API issued. */
export function decodeCursor(raw: string): PageCursor | null {
  try {
    const json = atob(raw.replaceAll("-", "+").replaceAll("_", "/"));
    const parsed = cursorSchema.safeParse(JSON.parse(json));
    return parsed.success ? { createdAt: new Date(parsed.data.t), id: parsed.data.id } : null;
  } catch {
    return null;
  }
}

/** A page from rows read newest first with `limit + 1`: the first `limit`, and a cursor when there are more. */
export function pageOf<T extends PageCursor>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
