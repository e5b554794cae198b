import { parseShapeRow, parseShapeRowPatch } from "@cw/contracts";
import {
  FetchError,
  isChangeMessage,
  isControlMessage,
  type Message,
  type Offset,
  type Row,
  ShapeStream,
} from "@electric-sql/client";
import type {
  ConnectionState,
  StoreSnapshot,
  WorkspaceRow,
  WorkspaceStore,
  WorktreeLink,
} from "../workspace-store.ts";
import { connectionTracker } from "./connection.ts";
import { loadState, type PersistedState, stateWriter, worktreeLinkSchema } from "./persisted-state.ts";
import { newestFirst } from "./rows.ts";

export interface WorkspaceSyncOptions {
  /** The worker's base URL, e.g. http://127.0.0.1:8787 */
  apiUrl: string;
  /** A bearer API token. */
  token: string;
  /** The store's JSON file (created if missing). */
  file: string;
  fetch?: typeof fetch;
  /** Retry delays after network errors: doubling from initialDelayMs up to maxDelayMs (defaults 500 ms, 15 s). */
  backoff?: { initialDelayMs?: number; maxDelayMs?: number };
  /** After a 4xx the server will not change its mind about (a revoked token): wait, then retry (default 30 s). */
  retryAfterRejectionMs?: number;
  /** Where problems are reported (default console.warn). Never given the token. */
  log?: (message: string) => void;
  now?: () => Date;
}

/**
 * The desktop's local store of the organization's workspaces, fed by the worker's `workspaces`
 * shape through the unmodified ShapeStream. It answers from disk at once, resumes from the stored
 * handle and offset (only what changed since is fetched), starts over on must-refetch, and keeps
 * the worktree links beside the rows.
 */
export async function createWorkspaceSync(opts: WorkspaceSyncOptions): Promise<WorkspaceStore> {
  const apiUrl = opts.apiUrl.replace(/\/+$/, "");
  const baseFetch = opts.fetch ?? fetch;
  const log = opts.log ?? ((message: string) => console.warn(`[workspace-sync] ${message}`));
  const now = opts.now ?? (() => new Date());
  const writer = stateWriter(opts.file);

  const stored = await loadState(opts.file, apiUrl);
  const rows = new Map<string, WorkspaceRow>(stored.rows.map((r) => [r.key, r.row]));
  let position = stored.position;
  let lastUpdatedAt = stored.lastUpdatedAt;
  let links = stored.links;
  let connection: ConnectionState = "connecting";
  let closed = false;
  const listeners = new Set<(snapshot: StoreSnapshot) => void>();

  const snapshot = (): StoreSnapshot => ({
    workspaces: [...rows.values()].sort(newestFirst),
    connection,
    lastUpdatedAt,
    links: [...links],
  });
  const notify = () => {
    const snap = snapshot();
    for (const listener of listeners) listener(snap);
  };
  const persisted = (): PersistedState => ({
    version: 1,
    apiUrl,
    position,
    rows: [...rows].map(([key, row]) => ({ key, row })),
    lastUpdatedAt,
    links,
  });
  const persist = () =>
    writer.write(persisted()).catch((err) => log(`could not write ${opts.file}: ${String(err)}`));
  const setConnection = (next: ConnectionState) => {
    if (closed || next === connection) return;
    connection = next;
    notify();
  };

  const controller = new AbortController();
  const stream = new ShapeStream<Row>({
    url: `${apiUrl}/v1/shape`,
    params: { shape: "workspaces" },
    headers: { Authorization: `Bearer ${opts.token}` },
    ...(position ? { handle: position.handle, offset: position.offset as Offset } : {}),
    fetchClient: connectionTracker({
      fetch: baseFetch,
      healthUrl: `${apiUrl}/healthz`,
      state: () => connection,
      set: setConnection,
    }),
    backoffOptions: {
      initialDelay: opts.backoff?.initialDelayMs ?? 500,
      maxDelay: opts.backoff?.maxDelayMs ?? 15_000,
      multiplier: 2,
    },
    signal: controller.signal,
    onError: async (err) => {
      if (closed) return;
      setConnection("offline");
      const status = err instanceof FetchError ? ` (${err.status})` : "";
      log(`shape request refused${status}: ${err.message}; retrying later`);
      await new Promise((resolve) => setTimeout(resolve, opts.retryAfterRejectionMs ?? 30_000));
      return closed ? undefined : {};
    },
  });

  function apply(message: Message<Row>): boolean {
    if (isChangeMessage(message)) {
      const { operation } = message.headers;
      if (operation === "delete") return rows.delete(message.key);
      const existing = rows.get(message.key);
      // An update carries the key and what changed; an insert (or an update we cannot merge) the whole row.
      const patch = operation === "update" && existing ? parseShapeRowPatch(message.value) : null;
      const next = patch ? { ...existing!, ...patch } : parseShapeRow(message.value);
      if (!next) {
        log(`ignored a malformed ${operation} for ${message.key}`);
        return false;
      }
      rows.set(message.key, next);
      return true;
    }
    if (isControlMessage(message) && message.headers.control === "must-refetch") {
      // The server starts over from a snapshot; the stored position is void from here on.
      rows.clear();
      position = null;
      return true;
    }
    return false;
  }

  const unsubscribe = stream.subscribe(
    (batch) => {
      if (closed) return;
      let changed = false;
      for (const message of batch) changed = apply(message) || changed;
      const upToDate = batch.some((m) => isControlMessage(m) && m.headers.control === "up-to-date");
      if (changed || upToDate) lastUpdatedAt = now().toISOString();
      if (upToDate) {
        // Rows and position agree at an up-to-date boundary: the only moment they are stored.
        const handle = stream.shapeHandle;
        position = handle ? { handle, offset: stream.lastOffset } : null;
        connection = "live";
        void persist();
      }
      if (changed || upToDate) notify();
    },
    (err) => {
      log(`shape stream stopped: ${err.message}`);
      setConnection("offline");
    },
  );

  return {
    snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async setLink(link: WorktreeLink) {
      const parsed = worktreeLinkSchema.parse(link);
      links = [...links.filter((l) => l.worktreePath !== parsed.worktreePath), parsed];
      notify();
      await persist();
    },
    async removeLink(worktreePath: string) {
      links = links.filter((l) => l.worktreePath !== worktreePath);
      notify();
      await persist();
    },
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      controller.abort();
      listeners.clear();
      await writer.flush();
    },
  };
}
