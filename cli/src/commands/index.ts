// First: it configures zod before any schema is built (the contract's are, as their modules load).
import "../zod-config.ts";
import { type ParsedArgs, UsageError } from "../args.ts";
import type { CommandContext } from "../context.ts";
import { messageOf } from "../errors.ts";
import type { CommandName } from "./specs.ts";

type Run = (parsed: ParsedArgs, ctx: CommandContext) => Promise<number>;

/**
 * The commands' code, one module each, initialized on first use: a command never runs another's
 * module code (nor ssh2's, nor zod's, when it needs neither).
 */
const commands: Record<CommandName, () => Promise<Run>> = {
  login: async () => (await import("./login.ts")).run,
  logout: async () => (await import("./logout.ts")).run,
  ls: async () => (await import("./ls.ts")).run,
  "repo add": async () => (await import("./repo.ts")).add,
  "repo ls": async () => (await import("./repo.ts")).ls,
  create: async () => (await import("./create.ts")).run,
  edit: async () => (await import("./edit.ts")).run,
  pause: async () => (await import("./lifecycle.ts")).pause,
  resume: async () => (await import("./lifecycle.ts")).resume,
  stop: async () => (await import("./lifecycle.ts")).stop,
  rm: async () => (await import("./lifecycle.ts")).rm,
  status: async () => (await import("./status.ts")).run,
  hold: async () => (await import("./hold.ts")).hold,
  unhold: async () => (await import("./hold.ts")).unhold,
  ssh: async () => (await import("./ssh.ts")).run,
  "config-ssh": async () => (await import("./config-ssh.ts")).run,
  "ssh-proxy": async () => (await import("./ssh-proxy.ts")).run,
  events: async () => (await import("./events.ts")).run,
  "token ls": async () => (await import("./token.ts")).ls,
  "token create": async () => (await import("./token.ts")).create,
  "token rm": async () => (await import("./token.ts")).rm,
  "git-credential add": async () => (await import("./git-credential.ts")).add,
  "git-credential ls": async () => (await import("./git-credential.ts")).ls,
  "git-credential rm": async () => (await import("./git-credential.ts")).rm,
  "webhook ls": async () => (await import("./webhook.ts")).ls,
  "webhook add": async () => (await import("./webhook.ts")).add,
  "webhook rm": async () => (await import("./webhook.ts")).rm,
  "webhook enable": async () => (await import("./webhook.ts")).enable,
  "webhook test": async () => (await import("./webhook.ts")).test,
  "webhook deliveries": async () => (await import("./webhook.ts")).deliveries,
  "internal-ssh-bridge": async () => (await import("./internal-ssh-bridge.ts")).run,
};

/**
 * Runs one command and turns its failure into one line on stderr and an exit code: 2 for wrong
 * usage (with the way to its help), 1 for anything else (the API's `detail` when the API said no).
 */
export async function runCommand(
  name: CommandName,
  parsed: ParsedArgs,
  ctx: CommandContext,
): Promise<number> {
  try {
    return await (await commands[name]())(parsed, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`cw ${name}: ${e.message} (cw ${name} --help)\n`);
      return 2;
    }
    process.stderr.write(`cw: ${messageOf(e)}\n`);
    if (process.env.CW_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
