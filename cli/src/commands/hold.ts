import { basename } from "node:path";
import type { ApiClient } from "@cw/contracts/client";
import { localTimeFormat } from "@cw/contracts/local-time";
import type { CreateHold, Hold, Workspace } from "@cw/contracts/types";
import { flag, type ParsedArgs, stringOption, UsageError } from "../args.ts";
import { type CommandContext, loggedInApi } from "../context.ts";
import { CliError } from "../errors.ts";
import {
  type CaughtSignal,
  catchSignals,
  type ForegroundCommand,
  forwardsSignal,
  runInForeground,
  shellStatus,
} from "../foreground-command.ts";
import { HOLD_MINUTES, keepHeld, RENEW_AFTER_MS } from "../hold-keeper.ts";
import { parseDuration, parseUntil } from "../hold-time.ts";
import { print, printJson, say } from "../output.ts";
import { resolveWorkspace } from "../resolve-workspace.ts";

/** A hold as people read it: `'nightly build' by Alice until 18:00 (id …)`. */
export function holdText(h: Hold, now: Date): string {
  return `'${h.reason}' by ${h.name} until ${localTimeFormat(now)(new Date(h.until))} (id ${h.id})`;
}

/**
 * `cw hold WS --for D | --until T --reason R [--json]`: one hold, printed. `cw hold WS [--reason R]
 * -- COMMAND…`: the workspace held while the command runs, then released; cw exits with the
 * command's status. A workspace that is not running is the API's 409, said in one line.
 */
export async function hold(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const forText = stringOption(parsed, "for");
  const untilText = stringOption(parsed, "until");
  const reason = stringOption(parsed, "reason");
  if (parsed.rest.length > 0) {
    if (forText !== undefined || untilText !== undefined)
      throw new UsageError("with -- COMMAND the hold lasts as long as the command: no --for or --until");
    if (flag(parsed, "json"))
      throw new UsageError("--json prints a hold of --for or --until, not a command's");
    return holdWhileRunning(loggedInApi(ctx), parsed.args[0]!, parsed.rest, reason, ctx);
  }
  if ((forText === undefined) === (untilText === undefined))
    throw new UsageError("give --for or --until (or -- COMMAND to hold while it runs)");
  if (reason === undefined)
    throw new UsageError(
      '--reason says what the hold is for, to everyone who looks (e.g. --reason "nightly build")',
    );
  const now = new Date();
  const body = holdBody(forText, untilText, reason, now);
  const api = loggedInApi(ctx);
  const ws = await resolveWorkspace(api, parsed.args[0]!);
  const placed = await api.createHold(ws.id, body);
  if (flag(parsed, "json")) printJson(placed);
  else {
    print(`Held ${ws.name}: ${holdText(placed, now)}`);
    say(`cw unhold ${ws.name} ${placed.id} releases it early`);
  }
  return 0;
}

/** The API's `CreateHold` from `--for` or `--until`; a bad value is a usage error naming the option. */
function holdBody(
  forText: string | undefined,
  untilText: string | undefined,
  reason: string,
  now: Date,
): CreateHold {
  if (forText !== undefined) {
    const minutes = parseDuration(forText);
    if (!minutes.ok) throw new UsageError(`--for: ${minutes.message}`);
    return { minutes: minutes.value, reason };
  }
  const until = parseUntil(untilText ?? "", now);
  if (!until.ok) throw new UsageError(`--until: ${until.message}`);
  return { until: until.value.toISOString(), reason };
}

/**
 * Holds the workspace while `command` runs (hold-keeper.ts renews it), with CAUGHT_SIGNALS passed
 * on to the command (see `forwardsSignal`); then releases the hold and answers the command's exit
 * status. A signal before the command started releases the hold and answers 128 + its number.
 */
async function holdWhileRunning(
  api: ApiClient,
  ref: string,
  command: string[],
  reason: string | undefined,
  ctx: CommandContext,
): Promise<number> {
  let running: ForegroundCommand | null = null;
  let caught: CaughtSignal | null = null;
  const onTerminal = Boolean(process.stdin.isTTY);
  const signals = catchSignals((signal) => {
    caught ??= signal;
    if (running && forwardsSignal(signal, onTerminal)) running.kill(signal);
  });
  try {
    const ws: Workspace = await resolveWorkspace(api, ref);
    if (caught) return shellStatus(null, caught);
    const program = basename(command[0]!);
    // Not the arguments: everyone in the organization sees the reason, and arguments can hold secrets.
    const held = await keepHeld({ api, workspaceId: ws.id, reason: reason ?? `${program} (cw hold)`, say });
    try {
      if (caught) return shellStatus(null, caught);
      say(
        `holding ${ws.name} while ${program} runs (hold ${held.current().id}: ${HOLD_MINUTES} min, renewed every ${RENEW_AFTER_MS / 60_000}; released when it ends)`,
      );
      ctx.warm();
      running = runInForeground(command, say);
      return await running.exited;
    } finally {
      await held.release();
    }
  } finally {
    signals.stop();
  }
}

/**
 * `cw unhold WS [HOLD_ID | --all]`: releases one hold, or all of them; with neither, the only one
 * (several are an error listing them).
 */
export async function unhold(parsed: ParsedArgs, ctx: CommandContext): Promise<number> {
  const holdId = parsed.args[1];
  const all = flag(parsed, "all");
  if (holdId !== undefined && all) throw new UsageError("give a hold's id or --all, not both");
  const api = loggedInApi(ctx);
  const ws = await resolveWorkspace(api, parsed.args[0]!);
  const now = new Date();
  const live = (await api.listHolds(ws.id)).items;
  let targets: { id: string; text: string }[];
  if (holdId !== undefined) {
    const known = live.find((h) => h.id === holdId);
    targets = [{ id: holdId, text: known ? holdText(known, now) : `(id ${holdId})` }];
  } else {
    if (!all && live.length === 0) throw new CliError(`${ws.name} has no holds`);
    if (!all && live.length > 1)
      throw new CliError(
        `${ws.name} has ${live.length} holds: ${live.map((h) => holdText(h, now)).join("; ")}; name one by its id, or --all`,
      );
    targets = live.map((h) => ({ id: h.id, text: holdText(h, now) }));
  }
  for (const target of targets) {
    await api.deleteHold(ws.id, target.id);
    print(`Released ${target.text} on ${ws.name}.`);
  }
  if (targets.length === 0) print(`No holds on ${ws.name}.`);
  return 0;
}
