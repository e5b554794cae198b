// Builds `cw` into dist/: `cw.cjs`, a small entry (help, argument parsing, the loader), and
// `cw-commands-<hash>.cjs`, every command's code in one CommonJS bundle that the entry loads with
// V8's compiled-code cache (src/entry/commands-bundle.ts). No TypeScript loader and no module tree
// to resolve at run time. The bundle is the same on every platform; beside it goes ssh2's native
// crypto binding when `pnpm install` could build it here (below). cpu-features and ws' optional
// accelerators stay out: they only choose a cipher order or speed up WebSocket frames.
import { chmod, copyFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist");
// Minified: a start reads, hashes and deserializes less (measured ~8 ms less per start than the
// plain 1.4 MB bundle). The linked source maps give readable stacks under `node --enable-source-maps`.
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  logLevel: "warning",
  minify: true,
  sourcemap: "linked",
};

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

// ssh2's binding keeps one OpenSSL cipher context per direction where its JavaScript fallback
// creates one per packet: with it the bridge relays an scp ~30 % faster (cli/README.md). It is
// built for this platform and Node's ABI, so it is copied beside the bundle as `sshcrypto.node`
// (which the bundle requires) rather than bundled; where it is missing or does not load (another
// Node, say), ssh2 catches that and uses Node's crypto as before.
const SSH_CRYPTO = "sshcrypto.node";
const sshCryptoBinding = {
  name: "ssh2-crypto-binding",
  setup(b) {
    b.onResolve({ filter: /[\\/]sshcrypto\.node$/ }, () => ({ path: `./${SSH_CRYPTO}`, external: true }));
  },
};
const ssh2Dir = dirname(createRequire(join(root, "package.json")).resolve("ssh2/package.json"));

await rm(outdir, { recursive: true, force: true });
const commands = await build({
  ...common,
  entryPoints: { "cw-commands": join(root, "src", "commands", "index.ts") },
  entryNames: "[name]-[hash]",
  outExtension: { ".js": ".cjs" },
  outdir,
  external: ["cpu-features", "*.node", "bufferutil", "utf-8-validate"],
  plugins: [zodEnglishOnly, sshCryptoBinding],
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
await copyFile(
  join(ssh2Dir, "lib", "protocol", "crypto", "build", "Release", SSH_CRYPTO),
  join(outdir, SSH_CRYPTO),
).catch((e) => {
  if (e.code !== "ENOENT") throw e;
});
