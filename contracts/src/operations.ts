import { z } from "zod";
import { Me } from "./schemas/me.ts";
import { CreateRepository, Repository, RepositoryList } from "./schemas/repository.ts";
import { JoinedSession, JoinSession, SessionList } from "./schemas/session.ts";
import { SshCredentials } from "./schemas/ssh.ts";
import { ApiTokenList, CreateToken, NewApiToken } from "./schemas/token.ts";
import {
  CreateWorkspace,
  ListWorkspacesQuery,
  UpdateWorkspace,
  Workspace,
  WorkspaceList,
} from "./schemas/workspace.ts";

/**
 * Every operation of the HTTP API: its stable `operationId` (the key), method, path, summary, tag,
 * and the schemas of what goes in and what comes back. The worker builds its routes (and so the
 * OpenAPI document) from these; the client builds its requests from the same entries.
 */
export const apiTags = {
  workspaces: "Cloud workspaces and their lifecycle",
  repositories: "Git repositories workspaces are made from",
  sessions: "Presence: who is connected to a workspace",
  tokens: "API tokens of the caller, and who a token speaks for",
  sync: "Live sync of the organization's workspaces (Electric's Shape protocol)",
  health: "Liveness of the API",
} as const;
export type ApiTag = keyof typeof apiTags;

export interface Operation {
  method: "get" | "post" | "patch" | "delete";
  /** OpenAPI path template: `{name}` marks a path parameter. */
  path: string;
  summary: string;
  tag: ApiTag;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The success answer's JSON body; null when it has none (204). */
  response: z.ZodType | null;
}

const Health = z.object({ ok: z.literal(true) }).meta({ id: "Health" });
/** Electric's change and control messages; `@electric-sql/client` reads them. */
const ShapeMessages = z.array(z.record(z.string(), z.unknown())).meta({ id: "ShapeMessages" });

const workspace = "/v1/workspaces/{id}";
const session = "/v1/workspaces/{id}/sessions/{sessionId}";

export const operations = {
  getHealth: {
    method: "get",
    path: "/healthz",
    tag: "health",
    summary: "Check that the API is up",
    response: Health,
  },

  listRepositories: {
    method: "get",
    path: "/v1/repositories",
    tag: "repositories",
    summary: "List the organization's repositories",
    response: RepositoryList,
  },
  createRepository: {
    method: "post",
    path: "/v1/repositories",
    tag: "repositories",
    summary: "Register a repository",
    body: CreateRepository,
    response: Repository,
  },

  listWorkspaces: {
    method: "get",
    path: "/v1/workspaces",
    tag: "workspaces",
    summary: "List workspaces, newest first, a page at a time",
    query: ListWorkspacesQuery,
    response: WorkspaceList,
  },
  createWorkspace: {
    method: "post",
    path: "/v1/workspaces",
    tag: "workspaces",
    summary: "Create a workspace (provisioning continues in the background)",
    body: CreateWorkspace,
    response: Workspace,
  },
  getWorkspace: {
    method: "get",
    path: workspace,
    tag: "workspaces",
    summary: "Get a workspace",
    response: Workspace,
  },
  updateWorkspace: {
    method: "patch",
    path: workspace,
    tag: "workspaces",
    summary: "Rename a workspace or change its auto-stop",
    body: UpdateWorkspace,
    response: Workspace,
  },
  deleteWorkspace: {
    method: "delete",
    path: workspace,
    tag: "workspaces",
    summary: "Delete a workspace and its VM",
    response: null,
  },
  pauseWorkspace: {
    method: "post",
    path: `${workspace}/pause`,
    tag: "workspaces",
    summary: "Pause (suspend) a running workspace",
    response: Workspace,
  },
  resumeWorkspace: {
    method: "post",
    path: `${workspace}/resume`,
    tag: "workspaces",
    summary: "Resume a paused, stopped or failed workspace",
    response: Workspace,
  },
  stopWorkspace: {
    method: "post",
    path: `${workspace}/stop`,
    tag: "workspaces",
    summary: "Stop a workspace (its disk is kept)",
    response: Workspace,
  },
  createSshCredentials: {
    method: "post",
    path: `${workspace}/ssh`,
    tag: "workspaces",
    summary: "Issue short-lived SSH credentials for a running workspace",
    response: SshCredentials,
  },

  listSessions: {
    method: "get",
    path: `${workspace}/sessions`,
    tag: "sessions",
    summary: "List a workspace's live sessions",
    response: SessionList,
  },
  joinSession: {
    method: "post",
    path: `${workspace}/sessions`,
    tag: "sessions",
    summary: "Join a workspace (start a presence session)",
    body: JoinSession,
    response: JoinedSession,
  },
  heartbeatSession: {
    method: "post",
    path: `${session}/heartbeat`,
    tag: "sessions",
    summary: "Keep a presence session alive",
    response: null,
  },
  leaveSession: {
    method: "delete",
    path: session,
    tag: "sessions",
    summary: "Leave a workspace",
    response: null,
  },

  getMe: {
    method: "get",
    path: "/v1/me",
    tag: "tokens",
    summary: "Who the token speaks for: user, organization, and the token itself",
    response: Me,
  },
  listTokens: {
    method: "get",
    path: "/v1/tokens",
    tag: "tokens",
    summary: "List the caller's API tokens",
    response: ApiTokenList,
  },
  createToken: {
    method: "post",
    path: "/v1/tokens",
    tag: "tokens",
    summary: "Create an API token",
    body: CreateToken,
    response: NewApiToken,
  },
  deleteToken: {
    method: "delete",
    path: "/v1/tokens/{id}",
    tag: "tokens",
    summary: "Revoke an API token",
    response: null,
  },

  getShape: {
    method: "get",
    path: "/v1/shape",
    tag: "sync",
    summary: "Read an Electric shape of the organization",
    response: ShapeMessages,
  },
} as const satisfies Record<string, Operation>;

export type OperationId = keyof typeof operations;
