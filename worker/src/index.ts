import { createApp } from "./app.ts";
import { runScheduled } from "./scheduled.ts";

export { WorkspacePresence } from "./presence/workspace-presence.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(
      runScheduled(env as Record<string, unknown>, new Date(controller.scheduledTime)).then((result) =>
        console.log("tick", JSON.stringify(result)),
      ),
    );
  },
} satisfies ExportedHandler<Record<string, unknown>>;
