import type { Database } from "@cw/db";
import type { Config } from "../config.ts";
import { type HubDirectory, notifyHub } from "../hub/directory.ts";
import type { HubChange } from "../hub/organization-hub.ts";
import type { PresenceDirectory } from "../presence/directory.ts";
import type { ProviderFactory } from "../providers/index.ts";
import type { ProvisionerDirectory } from "../provisioning/directory.ts";
import type { WebhookDirectory } from "../webhooks/directory.ts";

/** What domain services need from the outside world; tests pass real or in-memory parts. */
export interface Deps {
  db: Database;
  providers: ProviderFactory;
  config: Config;
  presence: PresenceDirectory;
  provisioning: ProvisionerDirectory;
  /** Each organization's hub: told after every commit, waited on by live sync, streams and waitFor. */
  hubs: HubDirectory;
  /** Each webhook endpoint's delivery object. */
  webhooks: WebhookDirectory;
  now: () => Date;
}

export interface Caller {
  organizationId: string;
  userId: string;
  tokenId: string;
  /** When the caller's token stops working; tokens it creates may not outlive it. */
  tokenExpiresAt: Date | null;
}

/**
 * Tells the organization's hub that a change of it committed (see `notifyHub`); `endpoints` when
 * the change added, deleted or disabled a webhook endpoint.
 */
export const notifyChange = (deps: Deps, organizationId: string, change: HubChange = {}) =>
  notifyHub(deps.hubs, deps.config, organizationId, change);
