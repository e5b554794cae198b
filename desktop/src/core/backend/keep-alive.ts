import { joinPresence, type PresenceSession } from "@cw/client-node/presence";
import type { ApiClient } from "@cw/contracts/client";

/**
 * "Keep alive": a presence session held on a workspace for a while, so idle auto-stop leaves it
 * alone. One per workspace: asking again restarts the period. All end when the app quits.
 */
interface Held {
  presence: PresenceSession;
  timer: ReturnType<typeof setTimeout>;
}

export class KeepAlives {
  private readonly held = new Map<string, Held>();

  constructor(private readonly log: (line: string) => void) {}

  async hold(
    api: Pick<ApiClient, "presenceUrl" | "headers">,
    workspaceId: string,
    minutes: number,
  ): Promise<void> {
    const presence = await joinPresence(
      { api, clientType: "desktop", onError: (e) => this.log(`keep-alive presence: ${e}`) },
      workspaceId,
    );
    // Joined before the old session leaves, so the workspace is never without one in between.
    const previous = this.held.get(workspaceId);
    const held: Held = {
      presence,
      timer: setTimeout(() => void this.end(workspaceId, held), minutes * 60_000),
    };
    held.timer.unref?.();
    this.held.set(workspaceId, held);
    if (previous) await this.end(workspaceId, previous);
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.held].map(([id, held]) => this.end(id, held)));
  }

  private async end(workspaceId: string, held: Held): Promise<void> {
    if (this.held.get(workspaceId) === held) this.held.delete(workspaceId);
    clearTimeout(held.timer);
    await held.presence.leave().catch((e) => this.log(`keep-alive leave: ${e}`));
  }
}
