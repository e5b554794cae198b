import { z } from "zod";
import { Problem } from "../domain/problems.ts";
import { judgeRepositoryUrl, judgeResolvedAddresses, type UrlVerdict } from "../domain/repository-url.ts";
import type { Deps } from "./deps.ts";

/**
 * The URL policies with their I/O: a host name is resolved through DNS-over-HTTPS (Workers
 * have no DNS API; the resolver is `DNS_RESOLVER_URL`, speaking the JSON form of RFC 8484 resolvers)
 * and every address it has must be public. Run when a repository is added and again right before
 * each VM is created, so a name that changed its addresses since is caught; the same for a webhook
 * URL when its endpoint is added and before each delivery run (`webhook-url-check.ts`).
 */
const DNS_TIMEOUT_MS = 5_000;
const DNS_NXDOMAIN = 3;
const RECORD = { A: 1, AAAA: 28 } as const;

const dnsAnswer = z.object({
  Status: z.number().int(),
  Answer: z.array(z.object({ type: z.number().int(), data: z.string() })).nullish(),
});

/** The resolver did not answer usably: nothing is known about the host. */
export class ResolverUnavailable extends Error {}

async function lookup(resolverUrl: string, name: string, type: keyof typeof RECORD): Promise<string[]> {
  const url = new URL(resolverUrl);
  url.searchParams.set("name", name);
  url.searchParams.set("type", type);
  let parsed: z.infer<typeof dnsAnswer>;
  try {
    const res = await fetch(url, {
      headers: { accept: "application/dns-json" },
      signal: AbortSignal.timeout(DNS_TIMEOUT_MS),
    });
    if (!res.ok) throw new ResolverUnavailable(`resolver answered ${res.status}`);
    parsed = dnsAnswer.parse(await res.json());
  } catch (err) {
    throw err instanceof ResolverUnavailable
      ? err
      : new ResolverUnavailable("resolver unreachable or unreadable");
  }
  if (parsed.Status === DNS_NXDOMAIN) return [];
  if (parsed.Status !== 0) throw new ResolverUnavailable(`resolver status ${parsed.Status}`);
  return (parsed.Answer ?? []).filter((a) => a.type === RECORD[type]).map((a) => a.data);
}

export type UrlCheck = { ok: true } | { ok: false; message: string };

/**
 * A policy's verdict on a URL, completed: a host name's addresses, resolved now, must all be
 * public. Throws ResolverUnavailable when that cannot be known.
 */
export async function checkResolvedHost(deps: Pick<Deps, "config">, verdict: UrlVerdict): Promise<UrlCheck> {
  if (!verdict.ok) return verdict;
  if (verdict.host === null || verdict.isAddress) return { ok: true };
  const resolver = deps.config.DNS_RESOLVER_URL;
  const [a, aaaa] = await Promise.all([
    lookup(resolver, verdict.host, "A"),
    lookup(resolver, verdict.host, "AAAA"),
  ]);
  const resolved = judgeResolvedAddresses(verdict.host, [...a, ...aaaa]);
  return resolved.ok ? { ok: true } : resolved;
}

/** Whether this deployment accepts `url` now. Throws ResolverUnavailable when that cannot be known. */
export const checkRepositoryUrl = (deps: Pick<Deps, "config">, url: string) =>
  checkResolvedHost(deps, judgeRepositoryUrl(url, deps.config.ALLOW_LOCAL_REPOSITORIES));

/** A check as a request sees it: refused → 422 naming the field, resolver down → 503. */
export async function assertUrlAllowed(check: () => Promise<UrlCheck>, field: string, what: string) {
  let result: UrlCheck;
  try {
    result = await check();
  } catch (err) {
    if (!(err instanceof ResolverUnavailable)) throw err;
    throw new Problem(503, "dns-unavailable", "DNS unavailable", `could not check ${what}; try again`);
  }
  if (!result.ok) {
    throw new Problem(422, "validation", "Invalid request", `${field}: ${result.message}`, {
      errors: [{ field, message: result.message }],
    });
  }
}

export const assertRepositoryUrl = (deps: Pick<Deps, "config">, url: string, field: string) =>
  assertUrlAllowed(() => checkRepositoryUrl(deps, url), field, "the repository's host");
