// `pnpm cw …` from the checkout: builds dist/ first when any source it bundles is newer than it
// (or it is missing), then runs it in this process, so `pnpm cw` always runs the current source.
// Quiet unless it builds. pnpm's own lines go to stderr, so `--json` output stays clean.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(cli, "dist", "cw.cjs");
const sources = ["cli/src", "cli/scripts/build.mjs", "client-node/src", "contracts/src"].map((p) =>
  join(cli, "..", p),
);

function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

let built = 0;
try {
  built = statSync(entry).mtimeMs;
} catch {
  // Not built yet.
}
if (Math.max(...sources.map(newest)) > built) {
  process.stderr.write("cw: building cli/dist from the current source…\n");
  execFileSync(process.execPath, [join(cli, "scripts", "build.mjs")], { stdio: "inherit" });
}
// pnpm runs scripts in the checkout; cw works where it was called (`cw create` reads that folder).
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
createRequire(import.meta.url)(entry);
