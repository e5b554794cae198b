import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { startVmHost } from "./index.ts";

/**
 * Usage: tsx src/vm-host/cli.ts [--data DIR] [--port N] [--ssh-port N] [--api-key KEY] [--host H] [--control]
 * Flags fall back to VM_HOST_DATA, VM_HOST_PORT, VM_HOST_SSH_PORT, VM_HOST_API_KEY, VM_HOST_HOST.
 * Without a key, a random one is made and printed (VM_HOST_API_KEY=…) for the caller to use.
 */
const { values } = parseArgs({
  options: {
    data: { type: "string" },
    port: { type: "string" },
    "ssh-port": { type: "string" },
    "api-key": { type: "string" },
    host: { type: "string" },
    control: { type: "boolean" },
    quiet: { type: "boolean" },
  },
});

function port(value: string | undefined, name: string): number {
  if (value === undefined || value === "") return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${name} must be a port number, got ${value}`);
  return n;
}

const env = process.env;
const apiKey = values["api-key"] || env.VM_HOST_API_KEY || randomBytes(32).toString("base64url");
const host = await startVmHost({
  dataDir: values.data ?? env.VM_HOST_DATA ?? ".data/vm-host",
  httpPort: port(values.port ?? env.VM_HOST_PORT, "--port"),
  sshPort: port(values["ssh-port"] ?? env.VM_HOST_SSH_PORT, "--ssh-port"),
  apiKey,
  host: values.host ?? env.VM_HOST_HOST,
  control: values.control ?? false,
  log: values.quiet ? undefined : (line) => console.error(`[vm-host] ${line}`),
});

console.log(`VM_HOST_URL=${host.url}`);
console.log(`VM_HOST_SSH=${host.sshHost}:${host.sshPort}`);
if (!values["api-key"] && !env.VM_HOST_API_KEY) console.log(`VM_HOST_API_KEY=${apiKey}`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.error(`[vm-host] ${signal}, shutting down`);
  host.close().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
