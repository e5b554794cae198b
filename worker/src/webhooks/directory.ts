import type { WebhookDispatcher } from "./webhook-dispatcher.ts";

/** A webhook endpoint's delivery object, typed through `Env` (its RPC methods are the class's). */
export type WebhookStub = DurableObjectStub<WebhookDispatcher>;
export type WebhookDirectory = (endpointId: string) => WebhookStub;

export function webhookDirectory(env: Env): WebhookDirectory {
  const ns = env.WEBHOOK_DISPATCHER;
  return (endpointId) => ns.get(ns.idFromName(endpointId));
}
