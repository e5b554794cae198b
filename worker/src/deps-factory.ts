import { createDb } from "@cw/db";
import { parseConfig } from "./config.ts";
import { hubDirectory } from "./hub/directory.ts";
import { presenceDirectory } from "./presence/directory.ts";
import { providerFactory } from "./providers/index.ts";
import { provisionerDirectory } from "./provisioning/directory.ts";
import type { Deps } from "./services/deps.ts";
import { webhookDirectory } from "./webhooks/directory.ts";

/**
 * The deps of one request, scheduled event or Durable Object call, built from `env`: a database
 * pool of its own (closed by the caller with `close`), providers, bindings and the clock.
 */
export function openDeps(env: Env, now: () => Date = () => new Date()) {
  const config = parseConfig(env);
  const handle = createDb(config);
  const deps: Deps = {
    db: handle.db,
    providers: providerFactory(config),
    config,
    presence: presenceDirectory(env),
    provisioning: provisionerDirectory(env),
    hubs: hubDirectory(env),
    webhooks: webhookDirectory(env),
    now,
  };
  return { deps, close: handle.close };
}
