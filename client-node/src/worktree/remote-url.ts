import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** Git remote URLs as the control plane sees them: pure functions. */

/** The URL the worker clones: local paths become file:// URLs, others pass through. */
export function cloneUrlOf(originUrl: string, worktree: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(originUrl) || /^[\w.-]+@[\w.-]+:/.test(originUrl)) return originUrl;
  return pathToFileURL(resolve(worktree, originUrl)).href;
}

/** Identity of a remote regardless of spelling: scheme, user, ".git" and trailing slashes ignored. */
export function remoteKey(url: string): string {
  const scp = /^[\w.-]+@([\w.-]+):(.+)$/.exec(url);
  let host = "";
  let path = url;
  if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    try {
      const u = new URL(url);
      host = u.protocol === "file:" ? "" : u.hostname;
      path = decodeURIComponent(u.pathname);
    } catch {
      // A bare path.
    }
  }
  path = path
    .replace(/\/+$/, "")
    .replace(/\.git$/, "")
    .replace(/^\/+/, "");
  return `${host.toLowerCase()}/${path}`;
}

/** A repository's default name: the last part of its remote's path ("api" for …/acme/api.git). */
export function repositoryNameOf(cloneUrl: string): string {
  return basename(remoteKey(cloneUrl.trim())) || "repository";
}
