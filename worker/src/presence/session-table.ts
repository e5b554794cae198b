import { clientTypeOf, type Ended, type Ending, type PresenceSession } from "../domain/presence.ts";
import { addMissingColumns } from "./storage-schema.ts";
import { endingOf, endRows, forgetEndedRows } from "./tombstones.ts";

/** A row as SQLite answers it (a type, not an interface: rows are records). */
type SessionRow = {
  id: string;
  user_id: string;
  token_id: string | null;
  client_type: string;
  connected_at: number;
  last_heartbeat_at: number;
  via_socket: number;
  ended_at: number | null;
  ended_by: string | null;
};

const sessionOf = (r: SessionRow): PresenceSession => ({
  id: r.id,
  userId: r.user_id,
  tokenId: r.token_id,
  clientType: clientTypeOf(r.client_type),
  connectedAt: r.connected_at,
  lastHeartbeatAt: r.last_heartbeat_at,
  viaSocket: r.via_socket === 1,
});

/**
 * The object's sessions and settings in its own SQLite storage, so eviction loses nothing. A
 * session that ends stays as a tombstone until Postgres has recorded its end (tombstones.ts).
 */
export class SessionTable {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`create table if not exists sessions (
      id text primary key, user_id text not null, client_type text not null,
      connected_at integer not null, last_heartbeat_at integer not null, via_socket integer not null)`);
    addMissingColumns(sql, "sessions", { token_id: "text", ended_at: "integer", ended_by: "text" });
    sql.exec("create table if not exists meta (key text primary key, value text not null)");
  }

  /** Live sessions, oldest first. */
  all(): PresenceSession[] {
    return this.sql
      .exec<SessionRow>("select * from sessions where ended_at is null order by connected_at")
      .toArray()
      .map(sessionOf);
  }

  /** Sessions that ended since Postgres last recorded them. */
  ended(): Ended<PresenceSession>[] {
    return this.sql
      .exec<SessionRow>("select * from sessions where ended_at is not null order by ended_at")
      .toArray()
      .map((r) => ({ ...sessionOf(r), ended: endingOf(r.ended_at!, r.ended_by) }));
  }

  get(id: string): PresenceSession | undefined {
    return this.all().find((s) => s.id === id);
  }

  put(s: PresenceSession) {
    this.sql.exec(
      `insert into sessions (id, user_id, token_id, client_type, connected_at, last_heartbeat_at, via_socket)
       values (?, ?, ?, ?, ?, ?, ?)
       on conflict (id) do update set last_heartbeat_at = excluded.last_heartbeat_at`,
      s.id,
      s.userId,
      s.tokenId,
      s.clientType,
      s.connectedAt,
      s.lastHeartbeatAt,
      s.viaSocket ? 1 : 0,
    );
  }

  heartbeat(id: string, userId: string, at: number): boolean {
    return (
      this.sql.exec(
        "update sessions set last_heartbeat_at = ? where id = ? and user_id = ? and ended_at is null",
        at,
        id,
        userId,
      ).rowsWritten > 0
    );
  }

  /** Ends live sessions; returns how many were live. */
  end(ids: string[], ending: Ending): number {
    return endRows(this.sql, "sessions", ids, ending);
  }

  forgetEnded(ids: string[]) {
    forgetEndedRows(this.sql, "sessions", ids);
  }

  /** Forgets every session, live or ended (the workspace is gone: nothing is left to record). */
  clear() {
    this.sql.exec("delete from sessions");
  }

  getMeta(key: string): string | null {
    return (
      this.sql.exec<{ value: string }>("select value from meta where key = ?", key).toArray()[0]?.value ??
      null
    );
  }

  setMeta(key: string, value: string | null) {
    if (value === null) this.sql.exec("delete from meta where key = ?", key);
    else
      this.sql.exec(
        "insert into meta values (?, ?) on conflict (key) do update set value = excluded.value",
        key,
        value,
      );
  }
}
