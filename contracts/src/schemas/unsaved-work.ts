import { z } from "zod";
import { Problem } from "./problem.ts";

/**
 * Work that exists only in a workspace's VM: what deleting it would lose. The git poller records
 * the counts on the workspace (`sync`); a delete checks the VM live and lists it all.
 */
const count = z.number().int().min(0);

export const UnsavedWork = z
  .object({
    uncommittedFiles: count.meta({ description: "Tracked files with changes, staged or not" }),
    untrackedFiles: count.meta({ description: "Files git does not track and does not ignore" }),
    unpushedCommits: count.meta({ description: "Commits on no branch of the git host" }),
    stashes: count,
    branches: z
      .array(z.object({ name: z.string(), unpushedCommits: count }))
      .meta({ description: "Local branches holding commits the git host lacks" }),
  })
  .meta({ id: "UnsavedWork" });
export type UnsavedWork = z.infer<typeof UnsavedWork>;

/** True when deleting would lose anything. */
export const holdsUnsavedWork = (w: Omit<UnsavedWork, "branches">) =>
  w.uncommittedFiles + w.untrackedFiles + w.unpushedCommits + w.stashes > 0;

/** A query flag: `?preserve=true`. Anything but true or false is refused, naming the parameter. */
const flag = z
  .enum(["true", "false"])
  .optional()
  .transform((v) => v === "true");

export const DeleteWorkspaceQuery = z
  .object({
    preserve: flag.meta({
      description:
        "Commit everything (untracked files included, .gitignore respected) onto a new branch cw/wip/<workspace>-<timestamp>, push it and every local branch with unpushed commits, then delete. Nothing is deleted if the push fails",
    }),
    force: flag.meta({ description: "Delete without checking the VM for unsaved work" }),
  })
  .refine((q) => !(q.preserve && q.force), {
    message: "choose preserve or force, not both",
    path: ["force"],
  });
export type DeleteWorkspaceQuery = z.input<typeof DeleteWorkspaceQuery>;

/** `DELETE …?preserve=true`: what was pushed before the workspace went. */
export const WorkspaceDeleted = z
  .object({
    pushedBranches: z
      .array(z.string())
      .meta({ description: "Branches pushed to the git host (the cw/wip/… branch first, when made)" }),
  })
  .meta({ id: "WorkspaceDeleted" });
export type WorkspaceDeleted = z.infer<typeof WorkspaceDeleted>;

/**
 * 409 `unsaved-work`: the VM holds work that exists nowhere else (`unsavedWork`), or it could not be
 * checked (`unsavedWork: null`; then only `force` deletes). `canPreserve` says whether `preserve`
 * may help.
 */
export const UnsavedWorkProblem = Problem.extend({
  unsavedWork: UnsavedWork.nullable(),
  canPreserve: z.boolean(),
}).meta({ id: "UnsavedWorkProblem" });
export type UnsavedWorkProblem = z.infer<typeof UnsavedWorkProblem>;

export const UNSAVED_WORK_PROBLEM_TYPE = "/problems/unsaved-work";

/** The unsaved-work problem in an error answer's problem document, or null when it is not one. */
export function unsavedWorkOf(problem: unknown): UnsavedWorkProblem | null {
  const parsed = UnsavedWorkProblem.safeParse(problem);
  return parsed.success && parsed.data.type === UNSAVED_WORK_PROBLEM_TYPE ? parsed.data : null;
}
