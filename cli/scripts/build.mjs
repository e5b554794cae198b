// Bundles the CLI into ESM (dist/cw.js and its chunks), so `cw` starts without a TypeScript loader
// or a module tree to resolve. ssh2's optional native parts (its crypto binding, cpu-features) stay out: ssh2
// falls back to Node's own crypto when they are missing, which keeps the bundle portable.
import { chmod, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist");

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, "src", "cw.ts")],
  outdir,
  // Commands and the SSH bridge load as chunks on demand (see src/cw.ts).
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  external: ["cpu-features", "*.node"],
  // ssh2 is CommonJS: it calls require() for Node built-ins and reads __dirname, which an ESM
  // bundle lacks.
  banner: {
    js: [
      "#!/usr/bin/env node",
      'import { createRequire as __cwRequire } from "node:module";',
      'import { dirname as __cwDirname } from "node:path";',
      'import { fileURLToPath as __cwPath } from "node:url";',
      "const require = __cwRequire(import.meta.url);",
      "const __filename = __cwPath(import.meta.url);",
      "const __dirname = __cwDirname(__filename);",
    ].join("\n"),
  },
  logLevel: "warning",
});
await chmod(join(outdir, "cw.js"), 0o755);
