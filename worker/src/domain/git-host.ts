/**
 * Which host a repository's git asks credentials for, named the way git names it in its credential
 * protocol (`host=github.com`, `host=127.0.0.1:8080`): lowercase, with a port only when it is not
 * the protocol's default. Only http(s) repositories use credentials; ssh and file URLs do not.
 */
export interface CredentialTarget {
  protocol: "http" | "https";
  host: string;
}

const DEFAULT_PORT = { http: "80", https: "443" } as const;

/** `host` (as git or a user wrote it) for `protocol`, lowercase and without a default port. */
export function canonicalGitHost(protocol: "http" | "https", host: string): string {
  const lower = host.toLowerCase();
  const port = `:${DEFAULT_PORT[protocol]}`;
  return lower.endsWith(port) ? lower.slice(0, -port.length) : lower;
}

/** The credential target of a clone URL, or null when git would never ask a helper for one. */
export function credentialTargetOf(cloneUrl: string): CredentialTarget | null {
  let url: URL;
  try {
    url = new URL(cloneUrl);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const protocol = url.protocol === "https:" ? "https" : "http";
  return { protocol, host: canonicalGitHost(protocol, url.host) };
}

/** The host to name in messages about a repository (any URL form), or null when there is none. */
export function repositoryHostOf(cloneUrl: string): string | null {
  const target = credentialTargetOf(cloneUrl);
  if (target) return target.host;
  const scp = /^[\w.-]+@([\w.-]+):/.exec(cloneUrl);
  if (scp && !cloneUrl.includes("://")) return scp[1]!.toLowerCase();
  try {
    return new URL(cloneUrl).host || null;
  } catch {
    return null;
  }
}
