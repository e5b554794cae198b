import { clientTypeOf, type PresenceSession } from "../domain/presence.ts";

/** The object's sessions and settings in its own SQLite storage, so eviction loses nothing. */
export class SessionTable {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`create table if not exists sessions (
      id text primary key, user_id text not null, client_type text not null,
      connected_at integer not null, last_heartbeat_at integer not null, via_socket integer not null)`);
    sql.exec("create table if not exists meta (key text primary key, value text not null)");
  }

  all(): PresenceSession[] {
    return this.sql
      .exec<{
        id: string;
        user_id: string;
        client_type: string;
        connected_at: number;
        last_heartbeat_at: number;
        via_socket: number;
      }>("select * from sessions order by connected_at")
      .toArray()
      .map((r) => ({
        id: r.id,
        userId: r.user_id,
        clientType: clientTypeOf(r.client_type),
        connectedAt: r.connected_at,
        lastHeartbeatAt: r.last_heartbeat_at,
        viaSocket: r.via_socket === 1,
      }));
  }

  get(id: string): PresenceSession | undefined {
    return this.all().find((s) => s.id === id);
  }

  put(s: PresenceSession) {
    this.sql.exec(
      `insert into sessions values (?, ?, ?, ?, ?, ?) on conflict (id) do update set last_heartbeat_at = excluded.last_heartbeat_at`,
      s.id,
      s.userId,
      s.clientType,
      s.connectedAt,
      s.lastHeartbeatAt,
      s.viaSocket ? 1 : 0,
    );
  }

  heartbeat(id: string, userId: string, at: number): boolean {
    return (
      this.sql.exec("update sessions set last_heartbeat_at = ? where id = ? and user_id = ?", at, id, userId)
        .rowsWritten > 0
    );
  }

  remove(ids: string[]): number {
    let removed = 0;
    for (const id of ids) removed += this.sql.exec("delete from sessions where id = ?", id).rowsWritten;
    return removed;
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
