import type { AutoStopAction } from "@cw/contracts";
import type { WorkspaceRow } from "./workspace-store.ts";

/**
 * When to warn that a workspace is about to be auto-stopped: a pure function of the rows, the
 * warnings already shown and `now`. The worker computes `autoStopAt` (null while someone is
 * connected); each distinct `autoStopAt` is warned about once, so activity that pushes it later
 * re-arms the warning.
 */
export interface AutoStopWarning {
  workspaceId: string;
  name: string;
  autoStopAt: string;
  action: AutoStopAction;
  /** Whole minutes left, at least 0. */
  minutesLeft: number;
}

export interface WarningPlan {
  warnings: AutoStopWarning[];
  /** The `autoStopAt` each workspace was last warned for; pass it back in next time. */
  warned: Map<string, string>;
  /** When to evaluate again (the next warning's moment); null when nothing is scheduled. */
  nextCheckAt: Date | null;
}

/** A warning whose moment passed this long ago is dropped: the workspace has been stopped by now. */
const STALE_AFTER_MS = 60_000;

export function planAutoStopWarnings(
  rows: readonly Pick<WorkspaceRow, "id" | "name" | "status" | "autoStopAt" | "autoStopAction">[],
  warned: ReadonlyMap<string, string>,
  now: Date,
  leadMinutes: number,
): WarningPlan {
  const leadMs = leadMinutes * 60_000;
  const t = now.getTime();
  const next = new Map<string, string>();
  const warnings: AutoStopWarning[] = [];
  let nextCheck: number | null = null;

  for (const row of rows) {
    if (row.status !== "running" || row.autoStopAt === null) continue;
    const at = Date.parse(row.autoStopAt);
    if (Number.isNaN(at)) continue;
    if (warned.get(row.id) === row.autoStopAt) {
      next.set(row.id, row.autoStopAt);
      continue;
    }
    const warnAt = at - leadMs;
    if (t >= warnAt && t < at + STALE_AFTER_MS) {
      warnings.push({
        workspaceId: row.id,
        name: row.name,
        autoStopAt: row.autoStopAt,
        action: row.autoStopAction,
        minutesLeft: Math.max(0, Math.ceil((at - t) / 60_000)),
      });
      next.set(row.id, row.autoStopAt);
    } else if (t < warnAt && (nextCheck === null || warnAt < nextCheck)) {
      nextCheck = warnAt;
    }
  }
  return { warnings, warned: next, nextCheckAt: nextCheck === null ? null : new Date(nextCheck) };
}

export function warningText(w: AutoStopWarning): { title: string; body: string } {
  const verb = w.action === "pause" ? "pause" : "stop";
  const when =
    w.minutesLeft <= 0 ? "any moment now" : `in ${w.minutesLeft} minute${w.minutesLeft === 1 ? "" : "s"}`;
  return {
    title: `${w.name} will ${verb} ${when}`,
    body: `Nobody is connected and it has been idle. Choose "Keep alive" to keep it running.`,
  };
}
