import { z } from "zod";
import { CreateHold, Hold, HoldList } from "./schemas/activity.ts";
import { EventList, ListEventsQuery, StreamEventsQuery } from "./schemas/event.ts";
import { CreateGitCredential, GitCredential, GitCredentialList } from "./schemas/git-credential.ts";
import { Me } from "./schemas/me.ts";
import { CreateRepository, Repository, RepositoryList } from "./schemas/repository.ts";
import { JoinedSession, JoinSession, SessionList } from "./schemas/session.ts";
import { SshCredentials } from "./schemas/ssh.ts";
import { ApiTokenList, CreateToken, NewApiToken } from "./schemas/token.ts";
import { DeleteWorkspaceQuery, WorkspaceDeleted } from "./schemas/unsaved-work.ts";
import {
  CreateWebhook,
  ListWebhookDeliveriesQuery,
  NewWebhook,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookList,
} from "./schemas/webhook.ts";
import {
  CreateWorkspace,
  GetWorkspaceQuery,
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
  holds: "Holds: a long job keeps a workspace running for a while, whoever is connected",
  events: "The organization's events: the audit log, a live stream",
  webhooks: "Signed webhooks (Standard Webhooks) that deliver the organization's events",
  tokens: "API tokens of the caller, and who a token speaks for",
  "git-credentials": "Credentials for private git hosts, handed to workspaces' git one operation at a time",
  vm: "Called from inside a workspace's VM, with the VM's own credential",
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
  /** The answer is a stream of this media type (`text/event-stream`), not JSON: not for the client. */
  streams?: "text/event-stream";
  /** Answers 204 without a body in some cases although `response` describes its other success. */
  mayAnswerNoContent?: true;
  /**
   * The body and answer are `text/plain` in the format this names, not JSON: not for the client
   * (a VM's git calls it through a shell helper).
   */
  textProtocol?: "git-credential";
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
    summary: "Get a workspace (optionally once its status is one of waitFor)",
    query: GetWorkspaceQuery,
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
    summary: "Delete a workspace and its VM, unless it holds unsaved work (see preserve and force)",
    query: DeleteWorkspaceQuery,
    response: WorkspaceDeleted,
    mayAnswerNoContent: true,
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

  listHolds: {
    method: "get",
    path: `${workspace}/holds`,
    tag: "holds",
    summary: "List a workspace's live holds",
    response: HoldList,
  },
  createHold: {
    method: "post",
    path: `${workspace}/holds`,
    tag: "holds",
    summary: "Hold a workspace running for a while (a long job), whoever is connected",
    body: CreateHold,
    response: Hold,
  },
  deleteHold: {
    method: "delete",
    path: `${workspace}/holds/{holdId}`,
    tag: "holds",
    summary: "Release a hold",
    response: null,
  },

  listEvents: {
    method: "get",
    path: "/v1/events",
    tag: "events",
    summary: "The organization's events (the audit log), oldest first after a cursor",
    query: ListEventsQuery,
    response: EventList,
  },
  streamEvents: {
    method: "get",
    path: "/v1/events/stream",
    tag: "events",
    summary: "Follow the organization's events as Server-Sent Events (resumable with Last-Event-ID)",
    query: StreamEventsQuery,
    response: null,
    streams: "text/event-stream",
  },

  listWebhooks: {
    method: "get",
    path: "/v1/webhooks",
    tag: "webhooks",
    summary: "List the organization's webhook endpoints (never their secrets)",
    response: WebhookList,
  },
  createWebhook: {
    method: "post",
    path: "/v1/webhooks",
    tag: "webhooks",
    summary: "Add a webhook endpoint; its signing secret is in this answer only",
    body: CreateWebhook,
    response: NewWebhook,
  },
  deleteWebhook: {
    method: "delete",
    path: "/v1/webhooks/{id}",
    tag: "webhooks",
    summary: "Delete a webhook endpoint and its deliveries",
    response: null,
  },
  enableWebhook: {
    method: "post",
    path: "/v1/webhooks/{id}/enable",
    tag: "webhooks",
    summary: "Enable a disabled webhook endpoint again; it receives the events recorded from now on",
    response: Webhook,
  },
  testWebhook: {
    method: "post",
    path: "/v1/webhooks/{id}/test",
    tag: "webhooks",
    summary: "Send a test delivery to a webhook endpoint now (one attempt)",
    response: WebhookDelivery,
  },
  listWebhookDeliveries: {
    method: "get",
    path: "/v1/webhooks/{id}/deliveries",
    tag: "webhooks",
    summary: "A webhook endpoint's deliveries, newest first: status, attempts, last answer",
    query: ListWebhookDeliveriesQuery,
    response: WebhookDeliveryList,
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

  listGitCredentials: {
    method: "get",
    path: "/v1/git-credentials",
    tag: "git-credentials",
    summary: "List the caller's git credentials and the organization's (never their secrets)",
    response: GitCredentialList,
  },
  createGitCredential: {
    method: "post",
    path: "/v1/git-credentials",
    tag: "git-credentials",
    summary: "Add (or replace) a git credential for a host",
    body: CreateGitCredential,
    response: GitCredential,
  },
  deleteGitCredential: {
    method: "delete",
    path: "/v1/git-credentials/{id}",
    tag: "git-credentials",
    summary: "Delete a git credential; workspaces' git stops receiving it at once",
    response: null,
  },

  getVmGitCredential: {
    method: "post",
    path: "/v1/vm/git-credential",
    tag: "vm",
    summary: "The git host credential for one git operation in a workspace's VM (git's credential protocol)",
    response: null,
    textProtocol: "git-credential",
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
