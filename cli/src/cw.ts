/**
 * `cw`: the entry. It knows every command's name, help and options (plain data, `commands/
 * specs.ts`), parses the arguments, and only then loads the commands' code (`entry/commands-
 * bundle.ts`), so `--help` and usage errors cost nothing and a command compiles nothing twice.
 */
import { realpathSync } from "node:fs";
import { commandHelp, overviewHelp, type ParsedArgs, parseCommandArgs, UsageError } from "./args.ts";
import { type CommandName, type CommandSpec, commandSpecs } from "./commands/specs.ts";
import { cacheDir, configDir } from "./config-dir.ts";
import { loadCommandsBundle } from "./entry/commands-bundle.ts";
import { startEarlyRequests } from "./entry/early-requests.ts";
import { flushOutput } from "./output.ts";

const specs: Record<string, CommandSpec> = commandSpecs;
const isCommand = (name: string): name is CommandName => Object.hasOwn(specs, name);

/** A group's commands (`repo add`, `token ls`, `webhook test`…) are two words; everything else one. */
function commandOf(argv: string[]): { name: string; rest: string[] } {
  const [first = "", second = "", ...more] = argv;
  return isCommand(`${first} ${second}`)
    ? { name: `${first} ${second}`, rest: more }
    : { name: first, rest: argv.slice(1) };
}

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === "help" || first === "-h" || first === "--help") {
    (first === undefined ? process.stderr : process.stdout).write(overviewHelp(specs));
    return first === undefined ? 2 : 0;
  }
  const { name, rest } = commandOf(argv);
  if (!isCommand(name)) {
    const group = Object.keys(specs).filter((n) => n.startsWith(`${first} `));
    if (group.length > 0 && (argv[1] === undefined || argv[1] === "--help" || argv[1] === "-h")) {
      const lines = group.map((n) => `  cw ${n} ${specs[n]!.usage}  — ${specs[n]!.summary}`);
      (argv[1] ? process.stdout : process.stderr).write(`${lines.join("\n")}\n`);
      return argv[1] ? 0 : 2;
    }
    process.stderr.write(
      `cw: unknown command "${argv.slice(0, group.length > 0 ? 2 : 1).join(" ")}" (cw --help lists them)\n`,
    );
    return 2;
  }
  let parsed: ParsedArgs | null;
  try {
    parsed = parseCommandArgs(specs[name]!, rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`cw ${name}: ${e.message} (cw ${name} --help)\n`);
    return 2;
  }
  if (!parsed) {
    process.stdout.write(commandHelp(name, specs[name]!));
    return 0;
  }
  const dir = configDir();
  // On the wire before the bundle's loading blocks the event loop, so the API works meanwhile.
  const early = startEarlyRequests(name, parsed.args, { config: dir, cache: cacheDir() });
  await early?.sent;
  const bundle = loadCommandsBundle(name);
  const code = await bundle.runCommand(name, parsed, {
    configDir: dir,
    entry: realpathSync(__filename),
    warm: () => bundle.saveCompiledCode(),
    early,
  });
  bundle.saveCompiledCode();
  return code;
}

// Exit as soon as the command is done and its output is out: an open stdin (a ProxyCommand's
// pipe) or a presence socket would otherwise keep the process alive.
main(process.argv.slice(2)).then(
  async (code) => {
    await flushOutput();
    process.exit(code);
  },
  async (e: Error) => {
    process.stderr.write(`cw: ${e.message}\n`);
    await flushOutput();
    process.exit(1);
  },
);
