import type { Ended, Ending, PresenceHold } from "../domain/presence.ts";
import { endingOf, endRows, forgetEndedRows } from "./tombstones.ts";

/** A row as SQLite answers it (a type, not an interface: rows are records). */
type HoldRow = {
  id: string;
  user_id: string;
  token_id: string | null;
  reason: string;
  until: number;
  created_at: number;
  ended_at: number | null;
  ended_by: string | null;
};

const holdOf = (r: HoldRow): PresenceHold => ({
  id: r.id,
  userId: r.user_id,
  tokenId: r.token_id,
  reason: r.reason,
  until: r.until,
  createdAt: r.created_at,
});

/**
 * The object's holds in its own SQLite storage (durable across eviction). Like a session, a hold
 * that ends stays as a tombstone until Postgres has recorded its release or expiry (tombstones.ts).
 */
export class HoldTable {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`create table if not exists holds (
      id text primary key, user_id text not null, token_id text, reason text not null,
      until integer not null, created_at integer not null, ended_at integer, ended_by text)`);
  }

  /** Live holds, soonest end first. */
  all(): PresenceHold[] {
    return this.sql
      .exec<HoldRow>("select * from holds where ended_at is null order by until, id")
      .toArray()
      .map(holdOf);
  }

  ended(): Ended<PresenceHold>[] {
    return this.sql
      .exec<HoldRow>("select * from holds where ended_at is not null order by ended_at")
      .toArray()
      .map((r) => ({ ...holdOf(r), ended: endingOf(r.ended_at!, r.ended_by) }));
  }

  put(h: PresenceHold) {
    this.sql.exec(
      "insert into holds (id, user_id, token_id, reason, until, created_at) values (?, ?, ?, ?, ?, ?)",
      h.id,
      h.userId,
      h.tokenId,
      h.reason,
      h.until,
      h.createdAt,
    );
  }

  /** Ends live holds; returns how many were live. */
  end(ids: string[], ending: Ending): number {
    return endRows(this.sql, "holds", ids, ending);
  }

  forgetEnded(ids: string[]) {
    forgetEndedRows(this.sql, "holds", ids);
  }

  clear() {
    this.sql.exec("delete from holds");
  }
}
