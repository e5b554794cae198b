import { UsageError } from "./args.ts";
import { CliError } from "./errors.ts";

/**
 * Asks for a secret on the terminal without echoing it: stdin in raw mode, characters collected
 * until Enter; Backspace edits, Ctrl-C and Ctrl-D give up (null). The prompt goes to stderr.
 */
export function promptSecret(
  prompt: string,
  input: NodeJS.ReadStream = process.stdin,
): Promise<string | null> {
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve) => {
    let secret = "";
    const finish = (value: string | null) => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write("\n");
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish(secret);
        if (ch === "\u0003" || ch === "\u0004") return finish(null);
        if (ch === "\u007f" || ch === "\b") secret = secret.slice(0, -1);
        else if (ch >= " ") secret += ch;
      }
    };
    input.on("data", onData);
  });
}

/** All of stdin, as text. */
export async function readStdin(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** One line typed on the terminal (echoed), after a prompt on stderr. */
export async function promptLine(prompt: string): Promise<string> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(prompt);
  } finally {
    rl.close();
  }
}

/**
 * A secret the user gives cw: all of stdin with `--<option>` (`cw login --token-stdin`), else asked
 * for on the terminal without echo. None, or no terminal to ask on, is said in one line.
 */
export async function readSecret(what: {
  name: string;
  option: string;
  fromStdin: boolean;
}): Promise<string> {
  if (what.fromStdin) {
    const secret = (await readStdin()).trim();
    if (!secret) throw new UsageError(`--${what.option}: standard input was empty`);
    return secret;
  }
  if (!process.stdin.isTTY)
    throw new UsageError(`no terminal to ask for the ${what.name} on; pipe it in with --${what.option}`);
  const secret = (await promptSecret(`${what.name[0]!.toUpperCase()}${what.name.slice(1)}: `))?.trim();
  if (!secret) throw new CliError(`no ${what.name} given`);
  return secret;
}
