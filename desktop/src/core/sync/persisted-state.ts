import { readFile } from "node:fs/promises";
import { writePrivateFile } from "@cw/client-node/private-files";
import { SyncedWorkspace } from "@cw/contracts";
import { z } from "zod";
import type { WorktreeLink } from "../workspace-store.ts";

/**
 * The store on disk: one JSON file with the rows, the shape handle and offset they correspond to,
 * the last update time and the worktree links; owner-only, written whole (`writePrivateFile`).
 */
export const worktreeLinkSchema = z.object({
  worktreePath: z.string().min(1),
  cloudWorkspaceId: z.string().min(1),
  cloudSyncEnabled: z.boolean(),
}) satisfies z.ZodType<WorktreeLink>;

const stateSchema = z.object({
  version: z.literal(1),
  /** The server these rows came from; another server's rows and handle are not resumed. */
  apiUrl: z.string(),
  /** Where to resume; null until the first up-to-date (then rows and position agree). */
  position: z.object({ handle: z.string().min(1), offset: z.string().min(1) }).nullable(),
  rows: z.array(z.object({ key: z.string(), row: SyncedWorkspace })),
  lastUpdatedAt: z.string().nullable(),
  links: z.array(worktreeLinkSchema),
});

export type PersistedState = z.infer<typeof stateSchema>;

export const emptyState = (apiUrl: string, links: WorktreeLink[] = []): PersistedState => ({
  version: 1,
  apiUrl,
  position: null,
  rows: [],
  lastUpdatedAt: null,
  links,
});

/**
 * Reads the file. Missing → empty. Unreadable or from another server → the synced part starts
 * over (a refetch costs one request), but links the user made are kept whenever they still parse.
 */
export async function loadState(file: string, apiUrl: string): Promise<PersistedState> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch {
    return emptyState(apiUrl);
  }
  const parsed = stateSchema.safeParse(raw);
  if (parsed.success && parsed.data.apiUrl === apiUrl) return parsed.data;
  const links = z.object({ links: z.array(worktreeLinkSchema) }).safeParse(raw);
  return emptyState(apiUrl, links.success ? links.data.links : []);
}

/** Writes states one at a time; a write requested while one runs is coalesced into the next. */
export function stateWriter(file: string) {
  let latest: PersistedState | null = null;
  let running: Promise<void> | null = null;

  // The loop's last check and `running = null` run in one synchronous step, so a write can never
  // slip in between and be left unwritten.
  async function drain() {
    try {
      while (latest) {
        const state = latest;
        latest = null;
        await writePrivateFile(file, JSON.stringify(state));
      }
    } finally {
      running = null;
    }
  }

  return {
    write(state: PersistedState): Promise<void> {
      latest = state;
      running ??= drain();
      return running;
    },
    async flush(): Promise<void> {
      while (running) await running.catch(() => {});
    },
  };
}
