import type { z } from "zod";
import type { ClientType } from "../enums.ts";
import { type Operation, operations } from "../operations.ts";
import type { CreateHold } from "../schemas/activity.ts";
import type { ListEventsQuery, StreamEventsQuery } from "../schemas/event.ts";
import type { CreateGitCredential } from "../schemas/git-credential.ts";
import type { CreateRepository } from "../schemas/repository.ts";
import type { JoinSession } from "../schemas/session.ts";
import type { CreateToken } from "../schemas/token.ts";
import type { CreateWebhook, ListWebhookDeliveriesQuery } from "../schemas/webhook.ts";
import type {
  CreateWorkspace,
  GetWorkspaceQuery,
  ListWorkspacesQuery,
  UpdateWorkspace,
  Workspace,
} from "../schemas/workspace.ts";
import { ApiError } from "./api-error.ts";
import { problemError } from "./problem-error.ts";

/**
 * The one client of the HTTP API, for every consumer (desktop, `cw`, benches, tests): a method per
 * operation, named by its `operationId`, returning the answer's body parsed by the contract's schema.
 * Every failure is an `ApiError`. Only global `fetch` (or one passed in), so it runs in Node 20+ and
 * in browsers.
 */

/** The part of `fetch` the client uses, so a caller may pass a leaner one (`cw` does: see its README). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
) => Promise<Pick<Response, "ok" | "status" | "statusText" | "text">>;

export interface ApiClientOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** A bearer API token; without one only unauthenticated routes (`getHealth`) answer. */
  token?: string;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Per-request deadline (default 30 s); the worker answers at once even for slow provider work. */
  timeoutMs?: number;
}

interface CallInput {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** This call's deadline, when it may take longer than the client's (a delete that pushes work). */
  timeoutMs?: number;
}

type Answer<O extends Operation> = O["response"] extends z.ZodType
  ? z.output<O["response"]> | (O extends { mayAnswerNoContent: true } ? undefined : never)
  : undefined;

