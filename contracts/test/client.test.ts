import { describe, expect, it } from "vitest";
import { ApiError, createApiClient } from "../src/client/index.ts";
import { SyncedWorkspace, unsavedWorkOf, Workspace } from "../src/index.ts";
import { sampleSyncedWorkspace, sampleWorkspace } from "./support/samples.ts";

/** A fetch that answers every request with one canned response, recording what was asked. */
function answering(status: number, body: string, headers: Record<string, string> = {}) {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Request(input, init));
    return new Response(status === 204 ? null : body, { status, headers });
  };
  return { fetch, requests };
}

const workspace = sampleWorkspace({ status: "paused", allowedActions: ["resume", "stop", "delete"] });

describe("the shared sample workspace", () => {
  it("is what the contract accepts, whole and as the synced row", () => {
    expect(Workspace.parse(sampleWorkspace())).toEqual(sampleWorkspace());
    expect(SyncedWorkspace.parse(sampleSyncedWorkspace())).toEqual(sampleSyncedWorkspace());
  });
});

describe("API client", () => {
  it("sends the bearer token, fills the path and parses the answer by the contract", async () => {
    const { fetch, requests } = answering(200, JSON.stringify(workspace));
    const api = createApiClient({ baseUrl: "http://api.test/", token: "cwk_t", fetch });
    const w = await api.pauseWorkspace("a b");
    expect(w.status).toBe("paused");
    expect(requests[0]!.method).toBe("POST");
    expect(requests[0]!.url).toBe("http://api.test/v1/workspaces/a%20b/pause");
    expect(requests[0]!.headers.get("authorization")).toBe("Bearer cwk_t");
  });

  it("deletes: 204 answers nothing, preserve answers the branches pushed, unsaved work reads from the 409", async () => {
    const plain = answering(204, "");
    expect(
      await createApiClient({ baseUrl: "http://api.test", fetch: plain.fetch }).deleteWorkspace("w"),
    ).toBeUndefined();
    expect(plain.requests[0]!.url).toBe("http://api.test/v1/workspaces/w");

    const saved = answering(200, JSON.stringify({ pushedBranches: ["cw/wip/w-20260101T000000Z"] }));
    const api = createApiClient({ baseUrl: "http://api.test", fetch: saved.fetch });
    expect(await api.deleteWorkspace("w", { preserve: true })).toEqual({
      pushedBranches: ["cw/wip/w-20260101T000000Z"],
    });
    expect(saved.requests[0]!.url).toBe("http://api.test/v1/workspaces/w?preserve=true");

    const unsaved = {
      type: "/problems/unsaved-work",
      title: "Unsaved work",
      status: 409,
      detail: "the workspace holds work that exists nowhere else: 1 untracked file",
      unsavedWork: { uncommittedFiles: 0, untrackedFiles: 1, unpushedCommits: 0, stashes: 0, branches: [] },
      canPreserve: true,
    };
    const refused = answering(409, JSON.stringify(unsaved), { "content-type": "application/problem+json" });
    const err = await createApiClient({ baseUrl: "http://api.test", fetch: refused.fetch })
      .deleteWorkspace("w")
      .catch((e: unknown) => e as ApiError);
    expect(unsavedWorkOf((err as ApiError).problem)).toEqual(unsaved);
    expect(unsavedWorkOf({ ...unsaved, type: "/problems/invalid-transition" })).toBeNull();
  });

  it("turns a problem into an ApiError with its status, title, detail, field errors and extra members", async () => {
    const problem = {
      type: "/problems/invalid-transition",
      title: "Invalid transition",
      status: 409,
      detail: "cannot pause a workspace that is paused",
      workspaceStatus: "paused",
      allowedActions: ["resume", "stop", "delete"],
      errors: [{ field: "body.branch", message: "not a valid git branch name" }],
    };
    const { fetch } = answering(409, JSON.stringify(problem), { "content-type": "application/problem+json" });
    const err = await createApiClient({ baseUrl: "http://api.test", token: "t", fetch })
      .pauseWorkspace("x")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 409,
      title: "Invalid transition",
      detail: "cannot pause a workspace that is paused",
      message: "cannot pause a workspace that is paused",
      fields: [{ field: "body.branch", message: "not a valid git branch name" }],
      unreachable: false,
    });
    expect((err as ApiError).problem).toMatchObject({ workspaceStatus: "paused" });
  });

  it("falls back to the status line when an error answer is not a problem", async () => {
    const { fetch } = answering(502, "<html>Bad gateway</html>");
    const err = await createApiClient({ baseUrl: "http://api.test", token: "t", fetch })
      .listRepositories()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 502, message: "The API answered 502", fields: [], problem: null });
  });

  it("refuses an answer that breaks the contract, naming the field", async () => {
    const { fetch } = answering(200, JSON.stringify({ ...workspace, status: "sleeping" }));
    const err = await createApiClient({ baseUrl: "http://api.test", token: "t", fetch })
      .getWorkspace("x")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(/^GET \/v1\/workspaces\/\{id\}: unexpected response .*status/);
  });

  it("reports a route with no body (204) as done", async () => {
    const { fetch, requests } = answering(204, "");
    await expect(
      createApiClient({ baseUrl: "http://api.test", token: "t", fetch }).deleteWorkspace("x"),
    ).resolves.toBeUndefined();
    expect(requests[0]!.method).toBe("DELETE");
  });

  it("says clearly when the API cannot be reached", async () => {
    const api = createApiClient({ baseUrl: "http://127.0.0.1:9", token: "t", timeoutMs: 5_000 });
    const err = await api.getHealth().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 0, unreachable: true });
    expect((err as ApiError).message).toMatch(/^Cannot reach the API at http:\/\/127\.0\.0\.1:9: /);
  });

  it("follows cursors to list every workspace", async () => {
    const pages = [
      { items: [workspace], nextCursor: "c2" },
      { items: [{ ...workspace, id: "7f0c0d3e-8a51-4a39-9d59-1c1f1b8e0a12" }], nextCursor: null },
    ];
    const urls: string[] = [];
    const fetch = async (input: RequestInfo | URL) => {
      urls.push(String(input));
      return new Response(JSON.stringify(pages[urls.length - 1]), { status: 200 });
    };
    const all = await createApiClient({ baseUrl: "http://api.test", token: "t", fetch }).listAllWorkspaces();
    expect(all.map((w) => w.id.slice(-2))).toEqual(["11", "12"]);
    expect(urls).toEqual([
      "http://api.test/v1/workspaces?limit=200",
      "http://api.test/v1/workspaces?limit=200&cursor=c2",
    ]);
  });
});
