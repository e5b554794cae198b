import { HOLD_MAX_MINUTES, type WorkspaceStatus } from "@cw/contracts";

/**
 * Holds: a long job keeps a workspace running for a while, whoever is connected. Pure decisions;
 * the presence object keeps the holds (services/holds.ts, presence/).
 */

/**
 * The statuses a hold may be placed in: running, or provisioning (it counts once the workspace
 * runs). A hold never wakes a paused or stopped workspace, nor keeps a failed one: resume first.
 */
export const HOLDABLE_STATUSES = ["running", "provisioning"] as const satisfies readonly WorkspaceStatus[];

export const mayHold = (status: WorkspaceStatus) => (HOLDABLE_STATUSES as readonly string[]).includes(status);

export type HoldEnd = { ok: true; until: number } | { ok: false; message: string };

/**
 * When a hold asked for at `now` ends: `minutes` from now, or at `until`, which must be in the
 * future and at most HOLD_MAX_MINUTES (24 hours) ahead. The contract's schema has already checked
 * that exactly one is given and that `minutes` is within 1–1440.
 */
export function holdEnd(input: { minutes?: number; until?: string }, now: number): HoldEnd {
  if (input.minutes !== undefined) return { ok: true, until: now + input.minutes * 60_000 };
  const until = Date.parse(input.until ?? "");
  if (Number.isNaN(until)) return { ok: false, message: "must be an ISO 8601 date-time" };
  if (until <= now) return { ok: false, message: "must be in the future" };
  if (until > now + HOLD_MAX_MINUTES * 60_000)
    return { ok: false, message: "must be at most 24 hours ahead" };
  return { ok: true, until };
}
