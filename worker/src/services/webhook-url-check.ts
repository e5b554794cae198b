import { judgeWebhookUrl } from "../domain/webhook-url.ts";
import type { Deps } from "./deps.ts";
import { assertUrlAllowed, checkResolvedHost } from "./repository-url-check.ts";

/**
 * The webhook URL policy with its I/O (`domain/webhook-url.ts`, hosts resolved through
 * DNS-over-HTTPS): checked when an endpoint is added and again before each delivery run, so a host
 * that moved to a private address since is never sent to. ALLOW_LOCAL_REPOSITORIES, the local
 * stack's switch, allows local URLs here too. Throws ResolverUnavailable when it cannot be known.
 */
export const checkWebhookUrl = (deps: Pick<Deps, "config">, url: string) =>
  checkResolvedHost(deps, judgeWebhookUrl(url, deps.config.ALLOW_LOCAL_REPOSITORIES));

export const assertWebhookUrl = (deps: Pick<Deps, "config">, url: string, field: string) =>
  assertUrlAllowed(() => checkWebhookUrl(deps, url), field, "the webhook URL's host");
