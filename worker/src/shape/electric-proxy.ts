import { Problem } from "../domain/problems.ts";
import { FORWARDED_QUERY_PARAMS } from "./protocol.ts";
import type { ShapeDefinition } from "./shapes.ts";

/**
 * Proxy mode: the shape is served by Electric (self-hosted or Electric Cloud). Only the protocol
 * parameters the desktop uses are copied from the client; table, columns and the organization
 * filter are set here, the organization id as a bound parameter (`$1`), never spliced into the
 * where clause. Answers are per organization, so they go back marked `private` whatever Electric
 * says: the first URL of a shape is the same for every organization.
 */
export interface ElectricUpstream {
  /** Electric's shape endpoint, e.g. https://api.electric-sql.cloud/v1/shape */
  url: string;
  sourceId: string | undefined;
  secret: string | undefined;
}

const FORWARDED = new Set<string>(FORWARDED_QUERY_PARAMS);

/** Headers fetch already acted on (the body arrives decompressed) or that must not cross users. */
const DROPPED_RESPONSE_HEADERS = ["content-encoding", "content-length", "transfer-encoding", "set-cookie"];

export function upstreamUrl(
  incoming: URL,
  shape: ShapeDefinition,
  organizationId: string,
  upstream: ElectricUpstream,
): URL {
  const url = new URL(upstream.url);
  for (const [name, value] of incoming.searchParams)
    if (FORWARDED.has(name)) url.searchParams.append(name, value);
  url.searchParams.set("table", shape.table);
  url.searchParams.set("columns", Object.keys(shape.columns).join(","));
  url.searchParams.set("where", `"${shape.organizationColumn}" = $1`);
  url.searchParams.set("params[1]", organizationId);
  if (upstream.sourceId) url.searchParams.set("source_id", upstream.sourceId);
  if (upstream.secret) url.searchParams.set("secret", upstream.secret);
  return url;
}

export async function proxyToElectric(
  incoming: URL,
  shape: ShapeDefinition,
  organizationId: string,
  upstream: ElectricUpstream,
  signal?: AbortSignal,
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(upstreamUrl(incoming, shape, organizationId, upstream), {
      headers: { accept: "application/json" },
      signal,
    });
  } catch {
    // 502 is retried by the client with backoff. The URL is not logged: it carries the secret.
    throw new Problem(502, "shape-source-unavailable", "Shape source unavailable", "Electric did not answer");
  }
  const headers = new Headers(res.headers);
  for (const name of DROPPED_RESPONSE_HEADERS) headers.delete(name);
  headers.set("cache-control", privateCacheControl(res.headers.get("cache-control")));
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/** Electric's caching directives with `public` (and shared-cache ones) replaced by `private`. */
export function privateCacheControl(upstream: string | null): string {
  const kept = (upstream ?? "")
    .split(",")
    .map((d) => d.trim())
    .filter((d) => d !== "" && !/^(public|private|s-maxage=.*|proxy-revalidate)$/i.test(d));
  return ["private", ...kept].join(", ");
}
