import type { Config } from "../config.ts";
import { logError } from "../safe-log.ts";
import type { DbSource, HubChange, OrganizationHub } from "./organization-hub.ts";

/** An organization's hub object, typed through `Env` (its RPC methods are the class's). */
export type HubStub = DurableObjectStub<OrganizationHub>;
export type HubDirectory = (organizationId: string) => HubStub;

export function hubDirectory(env: Env): HubDirectory {
  const ns = env.ORGANIZATION_HUB;
  return (organizationId) => ns.get(ns.idFromName(organizationId));
}

/** The database the hub reads for this worker: its own configuration's. */
export const dbSourceOf = (config: Pick<Config, "DATABASE_URL" | "DATABASE_WS_PROXY">): DbSource => ({
  DATABASE_URL: config.DATABASE_URL,
  ...(config.DATABASE_WS_PROXY ? { DATABASE_WS_PROXY: config.DATABASE_WS_PROXY } : {}),
});

/**
 * Tells the organization's hub that a transaction of it committed, so whoever waits (live sync,
 * event streams, `waitFor`) hears of it now. Never fails the caller: a lost notice is found by the
 * hub's safety poll.
 */
export async function notifyHub(
  hubs: HubDirectory,
  config: Pick<Config, "DATABASE_URL" | "DATABASE_WS_PROXY">,
  organizationId: string,
  change: HubChange = {},
): Promise<void> {
  try {
    await hubs(organizationId).notify(dbSourceOf(config), organizationId, change);
  } catch (err) {
    logError("notifying the organization's hub failed (its safety poll will find the change):", err);
  }
}
