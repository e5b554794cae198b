import type { Hono } from "hono";

/**
 * Method checks the router cannot make by itself: a method nobody serves (CONNECT, TRACE,
 * anything invented) answers 405 before any other work, and a known method on a path that exists
 * under other methods answers 405 naming them (`Allow`) instead of 404.
 */
export const SERVED_METHODS = new Set(["GET", "HEAD", "POST", "PATCH", "DELETE", "PUT", "OPTIONS"]);

/** The methods the app's routes answer on `pathname` (GET implies HEAD), from its own route table. */
export function allowedMethods(app: Hono<never>, pathname: string): string[] {
  const allowed = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const pattern = new RegExp(
      `^${route.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:\w+/g, "[^/]+")}$`,
    );
    if (!pattern.test(pathname)) continue;
    allowed.add(route.method);
    if (route.method === "GET") allowed.add("HEAD");
  }
  return [...allowed];
}
