import { type ApiClient, createApiClient } from "@cw/contracts/client";
import type { Settings } from "../settings.ts";
import type { StoreSnapshot, WorkspaceStore } from "../workspace-store.ts";

/**
 * The control plane the app talks to: its API client and the workspace store that lists its
 * workspaces (the Electric-synced one or the polling fallback, chosen by main from the settings).
 * At most one at a time: both stores would write the same local file.
 */
export interface OpenedStore {
  store: WorkspaceStore;
  source: "sync" | "polling";
}

export interface StoreContext {
  api: ApiClient;
  apiUrl: string;
  token: string;
  settings: Settings;
}

export type OpenStore = (ctx: StoreContext) => Promise<OpenedStore>;

interface Open {
  api: ApiClient;
  opened: OpenedStore;
  unsubscribe: () => void;
}

export class ControlPlane {
  private current: Open | null = null;

  constructor(
    private readonly deps: {
      openStore: OpenStore;
      /** Called on every change of the store (and so of the list). */
      onChange: () => void;
      fetch?: typeof fetch;
    },
  ) {}

  get connected(): boolean {
    return this.current !== null;
  }

  get source(): OpenedStore["source"] | null {
    return this.current?.opened.source ?? null;
  }

  snapshot(): StoreSnapshot | null {
    return this.current?.opened.store.snapshot() ?? null;
  }

  api(): ApiClient {
    return this.open().api;
  }

  store(): WorkspaceStore {
    return this.open().opened.store;
  }

  /**
   * Connects to `apiUrl` with `token`, replacing the current connection. One cheap authenticated
   * call first, so a wrong URL or token is reported now, in the API's words, and the old
   * connection stays.
   */
  async connect(apiUrl: string, token: string, settings: Settings): Promise<void> {
    const api = createApiClient({ baseUrl: apiUrl, token, fetch: this.deps.fetch });
    await api.listRepositories();
    await this.close();
    const opened = await this.deps.openStore({ api, apiUrl, token, settings });
    this.current = { api, opened, unsubscribe: opened.store.subscribe(() => this.deps.onChange()) };
  }

  /** After an action, show its result now instead of at the next poll (a synced store needs nothing). */
  async refresh(): Promise<void> {
    const store = this.current?.opened.store as
      | (WorkspaceStore & { refresh?: () => Promise<void> })
      | undefined;
    await store?.refresh?.();
  }

  async close(): Promise<void> {
    const old = this.current;
    if (!old) return;
    this.current = null;
    old.unsubscribe();
    await old.opened.store.close();
  }

  private open(): Open {
    if (!this.current) throw new Error("Not set up yet: enter the API URL and a token first");
    return this.current;
  }
}
