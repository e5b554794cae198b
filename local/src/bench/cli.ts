import { benchApi } from "./api.ts";

const benches: Record<string, () => Promise<unknown>> = {
  api: () => benchApi(),
};

const which = process.argv.slice(2);
const unknown = which.filter((name) => !benches[name]);
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(", ")}; choose from ${Object.keys(benches).join(", ")}`);
  process.exit(2);
}
for (const name of which.length > 0 ? which : Object.keys(benches)) await benches[name]!();
