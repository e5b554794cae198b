import { DurableObject } from "cloudflare:workers";
import { openDeps } from "../deps-factory.ts";
import { abandonProvisioning, provisionWorkspace } from "../services/workspace-lifecycle.ts";
import { findWorkspaceById } from "../services/workspace-rows.ts";

type Job = {
  workspace_id: string;
  repo_url: string;
  attempts: number;
};

/**
 * Runs a workspace's VM creation from an alarm, one object per workspace. A request's `waitUntil`
 * ends about 30 s after the response, which a create (clone + boot) can outlast, and a create cut
 * off midway would leave a VM nobody knows about; an alarm has minutes and outlives the request.
 *
 * Alarms are retried when their run dies, but a create is not idempotent: the attempt is recorded
 * before the provider is called, and a retry never creates again — it settles the workspace from
 * what is known instead.
 */
export class WorkspaceProvisioner extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "create table if not exists job (workspace_id text primary key, repo_url text not null, attempts integer not null)",
    );
  }

  /** Idempotent: a second start for the same workspace is a no-op. */
  async start(workspaceId: string, repoUrl: string): Promise<void> {
    const inserted = this.ctx.storage.sql.exec(
      "insert into job values (?, ?, 0) on conflict (workspace_id) do nothing",
      workspaceId,
      repoUrl,
    ).rowsWritten;
    if (inserted > 0) await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const job = this.ctx.storage.sql.exec<Job>("select * from job").toArray()[0];
    if (!job) return;
    this.ctx.storage.sql.exec(
      "update job set attempts = attempts + 1 where workspace_id = ?",
      job.workspace_id,
    );
    const { deps, close } = openDeps(this.env);
    try {
      const row = await findWorkspaceById(deps, job.workspace_id);
      if (row?.operation === "create") {
        if (job.attempts === 0) await provisionWorkspace(deps, row, job.repo_url);
        else await abandonProvisioning(deps, row, job.repo_url);
      }
      this.ctx.storage.sql.exec("delete from job where workspace_id = ?", job.workspace_id);
    } finally {
      await close();
    }
  }
}
