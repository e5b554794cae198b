import { describe, expect, it } from "vitest";
import { describeCloneFailure } from "../../src/domain/git-failure.ts";
import { classifyAddress } from "../../src/domain/ip-address.ts";
import { janitorDecision, rotatingWindow } from "../../src/domain/janitor.ts";
import { judgeRepositoryUrl, judgeResolvedAddresses } from "../../src/domain/repository-url.ts";
import { tokenExpiry } from "../../src/domain/token-expiry.ts";
import { parseVmTag } from "../../src/domain/vm-tag.ts";

describe("IP address classes", () => {
  it.each([
    ["93.184.216.34", "public"],
    ["8.8.8.8", "public"],
    ["2606:4700::1111", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["fd00::1", "private"],
    ["169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["0.0.0.0", "reserved"],
    ["::", "reserved"],
    ["224.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:8.8.8.8", "public"],
    ["64:ff9b::a00:1", "private"],
    ["2002:7f00:1::", "loopback"],
    ["2001::1", "reserved"],
    ["[::1]", "loopback"],
    ["example.com", null],
    ["1.2.3", null],
    ["1:2:3:4:5:6:7:8:9", null],
    ["::1::", null],
  ])("%s is %s", (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });
});

describe("repository URL policy", () => {
  it.each([
    "https://github.com/acme/api.git",
    "ssh://git@github.com/acme/api.git",
    "ssh://git@github.com:2222/acme/api.git",
    "git@github.com:acme/api.git",
    "https://93.184.216.34/acme/api.git",
  ])("accepts %s", (url) => {
    expect(judgeRepositoryUrl(url, false)).toMatchObject({ ok: true });
  });

  it.each([
    ["file:///srv/repos/other.git", /https:\/\/ or ssh:\/\//],
    ["http://github.com/acme/api.git", /https:\/\/ or ssh:\/\//],
    ["git://github.com/acme/api.git", /https:\/\/ or ssh:\/\//],
    ["https://user:secret@github.com/acme/api.git", /password or token/],
    ["https://ghp_token@github.com/acme/api.git", /password or token/],
    ["ssh://git:secret@github.com/acme/api.git", /password or token/],
    ["https://127.0.0.1:8788/v1/vms", /loopback/],
    ["https://2130706433/x.git", /127\.0\.0\.1 is a loopback/],
    ["git@0x7f.1:x.git", /127\.0\.0\.1 is a loopback/],
    ["https://[::1]/x.git", /loopback/],
    ["https://[::ffff:127.0.0.1]/x.git", /loopback/],
    ["ssh://git@169.254.169.254/x.git", /link-local/],
    ["git@10.1.2.3:x.git", /private/],
    ["https://0.0.0.0/x.git", /reserved/],
    ["https://localhost/x.git", /not a public host name/],
    ["git@intranet:x.git", /not a public host name/],
  ])("refuses %s", (url, why) => {
    const verdict = judgeRepositoryUrl(url, false);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.message).toMatch(why);
  });

  it("accepts everything git can clone when local repositories are allowed", () => {
    for (const url of ["file:///srv/x.git", "http://127.0.0.1:9/x", "git@localhost:x"])
      expect(judgeRepositoryUrl(url, true)).toEqual({ ok: true, host: null });
  });

  it("judges a name by every address it resolves to", () => {
    expect(judgeResolvedAddresses("h.test", ["93.184.216.34"]).ok).toBe(true);
    expect(judgeResolvedAddresses("h.test", [])).toEqual({
      ok: false,
      message: "host h.test does not resolve",
    });
    expect(judgeResolvedAddresses("h.test", ["93.184.216.34", "::1"])).toMatchObject({ ok: false });
  });
});

describe("failed clones in our words", () => {
  it.each([
    ["fatal: Remote branch nope not found in upstream origin", "the branch was not found"],
    ["fatal: repository 'https://github.com/acme/nope/' not found", "repository not found or no access"],
    [
      "fatal: '/srv/other-org/vms/abc/workspace' does not appear to be a git repository",
      "repository not found or no access",
    ],
    [
      "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
      "authentication failed for repo.example: check your git credential for this host",
    ],
    [
      "git@github.com: Permission denied (publickey).",
      "authentication failed for repo.example: check your git credential for this host",
    ],
    [
      "fatal: unable to access 'https://git.internal/x/': Could not resolve host: git.internal",
      "could not be reached",
    ],
    ["ssh: connect to host 10.0.0.5 port 22: Connection timed out", "could not be reached"],
    ["error: something else entirely", "git failed"],
  ])("%s → %s, and none of git's words", (stderr, words) => {
    const message = describeCloneFailure(`failed to clone: ${stderr}`, "repo.example");
    expect(message).toContain(words);
    expect(message).not.toMatch(/fatal|\/srv|github\.com|10\.0\.0\.5|git\.internal/);
  });
});

describe("API token expiry", () => {
  const now = new Date("2026-06-01T00:00:00Z");
  const day = 86_400_000;
  it("defaults to the nearest ceiling and refuses past it", () => {
    expect(tokenExpiry({ requested: null, now, maxLifetimeDays: null, parentExpiresAt: null })).toEqual({
      ok: true,
      expiresAt: null,
    });
    const parent = new Date(now.getTime() + 2 * day);
    expect(tokenExpiry({ requested: null, now, maxLifetimeDays: 30, parentExpiresAt: parent })).toEqual({
      ok: true,
      expiresAt: parent,
    });
    expect(
      tokenExpiry({
        requested: new Date(now.getTime() + 3 * day),
        now,
        maxLifetimeDays: 30,
        parentExpiresAt: parent,
      }),
    ).toMatchObject({ ok: false, message: expect.stringContaining("token making this request") });
    expect(
      tokenExpiry({
        requested: new Date(now.getTime() + 31 * day),
        now,
        maxLifetimeDays: 30,
        parentExpiresAt: null,
      }),
    ).toMatchObject({ ok: false, message: expect.stringContaining("30 days") });
  });
});

describe("the janitor's decision", () => {
  const deployment = "6f7c2c1e-1d7e-4c1a-9b36-0f3a9e5d2a10";
  const workspaceId = "0b8f8c5e-7a2d-4f5b-8c1e-2d3a4b5c6d7e";
  const now = new Date("2026-06-01T12:00:00Z");
  const grace = 30 * 60_000;
  const tag = (over: Record<string, string> = {}) =>
    parseVmTag(JSON.stringify({ deployment, workspaceId, createdAt: "2026-06-01T10:00:00Z", ...over }));
  const vm = { vmId: "vm1", createdAt: new Date("2026-06-01T10:00:00Z") };
  const young = { vmId: "vm1", createdAt: new Date(now.getTime() - 60_000) };
  const row = (status: "provisioning" | "running" | "error", providerVmId: string | null = null) => ({
    status,
    providerVmId,
    createdAt: new Date("2026-06-01T09:59:00Z"),
  });

  it("never touches what is not tagged as this deployment's", () => {
    expect(janitorDecision(vm, null, null, deployment, now, grace).kind).toBe("leave");
    expect(janitorDecision(vm, parseVmTag("not json"), null, deployment, now, grace).kind).toBe("leave");
    const foreign = tag({ deployment: "11111111-1111-4111-8111-111111111111" });
    expect(janitorDecision(vm, foreign, null, deployment, now, grace).kind).toBe("leave");
  });

  it("adopts a VM whose workspace is still provisioning without one, unless it predates the workspace", () => {
    expect(janitorDecision(vm, tag(), row("provisioning"), deployment, now, grace).kind).toBe("adopt");
    const older = { vmId: "vm1", createdAt: new Date("2026-06-01T09:00:00Z") };
    expect(janitorDecision(older, tag(), row("provisioning"), deployment, now, grace).kind).toBe("leave");
  });

  it("deletes a VM whose workspace is gone, in error or has another VM — after the grace period", () => {
    expect(janitorDecision(vm, tag(), null, deployment, now, grace)).toMatchObject({ kind: "delete" });
    expect(janitorDecision(vm, tag(), row("error"), deployment, now, grace)).toMatchObject({
      kind: "delete",
    });
    expect(janitorDecision(vm, tag(), row("running", "vm2"), deployment, now, grace)).toMatchObject({
      kind: "delete",
    });
    expect(janitorDecision(young, tag(), null, deployment, now, grace).kind).toBe("leave");
    expect(janitorDecision(vm, tag(), row("running", "vm1"), deployment, now, grace).kind).toBe("leave");
  });

  it("looks at every VM within ceil(n / size) turns", () => {
    const items = Array.from({ length: 7 }, (_, i) => i);
    const seen = new Set([0, 1, 2].flatMap((turn) => rotatingWindow(items, 3, turn)));
    expect(seen.size).toBe(7);
    expect(rotatingWindow(items, 10, 5)).toEqual(items);
  });
});
