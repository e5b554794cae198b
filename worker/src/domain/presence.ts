import { type ClientType, clientTypeValues } from "@cw/contracts";

/**
 * Live sessions of one workspace, as its Durable Object sees them. Pure: the object loads its
 * state, asks these functions what is true at `now`, and persists the answer.
 */

export const HEARTBEAT_SECONDS = 30;
/** A session that misses this many heartbeats in a row is gone. */
export const MISSED_HEARTBEATS = 3;
/** Heartbeats reach Postgres in batches at most this far apart (join/leave go at once). */
export const FLUSH_DELAY_MS = 2_000;
/**
 * While sockets are open, the object checks this often that their tokens and the workspace still
 * exist and that none has outlived its maximum life, so a socket whose reason is gone closes
 * within a minute.
 */
export const SOCKET_AUDIT_MS = 30_000;

export interface PresenceSession {
  id: string;
  userId: string;
  clientType: ClientType;
  connectedAt: number;
  lastHeartbeatAt: number;
  /** A WebSocket session is live for as long as its socket is open; it needs no heartbeats. */
  viaSocket: boolean;
}

/**
 * A client type read back from the object's storage or from the header the worker's route set
 * after validating it; anything else reads as `desktop`, the only type before there were others.
 */
export function clientTypeOf(text: string | null): ClientType {
  return clientTypeValues.find((type) => type === text) ?? "desktop";
}

export function expiresAt(session: PresenceSession, heartbeatSeconds = HEARTBEAT_SECONDS): number | null {
  return session.viaSocket ? null : session.lastHeartbeatAt + heartbeatSeconds * 1000 * MISSED_HEARTBEATS;
}

export function expiredSessions(
  sessions: PresenceSession[],
  now: number,
  heartbeatSeconds = HEARTBEAT_SECONDS,
) {
  return sessions.filter((s) => {
    const at = expiresAt(s, heartbeatSeconds);
    return at !== null && at <= now;
  });
}

/** Whether a socket session has lived its maximum life by `now`. */
export const outlived = (session: PresenceSession, now: number, maxSocketSeconds: number) =>
  session.viaSocket && session.connectedAt + maxSocketSeconds * 1000 <= now;

/**
 * The one alarm the object needs: the earliest of the next session expiry, a pending flush of
 * heartbeats to Postgres and the next socket audit. Null when nothing is due.
 */
export function nextAlarmAt(
  sessions: PresenceSession[],
  flushDueAt: number | null,
  heartbeatSeconds = HEARTBEAT_SECONDS,
  auditDueAt: number | null = null,
): number | null {
  const times = sessions.map((s) => expiresAt(s, heartbeatSeconds)).filter((t): t is number => t !== null);
  if (flushDueAt !== null) times.push(flushDueAt);
  if (auditDueAt !== null) times.push(auditDueAt);
  return times.length === 0 ? null : Math.min(...times);
}
