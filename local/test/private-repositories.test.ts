import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unsavedWorkOf, type Workspace } from "@cw/contracts";
import { type ApiClient, ApiError, createApiClient } from "@cw/contracts/client";
import { createDb, createOrganizationWithOwner } from "@cw/db";
import { useNodeWebSocket } from "@cw/db/node";
import {
  createGitFixture,
  type GitFixture,
  type GitHttpServer,
  git,
  startGitHttpServer,
  startTestStack,
  type TestStack,
  waitFor,
} from "@cw/testing/node";
import { openSsh, writeSshConfig } from "@cw/testing/openssh";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Private repositories end to end, on the whole local stack (worker under wrangler dev, the local
 * VM host, an embedded PostgreSQL) and a private git host: real git's smart-HTTP server behind
 * basic auth. The VMs' git reaches the worker's broker through their credential helper over real
 * HTTP; SSH is real OpenSSH. The secret must never appear in a VM's files or environment, in an
 * API answer, in a synced row or in the stack's logs.
 */
const SECRET = `ghp_${crypto.randomUUID().replaceAll("-", "")}`;
const PATIENCE_MS = 120_000;
const slow = { timeout: 240_000 };

let stack: TestStack;
let api: ApiClient;
let server: GitHttpServer;
let fixture: GitFixture;
let cloneUrl: string;
let repositoryId: string;
const tmp = mkdtempSync(join(tmpdir(), "cw-private-"));
const logs: string[] = [];
/** Every answer the API client received, as text. */
const answers: string[] = [];

