import { internalSshBridge } from "./commands/internal-ssh-bridge.ts";

/**
 * `cw`: for now only the hidden SSH bridge command; the user-facing commands (login, ls,
 * config-ssh, ssh-proxy, …) come with the API client.
 */
const commands: Record<string, (argv: string[]) => Promise<number>> = {
  "internal-ssh-bridge": internalSshBridge,
};

const [name, ...argv] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  process.stderr.write("usage: cw <command>  (no public commands yet)\n");
  process.exit(2);
}
// Exit at once when done: an open stdin (the ProxyCommand's pipe) would otherwise keep us alive.
// Commands flush their own output first.
process.exit(await command(argv));
