import { EventActor } from "@cw/contracts";
import { systemActor } from "../domain/events.ts";
import type { Ending } from "../domain/presence.ts";

/**
 * Sessions and holds that end stay in the object's storage as tombstones (`ended_at`, `ended_by`)
 * until Postgres has recorded their end, so the event names who ended them even when that write
 * is retried later. Both tables keep them the same way.
 */
export type TombstoneTable = "sessions" | "holds";

/** Ends live rows; returns how many were live. */
export function endRows(sql: SqlStorage, table: TombstoneTable, ids: string[], ending: Ending): number {
  let ended = 0;
  for (const id of ids)
    ended += sql.exec(
      `update ${table} set ended_at = ?, ended_by = ? where id = ? and ended_at is null`,
      ending.at,
      JSON.stringify(ending.by),
      id,
    ).rowsWritten;
  return ended;
}

/** Forgets ended rows once Postgres has recorded their end. */
export function forgetEndedRows(sql: SqlStorage, table: TombstoneTable, ids: string[]) {
  for (const id of ids) sql.exec(`delete from ${table} where id = ? and ended_at is not null`, id);
}

/** An ending read back: its actor is JSON of the object's own writing, parsed anyway (else the object). */
export function endingOf(at: number, by: string | null): Ending {
  let actor: unknown = null;
  try {
    actor = JSON.parse(by ?? "null");
  } catch {
    // unreadable: the object itself
  }
  return { at, by: EventActor.safeParse(actor).data ?? systemActor("presence") };
}
