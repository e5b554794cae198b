import { createApp } from "./app.ts";
import { runScheduled } from "./scheduled.ts";

export { OrganizationHub } from "./hub/organization-hub.ts";
export { WorkspacePresence } from "./presence/workspace-presence.ts";
export { WorkspaceProvisioner } from "./provisioning/workspace-provisioner.ts";
export { WebhookDispatcher } from "./webhooks/webhook-dispatcher.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  // Awaited rather than handed to waitUntil, so the tick's end is the event's end.
  async scheduled(controller, env, _ctx) {
    const result = await runScheduled(env, new Date(controller.scheduledTime));
    console.log("tick", JSON.stringify(result));
  },
} satisfies ExportedHandler<Env>;
