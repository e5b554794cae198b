import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, settled, setupOrg } from "./support/org.ts";
import { vmHost } from "./support/vm-host.ts";

/**
 * Deleting a workspace never loses work silently: the VM is checked live, with real git in the
 * local VM host's VMs, against the tests' bare repository (file://, so no credential is involved;
 * the credential helper's part is local/test/private-repositories.test.ts).
 */
let org: Org;
let checker: string;
const bindings = () => sharedDatabase().env;
const git = "git -c user.name=Dev -c user.email=dev@example.test";

beforeAll(async () => {
  org = await setupOrg(bindings(), "unsaved");
  // A VM of its own that reads the git host, as a teammate's clone would.
  checker = await vmHost.createVm("main");
});

afterEach(() => vmHost.clearFaults());

async function exec(vmId: string, command: string) {
  const out = await vmHost.exec(vmId, command);
  if (out.statusCode !== 0) throw new Error(`${command}: ${out.stderr}`);
  return out.stdout;
}

/**
 * A checkout holding every kind of unsaved work: an edit, an untracked file, a stash, and commits
 * on two local branches named for `tag` (so the tests' shared git host keeps its own branches).
 */
async function makeDirty(vmId: string, tag: string) {
  await exec(
    vmId,
    [
      `git checkout -qb mine-${tag}`,
      `echo ignored.log > .gitignore && git add .gitignore && ${git} commit -qm 'ignore logs'`,
      `git checkout -qb topic-${tag} && echo topic > topic.txt && git add topic.txt && ${git} commit -qm topic`,
      `git checkout -q mine-${tag}`,
      `echo stashed >> README.md && ${git} stash -q`,
      "echo 'my edit' >> README.md",
      "echo 'new file' > notes.txt",
      "echo noise > ignored.log",
    ].join(" && "),
  );
}

/** The file `path` on branch `branch` of the git host, read from the checker's fresh fetch. */
const onHost = (branch: string, path: string) =>
  exec(checker, `git fetch -q origin ${branch} && git show FETCH_HEAD:${path}`);

const remove = (id: string, query = "") => org.api("DELETE", `/v1/workspaces/${id}${query}`);

