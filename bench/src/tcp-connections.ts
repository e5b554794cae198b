import { existsSync, readFileSync } from "node:fs";

const TABLES = ["/proc/net/tcp", "/proc/net/tcp6"];
const ESTABLISHED = "01";

/**
 * Open (established) TCP connections to `port` on this machine, from any process: what a server
 * listening there really holds, whatever a client library says it sent. Linux only (the kernel's
 * /proc tables); null elsewhere.
 */
export function connectionsTo(port: number): number | null {
  const tables = TABLES.filter((t) => existsSync(t));
  if (tables.length === 0) return null;
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  let n = 0;
  for (const table of tables)
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      // sl local_address rem_address st …, addresses as HEXIP:HEXPORT
      const [, , remote, state] = line.trim().split(/\s+/);
      if (state === ESTABLISHED && remote?.endsWith(`:${hexPort}`)) n++;
    }
  return n;
}
