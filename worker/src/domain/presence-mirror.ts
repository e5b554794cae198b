import type { ConnectedUser, EventActor, Hold, WorkspacePresence } from "@cw/contracts";
import { type NewEvent, systemActor, userActor } from "./events.ts";
import { type Ended, holdEndReason, type PresenceHold, type PresenceSession } from "./presence.ts";

/**
 * What a presence object writes through to Postgres, decided purely: the row's `presence` (who
 * is connected, which holds, with names) and the events of the change since the row was last
 * written — each session joined or left and each hold created or released, exactly once, named
 * for whoever did it.
 */

/** The object's state as one write-through sees it: live sessions and holds, and those ended since. */
export interface PresenceState {
  sessions: PresenceSession[];
  holds: PresenceHold[];
  endedSessions: Ended<PresenceSession>[];
  endedHolds: Ended<PresenceHold>[];
}

export interface UserName {
  name: string;
  email: string;
}

/** A user the users table no longer knows (never expected: users are not deleted). */
const unknownUser: UserName = { name: "unknown user", email: "" };

const iso = (ms: number) => new Date(ms).toISOString();

export const connectedUser = (s: PresenceSession, who: UserName | undefined): ConnectedUser => ({
  sessionId: s.id,
  userId: s.userId,
  name: (who ?? unknownUser).name,
  email: (who ?? unknownUser).email,
  clientType: s.clientType,
  since: iso(s.connectedAt),
});

export const holdView = (h: PresenceHold, who: UserName | undefined): Hold => ({
  id: h.id,
  userId: h.userId,
  name: (who ?? unknownUser).name,
  reason: h.reason,
  until: iso(h.until),
  createdAt: iso(h.createdAt),
});

/** The users whose names the row's presence shows. */
export const presenceUserIds = (state: Pick<PresenceState, "sessions" | "holds">) => [
  ...new Set([...state.sessions.map((s) => s.userId), ...state.holds.map((h) => h.userId)]),
];

export function presenceView(
  state: Pick<PresenceState, "sessions" | "holds">,
  names: ReadonlyMap<string, UserName>,
): WorkspacePresence {
  return {
    sessions: state.sessions.map((s) => connectedUser(s, names.get(s.userId))),
    holds: state.holds.map((h) => holdView(h, names.get(h.userId))),
  };
}

/** Events of one actor, as `recordEvents` takes them. */
export interface ActorEvents {
  actor: EventActor;
  events: NewEvent[];
}

/** Who ended something the object no longer has and kept no ending for: the object itself. */
const presenceActor = systemActor("presence");

/**
 * The events between `before` (the row's presence as last written) and `state`: what is live and
 * was not before joined or was created by its own user; what was before and is live no more left
 * or was released by whoever its ending names (the object, when it keeps none). Something that
 * began and ended between two writes was never shown, so it makes no event.
 */
export function presenceEvents(
  workspaceId: string,
  before: WorkspacePresence,
  state: PresenceState,
): ActorEvents[] {
  const groups = new Map<string, ActorEvents>();
  const add = (actor: EventActor, event: NewEvent) => {
    const key = JSON.stringify(actor);
    const group = groups.get(key) ?? { actor, events: [] };
    group.events.push(event);
    groups.set(key, group);
  };
  const shownSessions = new Set(before.sessions.map((s) => s.sessionId));
  const shownHolds = new Set(before.holds.map((h) => h.id));
  const liveSessions = new Set(state.sessions.map((s) => s.id));
  const liveHolds = new Set(state.holds.map((h) => h.id));
  const endedSessions = new Map(state.endedSessions.map((s) => [s.id, s]));
  const endedHolds = new Map(state.endedHolds.map((h) => [h.id, h]));

  for (const s of before.sessions) {
    if (liveSessions.has(s.sessionId)) continue;
    add(endedSessions.get(s.sessionId)?.ended.by ?? presenceActor, {
      type: "session.left",
      workspaceId,
      data: { sessionId: s.sessionId, clientType: s.clientType },
    });
  }
  for (const h of before.holds) {
    if (liveHolds.has(h.id)) continue;
    const ended = endedHolds.get(h.id);
    add(ended?.ended.by ?? presenceActor, {
      type: "hold.released",
      workspaceId,
      data: { holdId: h.id, reason: h.reason, until: h.until, why: ended ? holdEndReason(ended) : "expired" },
    });
  }
  for (const s of state.sessions) {
    if (shownSessions.has(s.id)) continue;
    add(userActor(s), {
      type: "session.joined",
      workspaceId,
      data: { sessionId: s.id, clientType: s.clientType },
    });
  }
  for (const h of state.holds) {
    if (shownHolds.has(h.id)) continue;
    add(userActor(h), {
      type: "hold.created",
      workspaceId,
      data: { holdId: h.id, reason: h.reason, until: iso(h.until) },
    });
  }
  return [...groups.values()];
}
