import { unsavedWorkOf } from "@cw/contracts";
import { type ApiClient, ApiError } from "@cw/contracts/client";
import type { UnsavedWorkProblem, Workspace, WorkspaceDeleted } from "@cw/contracts/types";
import { unsavedWorkLines } from "@cw/contracts/unsaved-work-text";
import { CliError, messageOf } from "./errors.ts";

/** What to do with the VM's unsaved work: push it to a `cw/wip/…` branch first, or discard it. */
export interface DeleteFlags {
  preserve: boolean;
  force: boolean;
}

export interface DeleteDeps {
  api: Pick<ApiClient, "deleteWorkspace">;
  /** Asks one question on the terminal and answers what was typed; null when there is nobody to ask. */
  ask: ((question: string) => Promise<string>) | null;
  /** The conversation (what the VM holds, the choices): stderr. */
  tell: (line: string) => void;
  /** The result: stdout. */
  print: (line: string) => void;
}

const HINT = "cw rm --preserve pushes it to a branch first; --force discards it";

/**
 * `cw rm`'s delete. A workspace whose VM holds work that exists nowhere else is refused by the API
 * (409 unsaved-work) unless the flags say what to do with it; then, with someone to ask, this says
 * what the VM holds and offers: save it to a branch and delete (= --preserve), delete anyway
 * (= --force), or cancel. With nobody to ask, the refusal is the error, with the flags that settle
 * it. Answers the exit code: 0 deleted, 1 not.
 */
export async function deleteWorkspace(ws: Workspace, flags: DeleteFlags, deps: DeleteDeps): Promise<number> {
  try {
    return deleted(ws, await deps.api.deleteWorkspace(ws.id, flags), deps);
  } catch (e) {
    const refusal = unsavedWorkOf(e instanceof ApiError ? e.problem : null);
    if (!refusal) throw e;
    if (!deps.ask || flags.preserve || flags.force) throw new CliError(`${messageOf(e)} (${HINT})`);
    const choice = await choose(ws, refusal, deps.ask, deps.tell);
    if (choice === "cancel") {
      deps.print("Nothing deleted.");
      return 1;
    }
    try {
      return deleted(
        ws,
        await deps.api.deleteWorkspace(ws.id, { preserve: choice === "preserve", force: choice === "force" }),
        deps,
      );
    } catch (again) {
      // A preserve whose push failed: nothing was deleted, and the API says why.
      if (unsavedWorkOf(again instanceof ApiError ? again.problem : null))
        throw new CliError(`${messageOf(again)} (nothing deleted; cw rm --force discards the work)`);
      throw again;
    }
  }
}

type Choice = "preserve" | "force" | "cancel";

async function choose(
  ws: Workspace,
  refusal: UnsavedWorkProblem,
  ask: (question: string) => Promise<string>,
  tell: (line: string) => void,
): Promise<Choice> {
  if (refusal.unsavedWork) {
    tell(`${ws.name}'s VM holds work that exists nowhere else:`);
    for (const line of unsavedWorkLines(refusal.unsavedWork)) tell(`  ${line}`);
  } else tell(refusal.detail);
  const answers = new Map<string, Choice>([
    ["d", "force"],
    ["delete", "force"],
  ]);
  if (refusal.canPreserve) {
    tell("  s  save it to a cw/wip/… branch on the git host, then delete");
    answers.set("s", "preserve").set("save", "preserve");
  }
  tell("  d  delete anyway: the work is lost");
  tell("  c  cancel (the default)");
  const answer = await ask(`${refusal.canPreserve ? "[s/d/C]" : "[d/C]"} `);
  // Anything else, a typo included, cancels: nothing is lost by asking again.
  return answers.get(answer.trim().toLowerCase()) ?? "cancel";
}

function deleted(ws: Workspace, answer: WorkspaceDeleted | undefined, deps: DeleteDeps): number {
  const pushed = answer?.pushedBranches ?? [];
  deps.print(
    `Deleted ${ws.name}.${pushed.length > 0 ? ` Its work was pushed to ${pushed.join(", ")}.` : ""}`,
  );
  return 0;
}
