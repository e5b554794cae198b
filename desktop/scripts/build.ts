import { copyFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * Builds the app into `dist/`: `main.mjs` (ESM, dependencies left to node_modules — ssh2 has
 * optional native parts), `preload.cjs` (one CommonJS file: a sandboxed preload cannot require its
 * siblings), `renderer/` (two pages, each one browser bundle, plus CSS) and `assets/`.
 */
export const desktopDir = fileURLToPath(new URL("..", import.meta.url));
const src = join(desktopDir, "src");
const require = createRequire(import.meta.url);

export async function buildRenderer(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: {
      list: join(src, "renderer/list/main.ts"),
      terminal: join(src, "renderer/terminal/main.ts"),
    },
    outdir: outDir,
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "chrome130",
    sourcemap: true,
    logLevel: "warning",
  });
  await Promise.all([
    copyFile(join(src, "renderer/list/index.html"), join(outDir, "index.html")),
    copyFile(join(src, "renderer/terminal/index.html"), join(outDir, "terminal.html")),
    copyFile(join(src, "renderer/styles.css"), join(outDir, "styles.css")),
    copyFile(require.resolve("@xterm/xterm/css/xterm.css"), join(outDir, "xterm.css")),
  ]);
}

export async function buildDesktop(outDir = join(desktopDir, "dist")): Promise<void> {
  await Promise.all([
    buildRenderer(join(outDir, "renderer")),
    build({
      entryPoints: [join(src, "preload/index.ts")],
      outfile: join(outDir, "preload.cjs"),
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node22",
      external: ["electron"],
      logLevel: "warning",
    }),
    build({
      entryPoints: [join(src, "main/index.ts")],
      outfile: join(outDir, "main.mjs"),
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      packages: "external",
      sourcemap: true,
      logLevel: "warning",
    }),
    (async () => {
      await mkdir(join(outDir, "assets"), { recursive: true });
      for (const f of ["trayTemplate.png", "trayTemplate@2x.png"])
        await copyFile(join(desktopDir, "assets", f), join(outDir, "assets", f));
    })(),
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDesktop();
  console.log(`built ${join(desktopDir, "dist")}`);
}