beforeAll(async () => {
  fixture = createGitFixture(join(tmp, "git"));
  server = await startGitHttpServer({ root: join(tmp, "git"), users: { alice: SECRET } });
  cloneUrl = `${server.url}/origin.git`;
  stack = await startTestStack("cw-private-stack-", {
    log: (component) => (line) => void logs.push(`[${component}] ${line}`),
  });
  api = recordingClient(stack.token);
  repositoryId = (await api.createRepository({ name: "private", cloneUrl })).id;
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function recordingClient(token: string) {
  return createApiClient({
    baseUrl: stack.workerUrl,
    token,
    timeoutMs: 120_000,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      const text = await res.text();
      answers.push(text);
      return new Response(res.status === 204 ? null : text, { status: res.status, headers: res.headers });
    },
  });
}

const settled = (client: ApiClient, id: string) =>
  waitFor(
    `workspace ${id} to finish provisioning`,
    async () => {
      const ws = await client.getWorkspace(id);
      return ws.operation !== "create" && ws.status !== "provisioning" && ws;
    },
    PATIENCE_MS,
  );

/**
 * A real OpenSSH client into the workspace ("none" auth: the token is in the username), hermetic
 * (`@cw/testing/openssh`) and pinned to the stack's SSH host key.
 */
let sshCalls = 0;
async function ssh(ws: Workspace, command: string) {
  const creds = await api.createSshCredentials(ws.id);
  const knownHosts = join(tmp, "known_hosts");
  const key = readFileSync(join(stack.dataDir, "vm-host", "ssh_host_ed25519_key.pub"), "utf8").trim();
  writeFileSync(knownHosts, `[${creds.host}]:${creds.port} ${key}\n`);
  const target = writeSshConfig(tmp, `ws-${++sshCalls}`, [
    `HostName ${creds.host}`,
    `Port ${creds.port}`,
    `User ${creds.username}`,
    `UserKnownHostsFile ${knownHosts}`,
  ]);
  return openSsh(target).ssh([target.host, command]);
}

const vmPath = (ws: Workspace, path: string) => join(stack.vmHost!.vmDir(ws.providerVmId!), path);
const vmCredentialOf = (ws: Workspace) =>
  readFileSync(vmPath(ws, "root/.config/cw/vm-credential"), "utf8")
    .replace(/^Authorization: Bearer /, "")
    .trim();

/** What the VM's credential helper does: POST git's request with the VM's credential. */
const askBroker = (vmCredential: string, request: string) =>
  fetch(`${stack.workerUrl}/v1/vm/git-credential`, {
    method: "POST",
    headers: { authorization: `Bearer ${vmCredential}`, "content-type": "text/plain" },
    body: request,
  });

const gitCommit = "git -c user.name=Dev -c user.email=dev@example.test commit -q";

describe("a private repository", () => {
  let ws: Workspace;

  it("takes a git credential once, and never shows its secret again", async () => {
    const created = await api.createGitCredential({ host: server.host, username: "alice", secret: SECRET });
    expect(created).toMatchObject({
      host: server.host,
      username: "alice",
      scope: "user",
      hint: SECRET.slice(-4),
    });
    expect((await api.listGitCredentials()).items).toEqual([created]);
  });

  it("clones at create through the VM's helper, with the secret nowhere in the VM", slow, async () => {
    const created = await api.createWorkspace({ repositoryId, name: "private", branch: "feature" });
    ws = await settled(api, created.id);
    expect(ws).toMatchObject({ status: "running", statusMessage: null });
    expect(git(vmPath(ws, "workspace"), "rev-parse", "HEAD")).toBe(fixture.featureHead);
    // The clone authenticated as alice, through the broker.
    expect(server.requests.some((r) => r.user === "alice" && r.path.endsWith("git-upload-pack"))).toBe(true);

    const config = readFileSync(vmPath(ws, "workspace/.git/config"), "utf8");
    expect(config).toContain(`url = ${cloneUrl}`);
    expect(config).not.toContain(SECRET);
    expect(config).not.toContain("alice");
    expect(readFileSync(vmPath(ws, "root/.gitconfig"), "utf8")).not.toContain(SECRET);
    // The VM's own credential: readable by the VM's user only.
    expect(statSync(vmPath(ws, "root/.config/cw")).mode & 0o777).toBe(0o700);
    expect(statSync(vmPath(ws, "root/.config/cw/vm-credential")).mode & 0o777).toBe(0o600);
    const env = await ssh(ws, "env; git config --list --show-origin");
    expect(env.code).toBe(0);
    expect(env.stdout).toContain("credential.");
    expect(env.stdout).not.toContain(SECRET);
  });

  it("follows its branch: the poller's fetch goes through the helper too", slow, async () => {
    const next = fixture.pushCommit("feature", "teammate.txt", "from a teammate\n");
    await stack.tick();
    const synced = await waitFor(
      "the poller to fast-forward the VM",
      async () => {
        const now = await api.getWorkspace(ws.id);
        return now.sync.localHeadSha === next && now;
      },
      PATIENCE_MS,
    );
    expect(synced.sync).toMatchObject({ status: "up_to_date", remoteHeadSha: next, untrackedFiles: 0 });
    expect(git(vmPath(ws, "workspace"), "rev-parse", "HEAD")).toBe(next);
  });

  it("pushes from an SSH session in the VM, and counts what only the VM holds", slow, async () => {
    const pushed = await ssh(
      ws,
      `echo mine > pushed.txt && git add pushed.txt && ${gitCommit} -m 'from the VM' && git push -q origin HEAD`,
    );
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(git(fixture.bare, "show", "refs/heads/feature:pushed.txt")).toBe("mine");

    await ssh(ws, "echo draft > notes.txt && echo edit >> README.md");
    await stack.tick();
    const counted = await waitFor(
      "the poller to count the unsaved work",
      async () => {
        const now = await api.getWorkspace(ws.id);
        return now.sync.untrackedFiles === 1 && now;
      },
      PATIENCE_MS,
    );
    expect(counted.sync).toMatchObject({
      uncommittedFiles: 1,
      untrackedFiles: 1,
      unpushedCommits: 0,
      stashes: 0,
    });
    const shape = await fetch(`${stack.workerUrl}/v1/shape?shape=workspaces&offset=-1`, {
      headers: { authorization: `Bearer ${stack.token}` },
    });
    const text = await shape.text();
    answers.push(text);
    expect(JSON.parse(text)).toContainEqual(
      expect.objectContaining({
        value: expect.objectContaining({ id: ws.id, uncommitted_files: "1", untracked_files: "1" }),
      }),
    );
  });

  it("answers the VM for its repository's host only, and another organization's VM never", slow, async () => {
    const mine = vmCredentialOf(ws);
    const answer = await askBroker(mine, `protocol=http\nhost=${server.host}\n`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    const lines = (await answer.text()).trim().split("\n");
    expect(lines.slice(0, 2)).toEqual(["username=alice", `password=${SECRET}`]);
    const expiry = Number(lines[2]!.replace("password_expiry_utc=", ""));
    expect(expiry * 1000 - Date.now()).toBeLessThanOrEqual(130_000);
    // Another host, or the same host over https, is not this repository's.
    expect((await askBroker(mine, "protocol=https\nhost=github.com\n")).status).toBe(403);
    expect((await askBroker(mine, `protocol=https\nhost=${server.host}\n`)).status).toBe(403);
    expect((await askBroker(mine, "not git's format")).status).toBe(400);
    expect((await askBroker(`cwv_${"A".repeat(43)}`, `protocol=http\nhost=${server.host}\n`)).status).toBe(
      401,
    );
    // A VM credential is no API token, and an API token is no VM credential.
    expect(
      (await fetch(`${stack.workerUrl}/v1/workspaces`, { headers: { authorization: `Bearer ${mine}` } }))
        .status,
    ).toBe(401);
    expect((await askBroker(stack.token, `protocol=http\nhost=${server.host}\n`)).status).toBe(401);

    // Another organization with the same repository and no credential: its clone is refused, and its
    // VM's credential gets nothing of ours.
    useNodeWebSocket();
    const db = createDb(stack.db);
    const other = await createOrganizationWithOwner(db.db, {
      organizationName: "Other",
      email: `other-${crypto.randomUUID()}@example.test`,
      userName: "Other",
    }).finally(() => db.close());
    const otherApi = recordingClient(other.token);
    expect((await otherApi.listGitCredentials()).items).toEqual([]);
    const repo = await otherApi.createRepository({ name: "same", cloneUrl });
    const theirs = await settled(
      otherApi,
      (await otherApi.createWorkspace({ repositoryId: repo.id, name: "theirs", branch: "main" })).id,
    );
    expect(theirs.status).toBe("error");
    expect(theirs.statusMessage).toBe(
      `the repository could not be cloned: authentication failed for ${server.host}: check your git credential for this host`,
    );
    const refused = await askBroker(vmCredentialOf(theirs), `protocol=http\nhost=${server.host}\n`);
    expect(refused.status).toBe(404);
    expect(await refused.text()).not.toContain(SECRET);
    await otherApi.deleteWorkspace(theirs.id, { force: true });
  });

  it(
    "stops working at the next push once the credential is deleted, saying so in our words",
    slow,
    async () => {
      const [credential] = (await api.listGitCredentials()).items;
      await api.deleteGitCredential(credential!.id);
      const refused = await ssh(ws, `${gitCommit} --allow-empty -m later && git push -q origin HEAD`);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(
        `cw: authentication failed for ${server.host}: no git credential for this host; add one with POST /v1/git-credentials`,
      );
      expect(refused.stderr).not.toContain(SECRET);
      await api.createGitCredential({ host: server.host, username: "alice", secret: SECRET });
    },
  );

  it(
    "refuses to delete unsaved work, then saves it to a wip branch on the git host and deletes",
    slow,
    async () => {
      const vmCredential = vmCredentialOf(ws);
      const refused = await api.deleteWorkspace(ws.id).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(ApiError);
      expect((refused as ApiError).status).toBe(409);
      const problem = unsavedWorkOf((refused as ApiError).problem);
      expect(problem?.unsavedWork).toMatchObject({
        uncommittedFiles: 1,
        untrackedFiles: 1,
        unpushedCommits: 1,
      });

      const deleted = await api.deleteWorkspace(ws.id, { preserve: true });
      const wip = deleted!.pushedBranches[0]!;
      expect(wip).toMatch(/^cw\/wip\/private-\d{8}T\d{6}Z$/);
      expect(deleted!.pushedBranches).toEqual([wip, "feature"]);
      expect(git(fixture.bare, "show", `refs/heads/${wip}:notes.txt`)).toBe("draft");
      expect(git(fixture.bare, "show", `refs/heads/${wip}:README.md`)).toBe("# fixture\nedit");
      expect(git(fixture.bare, "log", "-1", "--format=%s", "refs/heads/feature")).toBe("later");
      await expect(api.getWorkspace(ws.id)).rejects.toMatchObject({ status: 404 });
      expect(existsSync(stack.vmHost!.vmDir(ws.providerVmId!))).toBe(false);
      // Its VM credential went with it.
      expect((await askBroker(vmCredential, `protocol=http\nhost=${server.host}\n`)).status).toBe(401);
    },
  );

  it("leaves a workspace in error, in our words, when the credential is wrong", slow, async () => {
    await api.createGitCredential({ host: server.host, username: "alice", secret: "wrong-secret" });
    const failed = await settled(
      api,
      (await api.createWorkspace({ repositoryId, name: "wrong", branch: "main" })).id,
    );
    expect(failed.status).toBe("error");
    expect(failed.statusMessage).toBe(
      `the repository could not be cloned: authentication failed for ${server.host}: check your git credential for this host`,
    );
    await api.deleteWorkspace(failed.id);
  });

  it("never let the secret into an API answer or the stack's logs", () => {
    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter((a) => a.includes(SECRET))).toEqual([]);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((l) => l.includes(SECRET))).toEqual([]);
  });
});
