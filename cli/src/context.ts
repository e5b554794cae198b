import { type ApiClient, createApiClient } from "@cw/contracts/client";
import type { ParsedArgs } from "./args.ts";
import { type EarlyRequests, withEarlyAnswers } from "./entry/early-requests.ts";
import { httpFetch } from "./http-fetch.ts";
import { currentLogin } from "./login-store.ts";

/** What every command gets besides its arguments. */
export interface CommandContext {
  /** cw's config folder (owner-only): login, the bridge's host key, pinned host keys. */
  configDir: string;
  /** cw's entry script, absolute and real: what `cw config-ssh` writes into the ProxyCommand. */
  entry: string;
  /**
   * The moment most of the command's code has run: the entry saves its compiled-code cache then
   * (once), so later starts skip compiling. Commands that end by exit alone need not call it.
   */
  warm(): void;
  /** API requests the entry started before loading the commands (`entry/early-requests.ts`). */
  early?: EarlyRequests;
}

export interface Command {
  run(parsed: ParsedArgs, ctx: CommandContext): Promise<number>;
}

/**
 * cw's client of the API at `url` (with `token`), its requests over `node:http` (see http-fetch.ts),
 * taking the answers of those the entry started early.
 */
export function apiClientFor(url: string, token: string | undefined, early?: EarlyRequests): ApiClient {
  return createApiClient({ baseUrl: url, token, fetch: withEarlyAnswers(httpFetch, early) });
}

/** The API client for the stored (or CW_URL/CW_TOKEN) login. */
export function loggedInApi(ctx: CommandContext): ApiClient {
  const login = currentLogin(ctx.configDir);
  return apiClientFor(login.url, login.token, ctx.early);
}
