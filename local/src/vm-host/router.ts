export interface RequestContext {
  /** Decoded path captures, in pattern order. */
  params: string[];
  /** Parsed JSON body; undefined when the request had none. */
  body: unknown;
  query: URLSearchParams;
}

export type Handler = (ctx: RequestContext) => unknown;

export interface Route {
  method: string;
  pattern: RegExp;
  handle: Handler;
}

/** Path patterns are written with `:name` segments; each becomes one capture. */
export function route(method: string, path: string, handle: Handler): Route {
  const source = path
    .split("/")
    .map((seg) => (seg.startsWith(":") ? "([^/]+)" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return { method, pattern: new RegExp(`^${source}$`), handle };
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: string[] } | null {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (m) return { route: r, params: m.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return null;
}

/** `limit`/`offset` as the identity list endpoints take them. */
export function paging(query: URLSearchParams): { offset: number; limit: number | undefined } {
  const offset = Number.parseInt(query.get("offset") ?? "0", 10);
  const limitRaw = query.get("limit");
  const limit = limitRaw === null ? undefined : Number.parseInt(limitRaw, 10);
  return {
    offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
    limit: limit !== undefined && Number.isFinite(limit) && limit >= 0 ? limit : undefined,
  };
}
