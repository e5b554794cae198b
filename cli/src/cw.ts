/**
 * `cw`: for now only the hidden SSH bridge command; the user-facing commands (login, ls,
 * config-ssh, ssh-proxy, …) come with the API client. Each command is its own chunk, loaded on
 * demand, so starting one never compiles the others' dependencies.
 */
import module from "node:module";

type Command = { run(argv: string[]): Promise<number> };

// Node 22.1+ keeps compiled code between runs, which shortens every later start; older Nodes lack it.
module.enableCompileCache?.();

const commands: Record<string, () => Promise<Command>> = {
  "internal-ssh-bridge": () => import("./commands/internal-ssh-bridge.ts"),
};

const [name, ...argv] = process.argv.slice(2);
const load = name ? commands[name] : undefined;
if (!load) {
  process.stderr.write("usage: cw <command>  (no public commands yet)\n");
  process.exit(2);
}
// Exit at once when done: an open stdin (the ProxyCommand's pipe) would otherwise keep us alive.
// Commands flush their own output first.
process.exit(await (await load()).run(argv));
