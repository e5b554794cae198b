import { classifyAddress } from "./ip-address.ts";

/**
 * The repository URL policy, pure. Production takes https://, ssh:// and scp-style user@host:path
 * only, without credentials, to hosts that are not IP addresses of a private, loopback, link-local
 * or reserved network (a name's addresses are checked by the caller once resolved). With local
 * repositories allowed (the local stack) every form git understands is accepted.
 */
export type UrlVerdict =
  | { ok: true; host: null }
  | { ok: true; host: string; isAddress: boolean }
  | { ok: false; message: string };

const SCP = /^([\w.-]+)@([\w.-]+):(.+)$/;

/** The host as resolvers and ssh see it: IPv4 in any inet_aton spelling becomes a dotted quad. */
function canonicalHost(host: string): string | null {
  try {
    return new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return null;
  }
}

export function judgeRepositoryUrl(raw: string, allowLocal: boolean): UrlVerdict {
  if (allowLocal) return { ok: true, host: null };
  let host: string;
  const scp = SCP.exec(raw);
  if (scp && !raw.includes("://")) {
    host = scp[2]!;
  } else {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, message: "is not a valid URL" };
    }
    if (url.protocol !== "https:" && url.protocol !== "ssh:") {
      return { ok: false, message: "must be an https:// or ssh:// URL, or user@host:path" };
    }
    if (url.password || (url.protocol === "https:" && url.username)) {
      return { ok: false, message: "must not carry a password or token" };
    }
    host = url.hostname;
  }
  return judgePublicHost(host);
}

/**
 * A URL's host as production takes it: a public IP address, or a name with a dot (whose addresses
 * the caller resolves and checks). Also the webhook URL policy's (`webhook-url.ts`).
 */
export function judgePublicHost(host: string): UrlVerdict {
  const canonical = canonicalHost(host);
  if (!canonical) return { ok: false, message: `has an invalid host "${host}"` };
  const cls = classifyAddress(canonical);
  if (cls === null) {
    // A single label ("localhost", "intranet") is never a public host.
    if (!canonical.includes("."))
      return { ok: false, message: `host "${canonical}" is not a public host name` };
    return { ok: true, host: canonical, isAddress: false };
  }
  if (cls !== "public") return { ok: false, message: `host ${canonical} is a ${cls} address` };
  return { ok: true, host: canonical, isAddress: true };
}

/** The verdict on a host name's resolved addresses: every one must be public, and there must be one. */
export function judgeResolvedAddresses(host: string, addresses: string[]): UrlVerdict {
  if (addresses.length === 0) return { ok: false, message: `host ${host} does not resolve` };
  for (const address of addresses) {
    const cls = classifyAddress(address);
    if (cls !== "public") {
      return { ok: false, message: `host ${host} resolves to a ${cls ?? "malformed"} address (${address})` };
    }
  }
  return { ok: true, host, isAddress: false };
}
