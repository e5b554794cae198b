import WebSocket from "ws";
import { z } from "zod";
import type { Repository } from "../shared/ipc.ts";

/**
 * A typed client for the worker's HTTP API. Every response is parsed with zod (it crossed a network);
 * every error answer becomes an `ApiError` carrying the problem's `detail` as its message.
 */

const status = z.enum(["provisioning", "running", "paused", "stopped", "error"]);
const gitSync = z.enum(["unknown", "up_to_date", "behind", "ahead", "dirty", "diverged", "error"]);

// Fields the worker added after the first release default here, so the client works against both.
export const WorkspaceSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  repositoryId: z.string(),
  name: z.string(),
  branch: z.string(),
  providerType: z.enum(["freestyle", "fly"]),
  providerVmId: z.string().nullable(),
  status,
  statusMessage: z.string().nullable(),
  operation: z.string().nullable().default(null),
  allowedActions: z.array(z.string()).default([]),
  autoStopMinutes: z.number().int(),
  autoStopAction: z.enum(["pause", "stop"]).default("stop"),
  autoStopAt: z.string().nullable().default(null),
  connectedCount: z.number().int().default(0),
  lastActiveAt: z.string(),
  sync: z
    .object({
      status: gitSync.catch("unknown"),
      message: z.string().nullable(),
      localHeadSha: z.string().nullable(),
      remoteHeadSha: z.string().nullable(),
    })
    .default({ status: "unknown", message: null, localHeadSha: null, remoteHeadSha: null }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Workspace = z.infer<typeof WorkspaceSchema>;

const RepositorySchema = z.object({
  id: z.string(),
  name: z.string(),
  cloneUrl: z.string(),
  defaultBranch: z.string(),
  createdAt: z.string(),
});

const WorkspacePage = z.object({ items: z.array(WorkspaceSchema), nextCursor: z.string().nullable() });

export const SshCredentialsSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  username: z.string(),
  token: z.string(),
  expiresAt: z.string(),
  command: z.string(),
});
export type SshCredentials = z.infer<typeof SshCredentialsSchema>;

const JoinedSession = z.object({ sessionId: z.string(), heartbeatSeconds: z.number().positive() });
export type JoinedSession = z.infer<typeof JoinedSession>;

const Problem = z.object({
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
    readonly fields: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Per-request timeout; the worker answers at once even for slow provider work. */
  timeoutMs?: number;
}

export interface CreateWorkspaceRequest {
  repositoryId: string;
  name: string;
  branch: string;
  autoStopMinutes?: number;
}

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient(opts: ApiClientOptions) {
  const base = opts.baseUrl.replace(/\/+$/, "");
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 30_000;

  async function request<T>(
    method: string,
    path: string,
    schema: z.ZodType<T> | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${opts.token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ApiError(`Cannot reach the API at ${base}: ${why}`, 0);
    }
    const text = await res.text();
    if (!res.ok) throw problemError(res, text);
    if (schema === null) return undefined as T;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(
        `${method} ${path}: the API answered ${res.status} with a body that is not JSON`,
        res.status,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiError(
        `${method} ${path}: unexpected response from the API (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})`,
        res.status,
      );
    }
    return parsed.data;
  }

  const ws = (id: string) => `/v1/workspaces/${encodeURIComponent(id)}`;

  return {
    baseUrl: base,

    /**
     * The workspace's presence WebSocket: while it is open this client counts as connected, with
     * no heartbeats. The first message names the session: `{"type":"joined","sessionId":…}`.
     */
    presenceSocket(workspaceId: string): WebSocket {
      const url = `${base.replace(/^http/, "ws")}${ws(workspaceId)}/presence?clientType=desktop`;
      return new WebSocket(url, { headers: { authorization: `Bearer ${opts.token}` } });
    },

    async listRepositories(): Promise<Repository[]> {
      return (await request("GET", "/v1/repositories", z.object({ items: z.array(RepositorySchema) }))).items;
    },
    createRepository(input: { name: string; cloneUrl: string; defaultBranch?: string }): Promise<Repository> {
      return request("POST", "/v1/repositories", RepositorySchema, input);
    },

    /** Every workspace, following cursors (newest first). */
    async listWorkspaces(): Promise<Workspace[]> {
      const all: Workspace[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const page: z.infer<typeof WorkspacePage> = await request(
          "GET",
          `/v1/workspaces${query}`,
          WorkspacePage,
        );
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    },
    getWorkspace: (id: string) => request("GET", ws(id), WorkspaceSchema),
    createWorkspace: (input: CreateWorkspaceRequest, idempotencyKey: string = crypto.randomUUID()) =>
      request("POST", "/v1/workspaces", WorkspaceSchema, input, { "idempotency-key": idempotencyKey }),
    updateWorkspace: (id: string, patch: { name?: string; autoStopMinutes?: number }) =>
      request("PATCH", ws(id), WorkspaceSchema, patch),
    deleteWorkspace: (id: string) => request("DELETE", ws(id), null),
    pause: (id: string) => request("POST", `${ws(id)}/pause`, WorkspaceSchema),
    resume: (id: string) => request("POST", `${ws(id)}/resume`, WorkspaceSchema),
    stop: (id: string) => request("POST", `${ws(id)}/stop`, WorkspaceSchema),

    sshCredentials: (id: string) => request("POST", `${ws(id)}/ssh`, SshCredentialsSchema),

    joinSession: (id: string) =>
      request("POST", `${ws(id)}/sessions`, JoinedSession, { clientType: "desktop" }),
    heartbeat: (id: string, sessionId: string) =>
      request("POST", `${ws(id)}/sessions/${encodeURIComponent(sessionId)}/heartbeat`, null),
    leaveSession: (id: string, sessionId: string) =>
      request("DELETE", `${ws(id)}/sessions/${encodeURIComponent(sessionId)}`, null),
  };
}

function problemError(res: Response, text: string): ApiError {
  let problem: z.infer<typeof Problem> | null = null;
  try {
    const parsed = Problem.safeParse(JSON.parse(text));
    if (parsed.success) problem = parsed.data;
  } catch {
    // Not JSON (a proxy's HTML page, say): fall through to the status line.
  }
  const message =
    problem?.detail || problem?.title || `The API answered ${res.status} ${res.statusText}`.trim();
  return new ApiError(message, res.status, problem?.errors ?? []);
}
