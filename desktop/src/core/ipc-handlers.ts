import { CreateRepository, CreateWorkspace } from "@cw/contracts";
import { ApiError } from "@cw/contracts/client";
import { z } from "zod";
import {
  type InvokeChannel,
  type InvokeKey,
  type IpcFailure,
  type IpcResult,
  invokeChannels,
} from "../shared/ipc.ts";
import type { Caller } from "./backend/caller.ts";
import type { DesktopBackend } from "./backend/desktop-backend.ts";

/**
 * The IPC surface: for every invoke channel, the zod schema of its arguments and the backend call.
 * Main registers these behind `ipcMain.handle` (after checking the sender); the renderer tests expose
 * the same functions to Chromium, so both run the same validation and code.
 */
const id = z.string().min(1).max(100);
const terminalId = z.uuid();
const dimension = z.number().int().min(1).max(2000);
/** The limits are the contract's: the API would refuse the same input, this refuses it sooner. */
const autoStopMinutes = CreateWorkspace.shape.autoStopMinutes.unwrap();
/** The window's create form: its fields as the API takes them; the rest takes the API's defaults. */
const createWorkspaceInput = CreateWorkspace.pick({
  repositoryId: true,
  name: true,
  branch: true,
  autoStopMinutes: true,
});
/** A repository by its URL (trimmed, as pasted); with no name the backend derives one from the URL. */
const addRepositoryInput = z
  .object({
    cloneUrl: z.string().trim().pipe(CreateRepository.shape.cloneUrl),
    name: CreateRepository.shape.name.optional(),
    defaultBranch: CreateRepository.shape.defaultBranch.unwrap().optional(),
  })
  .strict();

export const argSchemas = {
  appState: z.tuple([]),
  configure: z.tuple([
    z.object({ apiUrl: z.string().min(1).max(2048), token: z.string().min(1).max(1024) }).strict(),
  ]),
  listRepositories: z.tuple([]),
  addRepository: z.tuple([addRepositoryInput]),
  createWorkspace: z.tuple([createWorkspaceInput]),
  pauseWorkspace: z.tuple([id]),
  resumeWorkspace: z.tuple([id]),
  stopWorkspace: z.tuple([id]),
  deleteWorkspace: z.tuple([id, z.enum(["check", "preserve", "force"])]),
  keepAlive: z.tuple([id]),
  openTerminalWindow: z.tuple([id]),
  chooseFolder: z.tuple([]),
  inspectWorktree: z.tuple([z.string().min(1).max(4096)]),
  enableCloud: z.tuple([z.object({ path: z.string().min(1).max(4096), autoStopMinutes }).strict()]),
  terminalOpen: z.tuple([z.object({ workspaceId: id, cols: dimension, rows: dimension }).strict()]),
  // A paste can be large, but not unbounded.
  terminalWrite: z.tuple([terminalId, z.string().max(4 * 1024 * 1024)]),
  terminalResize: z.tuple([terminalId, dimension, dimension]),
  terminalClose: z.tuple([terminalId]),
} satisfies Record<InvokeKey, z.ZodTuple>;

type Args<K extends InvokeKey> = z.infer<(typeof argSchemas)[K]>;
type Handlers = { [K in InvokeKey]: (caller: Caller, ...args: Args<K>) => unknown };

export type IpcHandler = (caller: Caller, rawArgs: unknown[]) => Promise<IpcResult<unknown>>;

export function createIpcHandlers(backend: DesktopBackend): Map<InvokeChannel, IpcHandler> {
  const handlers: Handlers = {
    appState: () => backend.state(),
    configure: (_c, input) => backend.configure(input),
    listRepositories: () => backend.listRepositories(),
    addRepository: (_c, input) => backend.addRepository(input),
    createWorkspace: (_c, input) => backend.createWorkspace(input),
    pauseWorkspace: (_c, wid) => backend.lifecycle("pause", wid),
    resumeWorkspace: (_c, wid) => backend.lifecycle("resume", wid),
    stopWorkspace: (_c, wid) => backend.lifecycle("stop", wid),
    deleteWorkspace: (_c, wid, mode) => backend.deleteWorkspace(wid, mode),
    keepAlive: (_c, wid) => backend.keepAlive(wid),
    openTerminalWindow: (_c, wid) => backend.openTerminalWindow(wid),
    chooseFolder: () => backend.chooseFolder(),
    inspectWorktree: (_c, path) => backend.inspectWorktree(path),
    enableCloud: (_c, input) => backend.enableCloud(input),
    terminalOpen: (c, input) => backend.openTerminal(c, input),
    terminalWrite: (c, tid, data) => backend.terminalWrite(c, tid, data),
    terminalResize: (c, tid, cols, rows) => backend.terminalResize(c, tid, cols, rows),
    terminalClose: (c, tid) => backend.terminalClose(c, tid),
  };

  const table = new Map<InvokeChannel, IpcHandler>();
  for (const key of Object.keys(invokeChannels) as InvokeKey[]) {
    const schema: z.ZodTuple = argSchemas[key];
    const run = handlers[key] as (caller: Caller, ...args: unknown[]) => unknown;
    table.set(invokeChannels[key], async (caller, rawArgs) => {
      const parsed = schema.safeParse(rawArgs);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((issue) => ({
          field: fieldOf(issue.path),
          message: issue.message,
        }));
        const first = fields[0]!;
        return {
          ok: false,
          error: { message: `Invalid ${key} request: ${first.field}: ${first.message}`, fields },
        };
      }
      try {
        const value = await run(caller, ...(parsed.data as unknown[]));
        return { ok: true, value: value ?? null };
      } catch (err) {
        return { ok: false, error: failureOf(err) };
      }
    });
  }
  return table;
}

/**
 * Which argument an issue is about: a field of the form (`branch`) when the argument is an object,
 * else its position, from 1.
 */
function fieldOf(path: PropertyKey[]): string {
  const [position, ...inside] = path;
  if (inside.length) return inside.map(String).join(".");
  return typeof position === "number" ? `argument ${position + 1}` : "arguments";
}

/** An error as the renderer sees it: the API's `detail` and field errors, or the message. */
function failureOf(err: unknown): IpcFailure {
  if (err instanceof ApiError)
    return { message: err.message, status: err.status, ...(err.fields.length ? { fields: err.fields } : {}) };
  if (err instanceof Error) return { message: err.message };
  return { message: String(err) };
}
