import { type ClientType, clientTypeValues, type EventActor } from "@cw/contracts";

/**
 * Live sessions and holds of one workspace, as its Durable Object sees them. Pure: the object
 * loads its state, asks these functions what is true at `now`, and persists the answer.
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
  /** The API token it was opened with, when known: named as the actor of its join and leave. */
  tokenId: string | null;
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

/** A hold: a long job keeping the workspace running until `until`, whoever is connected. */
export interface PresenceHold {
  id: string;
  userId: string;
  /** The API token it was placed with: named as the actor of its creation. */
  tokenId: string | null;
  reason: string;
  until: number;
  createdAt: number;
}

/**
 * How a session or hold ended, kept beside it until Postgres has recorded the end (and its event
 * with this actor): a user's leave or release, or the presence object's own expiry.
 */
export interface Ending {
  at: number;
  by: EventActor;
}
export type Ended<T> = T & { ended: Ending };

/** Holds whose time is up at `now`. */
export const expiredHolds = (holds: PresenceHold[], now: number) => holds.filter((h) => h.until <= now);

/** A hold ended before its time was released; one that ran its time expired. */
export const holdEndReason = (hold: Ended<PresenceHold>): "released" | "expired" =>
  hold.ended.at < hold.until ? "released" : "expired";

/**
 * The last activity once `ended` holds are over: a hold is activity for as long as it lasts, so
 * the idle countdown starts where it ended (its end, or its release if earlier), never earlier
 * than `lastActiveAt`.
 */
export const activeUntilHoldsEnded = (lastActiveAt: number, ended: Ended<PresenceHold>[]) =>
  Math.max(lastActiveAt, ...ended.map((h) => Math.min(h.until, h.ended.at)));

/** What the object's alarm looks at: live sessions and holds, and its pending chores. */
export interface AlarmSubject {
  sessions: PresenceSession[];
  holds: PresenceHold[];
  /** A batch of heartbeats (or a failed write) waiting to reach Postgres. */
  flushDueAt: number | null;
  /** The next check of open sockets. */
  auditDueAt: number | null;
}

/**
 * The one alarm the object needs: the earliest of the next session expiry, the next hold's end, a
 * pending flush to Postgres and the next socket audit. Null when nothing is due.
 */
export function nextAlarmAt(state: AlarmSubject, heartbeatSeconds = HEARTBEAT_SECONDS): number | null {
  const times = [
    ...state.sessions.map((s) => expiresAt(s, heartbeatSeconds)),
    ...state.holds.map((h) => h.until),
    state.flushDueAt,
    state.auditDueAt,
  ].filter((t): t is number => t !== null);
  return times.length === 0 ? null : Math.min(...times);
}
