import type { MiddlewareHandler } from "hono";
import { openDeps } from "../deps-factory.ts";
import { unauthorized } from "../domain/problems.ts";
import { logError } from "../safe-log.ts";
import { authenticate, recordTokenUse } from "../services/api-tokens.ts";
import type { AppEnv } from "./app-env.ts";

/**
 * Per request: configuration, a database pool, providers, bindings and the clock. The pool is closed after
 * the response and after any deferred work, through waitUntil (nothing is shared across requests).
 */
export const withDeps: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { deps, close } = openDeps(c.env);
  const deferred: Promise<unknown>[] = [];
  c.set("deps", deps);
  c.set("defer", (work) => deferred.push(work.catch((err) => logError("deferred work failed:", err))));
  try {
    await next();
  } finally {
    const closing = Promise.allSettled(deferred).then(() => close());
    c.executionCtx.waitUntil(closing);
  }
};

export const requireToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
  if (!match) throw unauthorized("send Authorization: Bearer <token>");
  const deps = c.get("deps");
  const caller = await authenticate(deps, match[1]!);
  if (!caller) throw unauthorized("unknown, expired or revoked token");
  const { stale: _, ...who } = caller;
  c.set("caller", who);
  // At most one write a minute per token, after the response.
  if (caller.stale) c.get("defer")(recordTokenUse(deps, caller.tokenId));
  await next();
};
