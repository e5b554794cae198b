import { describeActivity, explainActivity } from "@cw/contracts/activity";
import { localTimeFormat } from "@cw/contracts/local-time";
import type { ActivityState, ClientType } from "@cw/contracts/types";
import type { WorkspaceRow } from "../core/workspace-store.ts";

/**
 * Who and what keeps a workspace running, as the tray and the window show it: a pure function of
 * the synced row (its `presence` column) and the client's own `now`, through the contract's
 * `explainActivity` and `describeActivity` (the API's `activity` and `cw status` say the same), with
 * times in the user's time zone.
 */
export interface PersonView {
  name: string;
  email: string;
  clientType: ClientType;
  /** When they connected: "16:48". */
  since: string;
}

export interface HoldView {
  id: string;
  reason: string;
  /** Who placed it. */
  by: string;
  /** When it ends: "18:00", "tomorrow 09:00". */
  until: string;
}

export interface ActivityView {
  state: ActivityState;
  /** "running because alice (desktop, 12 min) and a hold 'nightly build' until 18:00"; "" when not running (the status says so). */
  line: string;
  people: PersonView[];
  /** Live holds only. */
  holds: HoldView[];
}

export function activityView(row: WorkspaceRow, now: Date): ActivityView {
  const activity = explainActivity(row, now);
  const time = localTimeFormat(now);
  const at = (iso: string) => time(new Date(iso));
  return {
    state: activity.state,
    line: activity.state === "not_running" ? "" : describeActivity(row, activity, now, time),
    people: activity.sessions.map((s) => ({
      name: s.name,
      email: s.email,
      clientType: s.clientType,
      since: at(s.since),
    })),
    holds: activity.holds.map((h) => ({ id: h.id, reason: h.reason, by: h.name, until: at(h.until) })),
  };
}