/** How long a delete may take when it first pushes the VM's work to the git host. */
const PRESERVING_DELETE_TIMEOUT_MS = 5 * 60_000;

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient(opts: ApiClientOptions) {
  const base = opts.baseUrl.replace(/\/+$/, "");
  const doFetch: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const auth: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};

  function urlOf(op: Operation, input: CallInput): string {
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = input.params?.[name];
      if (value === undefined) throw new TypeError(`${op.path}: missing path parameter ${name}`);
      return encodeURIComponent(value);
    });
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(input.query ?? {}))
      if (value !== undefined) query.set(key, String(value));
    const search = query.toString();
    return `${base}${path}${search ? `?${search}` : ""}`;
  }

  async function call<O extends Operation>(op: O, input: CallInput = {}): Promise<Answer<O>> {
    const url = urlOf(op, input);
    const what = `${op.method.toUpperCase()} ${op.path}`;
    let res: Awaited<ReturnType<FetchLike>>;
    try {
      res = await doFetch(url, {
        method: op.method.toUpperCase(),
        headers: {
          ...auth,
          accept: "application/json",
          ...(input.body === undefined ? {} : { "content-type": "application/json" }),
          ...input.headers,
        },
        body: input.body === undefined ? undefined : JSON.stringify(input.body),
        signal: AbortSignal.timeout(input.timeoutMs ?? timeoutMs),
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ApiError({
        status: 0,
        title: "API unreachable",
        detail: `Cannot reach the API at ${base}: ${why}`,
        cause: err,
      });
    }
    const text = await res.text();
    if (!res.ok) throw problemError(res.status, res.statusText, text);
    if (op.response === null || (res.status === 204 && op.mayAnswerNoContent)) return undefined as Answer<O>;
    const unexpected = (detail: string) =>
      new ApiError({ status: res.status, title: "Unexpected answer", detail: `${what}: ${detail}` });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw unexpected(`the API answered ${res.status} with a body that is not JSON`);
    }
    const parsed = op.response.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw unexpected(`unexpected response from the API (${issue?.path.join(".")}: ${issue?.message})`);
    }
    return parsed.data as Answer<O>;
  }

  const ws = (id: string) => ({ id });

  return {
    baseUrl: base,
    /** The `Authorization` header, for what this client does not call itself (the shape stream). */
    headers: (): Record<string, string> => ({ ...auth }),

    /**
     * The workspace's presence WebSocket URL: while a socket to it is open, the caller counts as
     * connected (no heartbeats). Open it with `headers()`; its first message is
     * `{"type":"joined","sessionId":…}`.
     */
    presenceUrl: (workspaceId: string, clientType: ClientType = "desktop") =>
      `${base.replace(/^http/, "ws")}/v1/workspaces/${encodeURIComponent(workspaceId)}/presence?clientType=${clientType}`,

    getHealth: () => call(operations.getHealth),

    listRepositories: () => call(operations.listRepositories),
    createRepository: (input: CreateRepository) => call(operations.createRepository, { body: input }),

    listWorkspaces: (query: ListWorkspacesQuery = {}) => call(operations.listWorkspaces, { query }),
    /** Every workspace (newest first), following `nextCursor` page by page. */
    async listAllWorkspaces(query: Omit<ListWorkspacesQuery, "cursor" | "limit"> = {}): Promise<Workspace[]> {
      const all: Workspace[] = [];
      let cursor: string | undefined;
      do {
        const page = await call(operations.listWorkspaces, { query: { ...query, limit: 200, cursor } });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all;
    },
    /** A fresh Idempotency-Key unless one is given: pass the same key to retry a create safely. */
    createWorkspace: (input: CreateWorkspace, idempotencyKey: string = crypto.randomUUID()) =>
      call(operations.createWorkspace, { body: input, headers: { "idempotency-key": idempotencyKey } }),
    /**
     * The workspace; with `waitFor` (statuses), once its status is one of them — or as it is after
     * `timeoutSeconds` (default 60) — so a script needs no polling loop.
     */
    getWorkspace: (id: string, query: GetWorkspaceQuery = {}) =>
      call(operations.getWorkspace, {
        params: ws(id),
        query: {
          waitFor: query.waitFor?.join(","),
          timeoutSeconds: query.waitFor ? query.timeoutSeconds : undefined,
        },
        timeoutMs: query.waitFor
          ? Math.max(timeoutMs, (Number(query.timeoutSeconds ?? 60) + 15) * 1000)
          : undefined,
      }),
    updateWorkspace: (id: string, patch: UpdateWorkspace) =>
      call(operations.updateWorkspace, { params: ws(id), body: patch }),
    /**
     * Deletes a workspace. Without options the VM is checked first: unsaved work answers 409
     * `unsaved-work` (read it with `unsavedWorkOf(err.problem)`). `preserve` pushes that work to a
     * `cw/wip/…` branch first and answers the branches pushed; `force` deletes whatever it holds.
     */
    deleteWorkspace: (id: string, opts: { preserve?: boolean; force?: boolean } = {}) =>
      call(operations.deleteWorkspace, {
        params: ws(id),
        query: {
          preserve: opts.preserve ? "true" : undefined,
          force: opts.force ? "true" : undefined,
        },
        timeoutMs: opts.preserve ? Math.max(timeoutMs, PRESERVING_DELETE_TIMEOUT_MS) : undefined,
      }),
    pauseWorkspace: (id: string) => call(operations.pauseWorkspace, { params: ws(id) }),
    resumeWorkspace: (id: string) => call(operations.resumeWorkspace, { params: ws(id) }),
    stopWorkspace: (id: string) => call(operations.stopWorkspace, { params: ws(id) }),
    createSshCredentials: (id: string) => call(operations.createSshCredentials, { params: ws(id) }),

    listSessions: (id: string) => call(operations.listSessions, { params: ws(id) }),
    joinSession: (id: string, clientType: JoinSession["clientType"]) =>
      call(operations.joinSession, { params: ws(id), body: { clientType } }),
    heartbeatSession: (id: string, sessionId: string) =>
      call(operations.heartbeatSession, { params: { id, sessionId } }),
    leaveSession: (id: string, sessionId: string) =>
      call(operations.leaveSession, { params: { id, sessionId } }),

    listHolds: (id: string) => call(operations.listHolds, { params: ws(id) }),
    createHold: (id: string, input: CreateHold) =>
      call(operations.createHold, { params: ws(id), body: input }),
    deleteHold: (id: string, holdId: string) => call(operations.deleteHold, { params: { id, holdId } }),

    /** One page of the organization's events after `after` (oldest first); `nextCursor` continues. */
    listEvents: (query: ListEventsQuery = {}) =>
      call(operations.listEvents, { query: { ...query, type: query.type?.join(",") } }),
    /**
     * The URL of the Server-Sent Events stream (`text/event-stream`; open it with `headers()`): each
     * event's `id:` is its cursor, so a reconnect with `Last-Event-ID` resumes without gaps.
     */
    eventStreamUrl(query: StreamEventsQuery = {}) {
      return urlOf(operations.streamEvents, {
        query: { after: query.after, workspaceId: query.workspaceId, type: query.type?.join(",") },
      });
    },

    listWebhooks: () => call(operations.listWebhooks),
    /** The answer's `secret` (`whsec_…`) is shown this once: keep it where the receiver verifies. */
    createWebhook: (input: CreateWebhook) => call(operations.createWebhook, { body: input }),
    deleteWebhook: (id: string) => call(operations.deleteWebhook, { params: ws(id) }),
    /** A disabled endpoint on again, receiving the events from now on; an enabled one as it is. */
    enableWebhook: (id: string) => call(operations.enableWebhook, { params: ws(id) }),
    /** Queues one test delivery (`type` "webhook.test") and answers it, pending; its outcome shows in the deliveries. */
    testWebhook: (id: string) => call(operations.testWebhook, { params: ws(id) }),
    listWebhookDeliveries: (id: string, query: ListWebhookDeliveriesQuery = {}) =>
      call(operations.listWebhookDeliveries, { params: ws(id), query }),

    getMe: () => call(operations.getMe),
    listTokens: () => call(operations.listTokens),
    createToken: (input: CreateToken) => call(operations.createToken, { body: input }),
    deleteToken: (id: string) => call(operations.deleteToken, { params: ws(id) }),

    listGitCredentials: () => call(operations.listGitCredentials),
    createGitCredential: (input: CreateGitCredential) =>
      call(operations.createGitCredential, { body: input }),
    deleteGitCredential: (id: string) => call(operations.deleteGitCredential, { params: ws(id) }),
  };
}
