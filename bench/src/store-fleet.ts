import { mkdirSync } from "node:fs";
import { join } from "node:path";
// The desktop's real store (plain Node), one per simulated desktop.
import { createWorkspaceSync } from "@cw/desktop/core/sync/index";
import type { WorkspaceStore } from "@cw/desktop/core/workspace-store";
import { waitFor } from "@cw/testing";

/**
 * Many desktops' stores, each with its own file and its own `ShapeStream`, all on one API token,
 * with a count of their live requests: how many the server holds right now and how many it has
 * answered (a truly idle, up-to-date client has one held at all times and is answered once per
 * long-poll). Run in a thread of its own (`fleet-thread.ts`), away from the local stack.
 */
export interface StoreFleet {
  readonly stores: readonly WorkspaceStore[];
  /** Starts stores until there are `size`. */
  grow(size: number): Promise<void>;
  /** Live requests sent and not yet answered. */
  liveInFlight(): number;
  /** Live requests answered since the start. */
  liveAnswered(): number;
  /** What the stores reported (they retry by themselves); the bench prints a count. */
  readonly problems: string[];
  close(): Promise<void>;
}

export interface FleetOptions {
  apiUrl: string;
  token: string;
  /** Where the stores' files go. */
  dir: string;
}

/**
 * Stores started at once while growing; the next batch starts once these are up to date. The bench
 * measures desktops that are connected, not a reconnect storm (hundreds of snapshot reads at once,
 * each holding a database connection).
 */
const START_BATCH = 10;
const UP_TO_DATE_WITHIN_MS = 60_000;

export function storeFleet(opts: FleetOptions): StoreFleet {
  mkdirSync(opts.dir, { recursive: true });
  const stores: WorkspaceStore[] = [];
  const problems: string[] = [];
  let inFlight = 0;
  let answered = 0;

  const counting = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.searchParams.get("live") !== "true") return fetch(input, init);
    inFlight++;
    try {
      return await fetch(input, init);
    } finally {
      inFlight--;
      answered++;
    }
  }) as typeof fetch;

  const start = (i: number) =>
    createWorkspaceSync({
      apiUrl: opts.apiUrl,
      token: opts.token,
      file: join(opts.dir, `store-${i}.json`),
      fetch: counting,
      log: (m) => problems.push(m),
    });

  return {
    stores,
    async grow(size) {
      while (stores.length < size) {
        const n = Math.min(START_BATCH, size - stores.length);
        const from = stores.length;
        const batch = await Promise.all(Array.from({ length: n }, (_, k) => start(from + k)));
        stores.push(...batch);
        await waitFor(
          "a batch of stores up to date",
          () => batch.every((s) => s.snapshot().lastUpdatedAt !== null),
          UP_TO_DATE_WITHIN_MS,
          20,
        );
      }
    },
    liveInFlight: () => inFlight,
    liveAnswered: () => answered,
    problems,
    async close() {
      await Promise.all(stores.map((s) => s.close()));
    },
  };
}
