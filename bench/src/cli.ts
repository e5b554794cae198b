import { benchApi } from "./api.ts";
import { benchEvents } from "./events.ts";
import { benchHeartbeat } from "./heartbeat.ts";
import { benchSync } from "./sync.ts";
import { benchSyncFanout } from "./sync-fanout.ts";
import { benchTick } from "./tick.ts";

const benches: Record<string, () => Promise<unknown>> = {
  api: () => benchApi(),
  sync: () => benchSync(),
  events: () => benchEvents(),
  "sync-fanout": () => benchSyncFanout(),
  tick: () => benchTick(),
  heartbeat: () => benchHeartbeat(),
  terminal: () => import("./terminal.ts").then((m) => m.benchTerminal()),
  ssh: () => import("./ssh.ts").then((m) => m.benchSsh()),
};

const which = process.argv.slice(2);
const unknown = which.filter((name) => !benches[name]);
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(", ")}; choose from ${Object.keys(benches).join(", ")}`);
  process.exit(2);
}
for (const name of which.length > 0 ? which : Object.keys(benches)) await benches[name]!();
