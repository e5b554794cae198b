// Builds `cw` into dist/: `cw.cjs`, a small entry (help, argument parsing, the loader), and
// `cw-commands-<hash>.cjs`, every command's code in one CommonJS bundle that the entry loads with
// V8's compiled-code cache (src/entry/commands-bundle.ts). No TypeScript loader and no module tree
// to resolve at run time. ssh2's optional native parts (its crypto binding, cpu-features) and ws'
// optional accelerators stay out: both fall back to plain JavaScript and Node's crypto, which keeps
// the bundle the same on every platform.
import { chmod, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist");
const common = { bundle: true, platform: "node", target: "node20", format: "cjs", logLevel: "warning" };

// zod's `z` namespace re-exports all its ~50 message locales, which cannot be tree-shaken from a
// namespace: ~400 KB of the bundle that every start would read and compile. Nothing here uses
// them (zod itself imports English directly), so `z.locales` keeps English only.
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), "..", "locales", "en.js"), namespace: "zod-english-only" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-english-only" }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: dirname(args.path),
      loader: "js",
    }));
  },
};

await rm(outdir, { recursive: true, force: true });
const commands = await build({
  ...common,
  entryPoints: { "cw-commands": join(root, "src", "commands", "index.ts") },
  entryNames: "[name]-[hash]",
  outExtension: { ".js": ".cjs" },
  outdir,
  external: ["cpu-features", "*.node", "bufferutil", "utf-8-validate"],
  plugins: [zodEnglishOnly],
  metafile: true,
});
const [bundle] = Object.keys(commands.metafile.outputs).filter((f) => f.endsWith(".cjs"));
await build({
  ...common,
  entryPoints: [join(root, "src", "cw.ts")],
  outfile: join(outdir, "cw.cjs"),
  define: { __CW_COMMANDS_BUNDLE__: JSON.stringify(basename(bundle)) },
  banner: { js: "#!/usr/bin/env node" },
});
await chmod(join(outdir, "cw.cjs"), 0o755);
