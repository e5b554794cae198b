import { schema } from "@cw/db";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb, sharedDatabase } from "./support/database.ts";
import { createRunning, type Org, setupOrg } from "./support/org.ts";
import { tick } from "./support/tick.ts";
import { vmHost } from "./support/vm-host.ts";

let org: Org;
let pusher: string;
const branch = `poll-${crypto.randomUUID().slice(0, 8)}`;
const bindings = () => sharedDatabase().env;
const git = "git -c user.name=Pusher -c user.email=pusher@example.test";

/** Pushes a new commit to `branch` on the git host from a VM of its own, as a teammate would. */
async function pushCommit(message: string): Promise<string> {
  const out = await vmHost.exec(
    pusher,
    `${git} commit -q --allow-empty -m '${message}' && git push -q origin HEAD:refs/heads/${branch} && git rev-parse HEAD`,
  );
  if (out.statusCode !== 0) throw new Error(out.stderr);
  return out.stdout.trim();
}

async function row(id: string) {
  const db = openDb(bindings());
  try {
    const [r] = await db.db.select().from(schema.cloudWorkspaces).where(eq(schema.cloudWorkspaces.id, id));
    return r!;
  } finally {
    await db.close();
  }
}

const head = async (vmId: string) => (await vmHost.exec(vmId, "git rev-parse HEAD")).stdout.trim();

beforeAll(async () => {
  org = await setupOrg(bindings(), "git");
  pusher = await vmHost.createVm("main");
  await pushCommit("start the branch");
});

describe("git polling", () => {
  it("fast-forwards a clean checkout and leaves a dirty one untouched with status dirty", async () => {
    const clean = await createRunning(org, "clean", branch);
    const dirty = await createRunning(org, "dirty", branch);
    const start = await head(clean.providerVmId);
    await vmHost.exec(dirty.providerVmId, "echo 'my edit' >> README.md");

    await tick(bindings());
    expect(await row(clean.id)).toMatchObject({
      syncStatus: "up_to_date",
      localHeadSha: start,
      remoteHeadSha: start,
    });

    const next = await pushCommit("teammate change");
    await vmHost.clearCalls();
    await tick(bindings());

    expect(await head(clean.providerVmId)).toBe(next);
    expect(await row(clean.id)).toMatchObject({
      syncStatus: "up_to_date",
      localHeadSha: next,
      remoteHeadSha: next,
    });

    expect(await head(dirty.providerVmId)).toBe(start);
    expect((await vmHost.exec(dirty.providerVmId, "git diff --stat")).stdout).toContain("README.md");
    const d = await row(dirty.id);
    expect(d).toMatchObject({ syncStatus: "dirty", localHeadSha: start, remoteHeadSha: next });
    // What only the VM holds is counted on every check, a clean checkout's included.
    expect(d).toMatchObject({ uncommittedFiles: 1, untrackedFiles: 0, unpushedCommits: 0, stashes: 0 });
    expect(await row(clean.id)).toMatchObject({ uncommittedFiles: 0, untrackedFiles: 0, unpushedCommits: 0 });
    expect(d.syncMessage).toMatch(/local changes/);
    const view = await org.api("GET", `/v1/workspaces/${dirty.id}`);
    expect(view.body.sync).toMatchObject({
      status: "dirty",
      localHeadSha: start,
      remoteHeadSha: next,
      uncommittedFiles: 1,
      untrackedFiles: 0,
    });

    // One remote check for this repository+branch, however many workspaces follow it.
    const lsRemotes = (await vmHost.calls()).filter(
      (c) =>
        c.path.endsWith("/exec-await") &&
        JSON.stringify((c as { body?: unknown }).body).includes("ls-remote") &&
        JSON.stringify((c as { body?: unknown }).body).includes(branch),
    );
    expect(lsRemotes).toHaveLength(1);

    // An up-to-date checkout is counted again without a fetch: new files show on the next tick.
    await vmHost.exec(clean.providerVmId, "touch a.txt b.txt && true");
    await tick(bindings());
    expect(await row(clean.id)).toMatchObject({ syncStatus: "up_to_date", untrackedFiles: 2 });
  });

  it("leaves HEAD exactly at the remote sha even when the VM's git has merge.ff=false", async () => {
    const w = await createRunning(org, "no-ff", branch);
    // A user's own git config in the VM: every merge would make a merge commit.
    await vmHost.exec(w.providerVmId, "git config merge.ff false");
    await tick(bindings());
    const next = await pushCommit("teammate change under merge.ff=false");
    await tick(bindings());
    expect(await head(w.providerVmId)).toBe(next);
    expect(
      (await vmHost.exec(w.providerVmId, "git rev-list --parents -n 1 HEAD")).stdout.trim().split(" "),
    ).toHaveLength(2);
    expect(await row(w.id)).toMatchObject({
      syncStatus: "up_to_date",
      localHeadSha: next,
      remoteHeadSha: next,
    });
  });

  it("reports diverged history without touching it", async () => {
    const w = await createRunning(org, "diverged", branch);
    await vmHost.exec(w.providerVmId, `${git} commit -q --allow-empty -m 'local only'`);
    const local = await head(w.providerVmId);
    const remote = await pushCommit("remote only");
    await tick(bindings());
    expect(await head(w.providerVmId)).toBe(local);
    expect(await row(w.id)).toMatchObject({
      syncStatus: "diverged",
      localHeadSha: local,
      remoteHeadSha: remote,
    });
  });

  it("records an error when the branch vanished from the git host", async () => {
    const gone = `gone-${crypto.randomUUID().slice(0, 8)}`;
    await vmHost.exec(pusher, `git push -q origin HEAD:refs/heads/${gone}`);
    const w = await createRunning(org, "vanishing", gone);
    await vmHost.exec(pusher, `git push -q origin --delete ${gone}`);
    await tick(bindings());
    const r = await row(w.id);
    expect(r.syncStatus).toBe("error");
    expect(r.syncMessage).toContain(gone);
    expect(r.status).toBe("running");
  });
});
