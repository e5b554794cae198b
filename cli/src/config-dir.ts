import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

export interface Platform {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
}

const here = (): Platform => ({ platform: process.platform, env: process.env, home: homedir() });

/**
 * cw's own configuration directory: `$XDG_CONFIG_HOME/cw` (else `~/.config/cw`) on Linux and other
 * Unixes, `~/Library/Application Support/cw` on macOS, `%APPDATA%\cw` on Windows.
 */
export function configDir({ platform, env, home }: Platform = here()): string {
  if (platform === "darwin") return join(home, "Library", "Application Support", "cw");
  if (platform === "win32") return join(env.APPDATA || join(home, "AppData", "Roaming"), "cw");
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, ".config"), "cw");
}

/** Creates the directory owner-only (0700) if missing; it holds keys and credentials. */
export function ensureConfigDir(dir: string = configDir()): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
