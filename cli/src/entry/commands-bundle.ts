import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import vm from "node:vm";
import type { runCommand } from "../commands/index.ts";
import { cacheDir } from "../config-dir.ts";

/** The commands bundle's file name beside the entry (`cw-commands-<content hash>.cjs`), set by the build. */
declare const __CW_COMMANDS_BUNDLE__: string;

export interface CommandsBundle {
  runCommand: typeof runCommand;
  /** Saves the compiled code for the next start (once, and only when there was none to use). */
  saveCompiledCode(): void;
}

type NodeCompileCache = {
  enableCompileCache?: (dir?: string) => { status: number };
  flushCompileCache?: () => void;
};

/**
 * Loads the commands (one CommonJS bundle) with V8's compiled-code cache, so a start does not
 * compile ~1.5 MB of JavaScript again (measured ~30 ms of CPU per start on Node 20). Node 22.1+
 * has this built in (`module.enableCompileCache`); on older Nodes the bundle is compiled through
 * `vm.Script` with `cachedData`, kept in cw's cache folder under the bundle's content hash (V8 only
 * checks a cache against the source's length, so a changed bundle must never meet an old cache),
 * one per command.
 * Any trouble with the cache just means compiling as before.
 */
export function loadCommandsBundle(command: string): CommandsBundle {
  const file = join(__dirname, __CW_COMMANDS_BUNDLE__);
  const dir = cacheDir();
  const node = Module as unknown as NodeCompileCache;
  if (node.enableCompileCache) {
    node.enableCompileCache(join(dir, "node"));
    const loaded = require(file) as Pick<CommandsBundle, "runCommand">;
    return { runCommand: loaded.runCommand, saveCompiledCode: () => node.flushCompileCache?.() };
  }

  // One cache per command: each covers the code its command runs (ssh-proxy's includes ssh2's).
  const cacheFile = join(
    dir,
    `${__CW_COMMANDS_BUNDLE__}.${command.replace(/\W+/g, "-")}.${process.version}-${process.arch}.v8cache`,
  );
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // First start with this bundle (or no cache folder): compile.
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, "utf8")), { filename: file, cachedData });
  const module = { exports: {} as Pick<CommandsBundle, "runCommand"> };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  let saved = cachedData !== undefined && !script.cachedDataRejected;
  return {
    runCommand: module.exports.runCommand,
    saveCompiledCode() {
      if (saved) return;
      saved = true;
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        // Older bundles' caches go; a fresh temporary file is renamed into place whole.
        for (const old of readdirSync(dir))
          if (old.endsWith(".v8cache") && !old.startsWith(__CW_COMMANDS_BUNDLE__))
            rmSync(join(dir, old), { force: true });
        const temp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
        renameSync(temp, cacheFile);
      } catch {
        // A read-only or full disk: the next start compiles again.
      }
    },
  };
}
