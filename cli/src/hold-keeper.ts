import { type ApiClient, ApiError } from "@cw/contracts/client";
import { localTimeFormat } from "@cw/contracts/local-time";
import type { Hold } from "@cw/contracts/types";
import { messageOf } from "./errors.ts";

/**
 * Keeps a workspace held for as long as something runs (`cw hold WS -- COMMAND`): a hold of modest
 * length, renewed well before it ends. A renewal places the new hold first and only then releases
 * the old one, so the workspace is never without a hold in between. If cw dies without releasing
 * (SIGKILL, a crash), the last hold simply ends within HOLD_MINUTES.
 */
export const HOLD_MINUTES = 10;
/** Renewed halfway, so a renewal that fails has five minutes of retries before the hold ends. */
export const RENEW_AFTER_MS = 5 * 60_000;
export const RETRY_AFTER_MS = 30_000;

/** A timer; returns its cancel. */
export type Schedule = (run: () => void, ms: number) => () => void;

export interface HoldKeeperDeps {
  api: Pick<ApiClient, "createHold" | "deleteHold">;
  workspaceId: string;
  reason: string;
  /** A note on stderr: a renewal or release that failed. */
  say: (line: string) => void;
  schedule?: Schedule;
}

export interface HeldWorkspace {
  /** The hold in place now (the latest renewal). */
  current(): Hold;
  /** Stops renewing and releases every hold this placed (waiting out a renewal in flight). */
  release(): Promise<void>;
}

/** When a hold ends, for a note: "18:10". */
const endOf = (hold: Hold) => {
  const now = new Date();
  return localTimeFormat(now)(new Date(hold.until));
};

const timer: Schedule = (run, ms) => {
  const t = setTimeout(run, ms);
  return () => clearTimeout(t);
};

/** Places the first hold (its failure — not running, no such workspace — is the caller's error), then renews it. */
export async function keepHeld(deps: HoldKeeperDeps): Promise<HeldWorkspace> {
  const { api, workspaceId, reason, say, schedule = timer } = deps;
  const place = () => api.createHold(workspaceId, { minutes: HOLD_MINUTES, reason });
  let current = await place();
  /** Holds placed and not yet released: the current one, and briefly its predecessor. */
  const placed = new Map<string, Hold>([[current.id, current]]);
  let stopped = false;
  let cancel: (() => void) | null = null;
  let renewing: Promise<void> | null = null;
  let lastFailure: string | null = null;

  const releaseOne = async (hold: Hold, quiet: boolean) => {
    try {
      await api.deleteHold(workspaceId, hold.id);
    } catch (e) {
      // Gone already (it ended, or someone released it) is what we wanted.
      if (!quiet && !(e instanceof ApiError && e.status === 404))
        say(`could not release hold ${hold.id} (${messageOf(e)}); it ends by itself at ${endOf(hold)}`);
    }
    placed.delete(hold.id);
  };

  const renew = async () => {
    try {
      const next = await place();
      placed.set(next.id, next);
      const old = current;
      current = next;
      lastFailure = null;
      await releaseOne(old, true);
      if (!stopped) cancel = schedule(startRenewal, RENEW_AFTER_MS);
    } catch (e) {
      const why = messageOf(e);
      // Said once per distinct failure; retried until it works or the command ends.
      if (why !== lastFailure)
        say(`could not renew the hold (${why}); trying again, it lasts until ${endOf(current)}`);
      lastFailure = why;
      if (!stopped) cancel = schedule(startRenewal, RETRY_AFTER_MS);
    }
  };
  const startRenewal = () => {
    renewing = renew().finally(() => {
      renewing = null;
    });
  };

  cancel = schedule(startRenewal, RENEW_AFTER_MS);
  return {
    current: () => current,
    async release() {
      stopped = true;
      cancel?.();
      await renewing;
      await Promise.all([...placed.values()].map((h) => releaseOne(h, false)));
    },
  };
}
