import type { MiddlewareHandler } from "hono";
import { openDeps } from "../deps-factory.ts";
import { unauthorized } from "../domain/problems.ts";
import { logError } from "../safe-log.ts";
import { authenticate, recordTokenUse } from "../services/api-tokens.ts";
import { workspaceOfVmCredential } from "../services/vm-credentials.ts";
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

const bearerOf = (header: string | undefined) => /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];

/** Routes under this prefix are called from inside workspaces' VMs, with a VM credential. */
export const VM_ROUTES = "/v1/vm/";

/** An API token for the API, a VM credential for the routes a VM calls; never one for the other. */
export const requireCredential: MiddlewareHandler<AppEnv> = (c, next) =>
  c.req.path.startsWith(VM_ROUTES) ? requireVmCredential(c, next) : requireToken(c, next);

const requireVmCredential: MiddlewareHandler<AppEnv> = async (c, next) => {
  const secret = bearerOf(c.req.header("authorization"));
  if (!secret) throw unauthorized("send Authorization: Bearer <the VM's credential>");
  const vm = await workspaceOfVmCredential(c.get("deps"), secret);
  // Unknown, or revoked with its workspace.
  if (!vm) throw unauthorized("unknown or revoked VM credential");
  c.set("vm", vm);
  await next();
};

const requireToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearerOf(c.req.header("authorization"));
  if (!token) throw unauthorized("send Authorization: Bearer <token>");
  const deps = c.get("deps");
  const caller = await authenticate(deps, token);
  if (!caller) throw unauthorized("unknown, expired or revoked token");
  const { stale: _, ...who } = caller;
  c.set("caller", who);
  // At most one write a minute per token, after the response.
  if (caller.stale) c.get("defer")(recordTokenUse(deps, caller.tokenId));
  await next();
};
