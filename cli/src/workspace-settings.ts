import { CreateWorkspace } from "@cw/contracts";
import { type ParsedArgs, stringOption, UsageError } from "./args.ts";

/** What `cw create` and `cw edit` set of a workspace from their options. */
export interface WorkspaceSettings {
  name?: string;
  autoStopMinutes?: number;
  autoStopAction?: "pause" | "stop";
}

/** The options, checked by the contract's own schemas so the rules are the API's. */
export function workspaceSettings(parsed: ParsedArgs): WorkspaceSettings {
  const out: WorkspaceSettings = {};
  const name = stringOption(parsed, "name");
  if (name !== undefined) {
    const checked = CreateWorkspace.shape.name.safeParse(name);
    if (!checked.success) throw new UsageError(`--name: ${checked.error.issues[0]?.message}`);
    out.name = checked.data;
  }
  const minutes = stringOption(parsed, "auto-stop");
  if (minutes !== undefined) {
    const checked = CreateWorkspace.shape.autoStopMinutes.safeParse(
      /^\d+$/.test(minutes) ? Number(minutes) : NaN,
    );
    if (!checked.success)
      throw new UsageError(`--auto-stop: a whole number of minutes from 0 (never) up to the API's limit`);
    out.autoStopMinutes = checked.data;
  }
  const action = stringOption(parsed, "auto-stop-action");
  if (action !== undefined) {
    if (action !== "pause" && action !== "stop")
      throw new UsageError("--auto-stop-action must be pause or stop");
    out.autoStopAction = action;
  }
  return out;
}
