import { z } from "zod";
import {
  autoStopActionValues,
  gitSyncStatusValues,
  providerTypeValues,
  workspaceActionValues,
  workspaceStatusValues,
} from "../enums.ts";
import { Activity } from "./activity.ts";
import { commaListOf, displayName, issuedId, timestamp } from "./common.ts";
import { branchName } from "./repository.ts";

/**
 * The workspace: the one place its fields are written down (besides its Drizzle table). The API
 * answers with `Workspace`; the synced row (`shape-row.ts`) and the desktop's store derive from it.
 */

export const workspaceStatusSchema = z.enum(workspaceStatusValues);
export const providerTypeSchema = z.enum(providerTypeValues);
export const gitSyncStatusSchema = z.enum(gitSyncStatusValues);
export const workspaceActionSchema = z.enum(workspaceActionValues);

export const AUTO_STOP_MAX_MINUTES = 7 * 24 * 60;
const autoStopAction = z.enum(autoStopActionValues).meta({
  description:
    "What idle auto-stop does: pause (suspend: memory and processes kept, resumes at once, only storage billed) or stop (shut down, disk kept)",
});
const autoStopMinutes = z
  .number()
  .int()
  .min(0)
  .max(AUTO_STOP_MAX_MINUTES)
  .meta({ description: "Minutes without activity before the workspace is stopped; 0 = never" });

/** Work only the VM holds, as the git poller last counted it; null until it has looked. */
const workCount = (description: string) => z.number().int().min(0).nullable().meta({ description });

/** Where the VM's checkout stands against its branch on the git host, and what only it holds. */
export const WorkspaceSync = z
  .object({
    status: gitSyncStatusSchema,
    message: z.string().nullable(),
    localHeadSha: z.string().nullable(),
    remoteHeadSha: z.string().nullable(),
    checkedAt: timestamp.nullable(),
    uncommittedFiles: workCount("Tracked files with uncommitted changes"),
    untrackedFiles: workCount("Files git neither tracks nor ignores"),
    unpushedCommits: workCount("Commits on no branch of the git host"),
    stashes: workCount("Stash entries"),
  })
  .meta({ id: "WorkspaceSync" });
export type WorkspaceSync = z.infer<typeof WorkspaceSync>;

export const Workspace = z
  .object({
    id: issuedId,
    organizationId: issuedId,
    repositoryId: issuedId,
    name: z.string(),
    branch: z.string(),
    providerType: providerTypeSchema,
    providerVmId: z.string().nullable(),
    status: workspaceStatusSchema,
    statusMessage: z.string().nullable(),
    operation: z.string().nullable().meta({ description: "Provider operation in flight, if any" }),
    allowedActions: z.array(workspaceActionSchema),
    creatorId: issuedId,
    autoStopMinutes,
    autoStopAction,
    autoStopAt: timestamp.nullable().meta({
      description:
        "When idle auto-stop will act; null while someone is connected, when not running, or disabled",
    }),
    autoStoppedAt: timestamp.nullable(),
    connectedCount: z.number().int().min(0),
    lastActiveAt: timestamp,
    activity: Activity.meta({
      description:
        "What keeps the workspace running (who is connected, which holds) or when and why it will stop",
    }),
    sync: WorkspaceSync,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: "Workspace" });
export type Workspace = z.infer<typeof Workspace>;

export const WorkspaceList = z
  .object({ items: z.array(Workspace), nextCursor: z.string().nullable() })
  .meta({ id: "WorkspaceList" });
export type WorkspaceList = z.infer<typeof WorkspaceList>;

export const CreateWorkspace = z
  .object({
    repositoryId: z.uuid(),
    name: displayName,
    branch: branchName,
    providerType: providerTypeSchema.default("freestyle"),
    autoStopMinutes: autoStopMinutes.default(30),
    autoStopAction: autoStopAction.default("pause"),
  })
  .strict()
  .meta({ id: "CreateWorkspace" });
export type CreateWorkspace = z.input<typeof CreateWorkspace>;

export const UpdateWorkspace = z
  .object({
    name: displayName.optional(),
    autoStopMinutes: autoStopMinutes.optional(),
    autoStopAction: autoStopAction.optional(),
  })
  .strict()
  .meta({ id: "UpdateWorkspace" });
export type UpdateWorkspace = z.input<typeof UpdateWorkspace>;

export const WORKSPACE_PAGE_MAX = 200;
export const WAIT_FOR_MAX_SECONDS = 300;

const statusList = commaListOf(workspaceStatusValues, "statuses");

/**
 * `GET /v1/workspaces/{id}?waitFor=running,error&timeoutSeconds=60`: answers as soon as the status is
 * one of those (or with the workspace as it is at the timeout), so a script needs no polling loop.
 */
export const GetWorkspaceQuery = z.object({
  waitFor: statusList
    .optional()
    .meta({ description: "Answer once the status is one of these (comma-separated)" }),
  timeoutSeconds: z.coerce.number().int().min(1).max(WAIT_FOR_MAX_SECONDS).default(60).meta({
    description: "With waitFor: the longest to wait before answering with the workspace as it is",
  }),
});
export type GetWorkspaceQuery = Partial<z.output<typeof GetWorkspaceQuery>>;

/** The query of `GET /v1/workspaces`; a cursor is the `nextCursor` of the page before. */
export const ListWorkspacesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(WORKSPACE_PAGE_MAX).default(50),
  cursor: z.string().max(512).optional(),
  status: workspaceStatusSchema.optional(),
});
export type ListWorkspacesQuery = Partial<z.output<typeof ListWorkspacesQuery>>;