describe("delete checks the VM for unsaved work", () => {
  it("refuses with 409 listing what it found, and leaves the workspace as it was", async () => {
    const ws = await createRunning(org, "dirty", "feature");
    const tag = crypto.randomUUID().slice(0, 8);
    await makeDirty(ws.providerVmId, tag);
    const res = await remove(ws.id);
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body).toMatchObject({
      type: "/problems/unsaved-work",
      canPreserve: true,
      unsavedWork: {
        uncommittedFiles: 1,
        untrackedFiles: 1,
        unpushedCommits: 2,
        stashes: 1,
        branches: [
          { name: `mine-${tag}`, unpushedCommits: 1 },
          { name: `topic-${tag}`, unpushedCommits: 2 },
        ],
      },
    });
    expect(res.body.detail).toMatch(
      /^the workspace holds work that exists nowhere else: 1 changed file, 1 untracked file, 2 commits on no branch of the git host, 1 stash\./,
    );
    const after = (await org.api("GET", `/v1/workspaces/${ws.id}`)).body;
    expect(after).toMatchObject({ status: "running", operation: null });
    expect(await exec(ws.providerVmId, "git status --porcelain")).toBe(" M README.md\n?? notes.txt\n");
  });

  it("with preserve, pushes everything to a wip branch and local branches, then deletes", async () => {
    const ws = await createRunning(org, "Saved Work", "feature");
    const tag = crypto.randomUUID().slice(0, 8);
    await makeDirty(ws.providerVmId, tag);
    const res = await remove(ws.id, "?preserve=true");
    expect(res.status).toBe(200);
    const [wip, ...rest] = res.body.pushedBranches as string[];
    expect(wip).toMatch(/^cw\/wip\/saved-work-\d{8}T\d{6}Z$/);
    expect(rest).toEqual([`${wip}-stash-0`, `mine-${tag}`, `topic-${tag}`]);
    // Exactly the VM's files: the edit, the untracked file; not what .gitignore ignores.
    expect(await onHost(wip!, "README.md")).toBe("# fixture\nmy edit\n");
    expect(await onHost(wip!, "notes.txt")).toBe("new file\n");
    await expect(onHost(wip!, "ignored.log")).rejects.toThrow(/ignored\.log/);
    expect(await onHost(`${wip}-stash-0`, "README.md")).toBe("# fixture\nstashed\n");
    expect(await onHost(`topic-${tag}`, "topic.txt")).toBe("topic\n");
    expect((await org.api("GET", `/v1/workspaces/${ws.id}`)).status).toBe(404);
    expect((await vmHost.vm(ws.providerVmId)).status).toBe(404);
  });

  it("with force, deletes whatever the VM holds", async () => {
    const ws = await createRunning(org, "forced", "feature");
    await makeDirty(ws.providerVmId, crypto.randomUUID().slice(0, 8));
    expect((await remove(ws.id, "?force=true")).status).toBe(204);
    expect((await org.api("GET", `/v1/workspaces/${ws.id}`)).status).toBe(404);
    expect((await vmHost.vm(ws.providerVmId)).status).toBe(404);
  });

  it("deletes nothing when the push fails, and says why", async () => {
    const repo = await org.api("POST", "/v1/repositories", {
      name: "refusing",
      cloneUrl: inject("gitRepo").refusingPushUrl,
    });
    const created = await org.api("POST", "/v1/workspaces", {
      repositoryId: repo.body.id,
      name: "unpushable",
      branch: "feature",
    });
    const ws = await settled(org, created.body.id);
    await exec(ws.providerVmId, "echo 'precious' > precious.txt");
    const head = await exec(ws.providerVmId, "git rev-parse HEAD");
    const res = await remove(ws.id, "?preserve=true");
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe(
      "the work could not be pushed, so nothing was deleted: the git host refused the push (a hook or a branch protection declined it) (it holds 1 untracked file)",
    );
    expect(res.body.unsavedWork).toMatchObject({ untrackedFiles: 1 });
    expect((await org.api("GET", `/v1/workspaces/${ws.id}`)).body).toMatchObject({
      status: "running",
      operation: null,
    });
    // The VM and its checkout are untouched: same HEAD, same files, no leftover index.
    expect(await exec(ws.providerVmId, "git rev-parse HEAD")).toBe(head);
    expect(await exec(ws.providerVmId, "git status --porcelain; cat precious.txt")).toBe(
      "?? precious.txt\nprecious\n",
    );
  });

  it("wakes a paused or stopped workspace for the check, and puts it back when refusing", async () => {
    const ws = await createRunning(org, "asleep", "feature");
    await exec(ws.providerVmId, "echo draft > draft.txt");
    expect((await org.api("POST", `/v1/workspaces/${ws.id}/pause`)).body.status).toBe("paused");
    const paused = await remove(ws.id);
    expect(paused.status).toBe(409);
    expect(paused.body.unsavedWork).toMatchObject({ untrackedFiles: 1 });
    expect((await org.api("GET", `/v1/workspaces/${ws.id}`)).body).toMatchObject({ status: "paused" });
    expect((await vmHost.vm(ws.providerVmId)).body.state).toBe("suspended");

    expect((await org.api("POST", `/v1/workspaces/${ws.id}/stop`)).body.status).toBe("stopped");
    const stopped = await remove(ws.id);
    expect(stopped.status).toBe(409);
    expect(stopped.body.unsavedWork).toMatchObject({ untrackedFiles: 1 });
    expect((await org.api("GET", `/v1/workspaces/${ws.id}`)).body).toMatchObject({ status: "stopped" });
    expect((await vmHost.vm(ws.providerVmId)).body.state).toBe("stopped");

    const saved = await remove(ws.id, "?preserve=true");
    expect(saved.status).toBe(200);
    expect(await onHost(saved.body.pushedBranches[0], "draft.txt")).toBe("draft\n");
  });

  it("refuses when the VM cannot be checked, and then only force deletes", async () => {
    const ws = await createRunning(org, "unknowable", "feature");
    const fault = {
      path: `^/v1/vms/${ws.providerVmId}/exec-await$`,
      status: 500,
      code: "INTERNAL_ERROR",
      message: "exec broke",
    };
    await vmHost.addFault({ ...fault, times: 2 });
    for (const query of ["", "?preserve=true"]) {
      const res = await remove(ws.id, query);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        type: "/problems/unsaved-work",
        unsavedWork: null,
        canPreserve: false,
      });
      expect(res.body.detail).toMatch(
        /^could not check the workspace for unsaved work \(.*exec broke.*\); only \?force=true deletes it/,
      );
    }
    expect((await org.api("GET", `/v1/workspaces/${ws.id}`)).body).toMatchObject({
      status: "running",
      operation: null,
    });
    expect((await remove(ws.id, "?force=true")).status).toBe(204);
  });

  it("deletes a workspace with nothing unsaved at once, answering the (empty) list under preserve", async () => {
    const ws = await createRunning(org, "clean", "feature");
    const res = await remove(ws.id, "?preserve=true");
    expect(res).toMatchObject({ status: 200, body: { pushedBranches: [] } });
  });

  it("refuses preserve and force together, and flags that are not true or false, naming the parameter", async () => {
    const ws = await createRunning(org, "flags", "feature");
    const both = await remove(ws.id, "?preserve=true&force=true");
    expect(both.status).toBe(400);
    expect(both.body.errors).toEqual([
      { field: "query.force", message: "choose preserve or force, not both" },
    ]);
    const yes = await remove(ws.id, "?preserve=yes");
    expect(yes.status).toBe(400);
    expect(yes.body.errors[0].field).toBe("query.preserve");
    expect((await org.api("GET", `/v1/workspaces/${ws.id}`)).status).toBe(200);
  });
});
