import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { buildDesktop, desktopDir } from "./build.ts";

/**
 * `pnpm desktop`: fetch Electron's binary if the install skipped it, build, start the app.
 * (pnpm does not run Electron's install script, so installs work offline with its types only.)
 */
const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve("electron/package.json"));

if (!existsSync(join(electronDir, "path.txt"))) {
  console.log("Downloading Electron's binary (once)…");
  const r = spawnSync(process.execPath, [join(electronDir, "install.js")], {
    cwd: electronDir,
    stdio: "inherit",
  });
  if (r.status !== 0) {
    console.error("Could not download Electron. Check your network, then run `pnpm desktop` again.");
    process.exit(1);
  }
}

await buildDesktop();
const electronBinary = require("electron") as unknown as string;
const child = spawn(electronBinary, [join(desktopDir, "dist/main.mjs"), ...process.argv.slice(2)], {
  stdio: "inherit",
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
