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

/**
 * Where cw caches what it can rebuild (compiled code): `$XDG_CACHE_HOME/cw` (else `~/.cache/cw`),
 * `~/Library/Caches/cw` on macOS, `%LOCALAPPDATA%\cw\Cache` on Windows.
 */
export function cacheDir({ platform, env, home }: Platform = here()): string {
  if (platform === "darwin") return join(home, "Library", "Caches", "cw");
  if (platform === "win32") return join(env.LOCALAPPDATA || join(home, "AppData", "Local"), "cw", "Cache");
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, ".cache"), "cw");
}

/** Creates the directory owner-only (0700) if missing; it holds keys and credentials. */
export function ensureConfigDir(dir: string = configDir()): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** cw's known_hosts: the gateways' pinned keys, and the bridge's own under its HostKeyAlias. */
export const knownHostsFile = (dir: string) => join(dir, "known_hosts");

/** The stored login (`login-store.ts`), in the config folder. */
export const loginFile = (dir: string) => join(dir, "login.json");

/** What the last connections learned (`connect-hints.ts`), in the cache folder. */
export const connectHintsFile = (cache: string) => join(cache, "connect-hints.json");
