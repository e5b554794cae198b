import { waitFor } from "@cw/testing";
import { inject } from "vitest";
import { apiClient } from "./api.ts";
import { openDb, seedOrganization } from "./database.ts";

/** An organization with a token and one registered repository (the local test repository). */
export async function setupOrg(bindings: Record<string, string>, label: string) {
  const db = openDb(bindings as { DATABASE_URL: string; DATABASE_WS_PROXY: string });
  const seeded = await seedOrganization(db, label);
  await db.close();
  const api = apiClient(bindings, seeded.token);
  const repo = await api("POST", "/v1/repositories", { name: "demo", cloneUrl: inject("gitRepo").cloneUrl });
  if (repo.status !== 201) throw new Error(`repository not created: ${JSON.stringify(repo.body)}`);
  return {
    api,
    token: seeded.token,
    userId: seeded.user.id,
    organizationId: seeded.organization.id,
    repositoryId: repo.body.id as string,
  };
}

export type Org = Awaited<ReturnType<typeof setupOrg>>;

/**
 * The workspace once its create has finished (the provisioner object's alarm runs it after the
 * request): running, still provisioning with no operation in flight, or error.
 */
export async function settled(org: Org, id: string, timeoutMs = 15_000) {
  const got = await waitFor(
    `workspace ${id}'s create to finish`,
    async () => {
      const res = await org.api("GET", `/v1/workspaces/${id}`);
      return (res.status !== 200 || res.body.operation !== "create") && res;
    },
    timeoutMs,
    50,
  );
  return got.body;
}

/** Creates a workspace and waits for its provisioning to finish. */
export async function createRunning(org: Org, name = "ws", branch = "feature") {
  const res = await org.api("POST", "/v1/workspaces", { repositoryId: org.repositoryId, name, branch });
  if (res.status !== 202) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
  return settled(org, res.body.id);
}
