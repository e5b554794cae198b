import {
  autoStopActionValues,
  clientTypeValues,
  gitSyncStatusValues,
  providerTypeValues,
  workspaceStatusValues,
} from "@cw/db/schema";
import { z } from "@hono/zod-openapi";
import { workspaceActions } from "../domain/state-machine.ts";

/** Request and response schemas: the single source of both validation and the OpenAPI document. */

export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });
export const SessionParams = IdParam.extend({
  sessionId: z.uuid().openapi({ param: { name: "sessionId", in: "path" } }),
});

// Git's ref-name rules, minus the rarely-hit ones: no spaces, control characters or ~^:?*[\,
// no "..", "@{", leading "-" or "/", trailing "/" or ".lock".
const branchName = z
  .string()
  .min(1)
  .max(255)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what git forbids.
  .regex(/^(?![-/])(?!.*\.\.)(?!.*@\{)(?!.*\/\/)(?!.*\/$)(?!.*\.lock$)[^\s~^:?*[\\\x00-\x1f\x7f]+$/, {
    message: "not a valid git branch name",
  });

const cloneUrl = z
  .string()
  .max(2048)
  .regex(/^(https?|ssh|git|file):\/\/\S+$|^[\w.-]+@[\w.-]+:\S+$/, {
    message: "must be an http(s), ssh, git or file URL, or user@host:path",
  });

export const CreateRepositoryBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    cloneUrl,
    defaultBranch: branchName.default("main"),
  })
  .openapi("CreateRepository");

export const Repository = z
  .object({
    id: z.uuid(),
    name: z.string(),
    cloneUrl: z.string(),
    defaultBranch: z.string(),
    createdAt: z.string(),
  })
  .openapi("Repository");

export const AUTO_STOP_MAX_MINUTES = 7 * 24 * 60;
const autoStopAction = z.enum(autoStopActionValues).openapi({
  description:
    "What idle auto-stop does: pause (suspend: memory and processes kept, resumes at once, only storage billed) or stop (shut down, disk kept)",
});
const autoStopMinutes = z
  .number()
  .int()
  .min(0)
  .max(AUTO_STOP_MAX_MINUTES)
  .openapi({ description: "Minutes without activity before the workspace is stopped; 0 = never" });

export const CreateWorkspaceBody = z
  .object({
    repositoryId: z.uuid(),
    name: z.string().trim().min(1).max(100),
    branch: branchName,
    providerType: z.enum(providerTypeValues).default("freestyle"),
    autoStopMinutes: autoStopMinutes.default(30),
    autoStopAction: autoStopAction.default("pause"),
  })
  .strict()
  .openapi("CreateWorkspace");

export const UpdateWorkspaceBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    autoStopMinutes: autoStopMinutes.optional(),
    autoStopAction: autoStopAction.optional(),
  })
  .strict()
  .openapi("UpdateWorkspace");

export const Workspace = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    repositoryId: z.uuid(),
    name: z.string(),
    branch: z.string(),
    providerType: z.enum(providerTypeValues),
    providerVmId: z.string().nullable(),
    status: z.enum(workspaceStatusValues),
    statusMessage: z.string().nullable(),
    operation: z.string().nullable().openapi({ description: "Provider operation in flight, if any" }),
    allowedActions: z.array(z.enum(workspaceActions)),
    creatorId: z.uuid(),
    autoStopMinutes: z.number().int(),
    autoStopAction: z.enum(autoStopActionValues),
    autoStopAt: z.string().nullable().openapi({
      description:
        "When idle auto-stop will act; null while someone is connected, when not running, or disabled",
    }),
    autoStoppedAt: z.string().nullable(),
    connectedCount: z.number().int(),
    lastActiveAt: z.string(),
    sync: z.object({
      status: z.enum(gitSyncStatusValues),
      message: z.string().nullable(),
      localHeadSha: z.string().nullable(),
      remoteHeadSha: z.string().nullable(),
      checkedAt: z.string().nullable(),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Workspace");

export const WorkspaceList = z
  .object({ items: z.array(Workspace), nextCursor: z.string().nullable() })
  .openapi("WorkspaceList");

export const ListWorkspacesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
  status: z.enum(workspaceStatusValues).optional(),
});

export const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "Repeat a create safely: the same key and body return the same workspace",
    }),
});

export const SshCredentials = z
  .object({
    host: z.string(),
    port: z.number().int(),
    username: z.string(),
    token: z.string(),
    expiresAt: z.string(),
    command: z.string().openapi({ description: "Ready to paste into a shell" }),
  })
  .openapi("SshCredentials");

export const JoinSessionBody = z
  .object({ clientType: z.enum(clientTypeValues) })
  .strict()
  .openapi("JoinSession");
export const JoinedSession = z
  .object({ sessionId: z.uuid(), heartbeatSeconds: z.number().int() })
  .openapi("JoinedSession");
export const Session = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    clientType: z.enum(clientTypeValues),
    connectedAt: z.string(),
    lastHeartbeatAt: z.string(),
  })
  .openapi("Session");

export const CreateTokenBody = z
  .object({ name: z.string().trim().min(1).max(100) })
  .strict()
  .openapi("CreateToken");
export const ApiToken = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi("ApiToken");
export const NewApiToken = ApiToken.extend({
  token: z.string().openapi({ description: "Shown once" }),
}).openapi("NewApiToken");

export const ProblemDetails = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .openapi("Problem");
