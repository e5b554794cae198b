import { parseArgs } from "node:util";
import type { CommandSpec } from "./commands/specs.ts";

/** Wrong arguments: said in one line with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface ParsedArgs {
  /** Option values by long name; booleans absent when not given. */
  values: Record<string, string | boolean | undefined>;
  /** The arguments, in order. */
  args: string[];
  /** What followed `--`, for commands that take a command to run. */
  rest: string[];
}

/**
 * Parses one command's arguments against its spec with Node's own `util.parseArgs` (strict: an
 * unknown option or a missing value is a usage error). `null` means help was asked for.
 */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs | null {
  const dash = spec.rest ? argv.indexOf("--") : -1;
  const own = dash === -1 ? argv : argv.slice(0, dash);
  const rest = dash === -1 ? [] : argv.slice(dash + 1);
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, option] of Object.entries(spec.options))
    options[name] = option.short ? { type: option.type, short: option.short } : { type: option.type };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: own, options, allowPositionals: true, strict: true });
  } catch (e) {
    // Node's messages name the option ("Unknown option '--x'"); drop its advice about `--`.
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
  if (parsed.values.help) return null;
  const args = parsed.positionals;
  if (args.length < spec.args.min) throw new UsageError(`missing arguments (usage: ${spec.usage})`);
  if (args.length > spec.args.max) throw new UsageError(`unexpected argument "${args[spec.args.max]}"`);
  for (const [name, option] of Object.entries(spec.options)) {
    const value = parsed.values[name];
    if (option.type === "string" && value === "") throw new UsageError(`--${name} needs a value`);
  }
  return { values: parsed.values as ParsedArgs["values"], args, rest };
}

/** A string option's value, or undefined. */
export const stringOption = (parsed: ParsedArgs, name: string) => {
  const value = parsed.values[name];
  return typeof value === "string" ? value : undefined;
};

export const flag = (parsed: ParsedArgs, name: string) => parsed.values[name] === true;

/** `cw <name> --help`. */
export function commandHelp(name: string, spec: CommandSpec): string {
  const lines = [`cw ${name}: ${spec.summary}`, "", `usage: cw ${name}${spec.usage ? ` ${spec.usage}` : ""}`];
  if (spec.details) lines.push("", ...wrap(spec.details, 100));
  const options = Object.entries(spec.options).map(([option, o]) => {
    const short = o.short ? `-${o.short}, ` : "";
    return [`${short}--${option}${o.value ? ` ${o.value}` : ""}`, o.help] as const;
  });
  options.push(["-h, --help", "show this help"]);
  const width = Math.max(...options.map(([left]) => left.length));
  lines.push("", "options:", ...options.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`));
  return `${lines.join("\n")}\n`;
}

/** `cw --help`: every command that is not hidden. */
export function overviewHelp(specs: Record<string, CommandSpec>): string {
  const shown = Object.entries(specs).filter(([, spec]) => !spec.hidden);
  const width = Math.max(...shown.map(([name]) => name.length));
  return [
    "cw: cloud workspaces from the command line",
    "",
    "usage: cw <command> [arguments]   (cw <command> --help for its options)",
    "",
    "commands:",
    ...shown.map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`),
    "",
    "Workspaces are named by name or id. Exit codes: 0 ok, 1 failure, 2 wrong usage.",
    "CW_URL and CW_TOKEN override the API URL and token stored by `cw login`.",
    "",
  ].join("\n");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
