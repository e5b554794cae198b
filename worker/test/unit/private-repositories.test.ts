import { readGitCredentialText, VmGitCredentialRequest, writeGitCredentialText } from "@cw/contracts";
import { describe, expect, it } from "vitest";
import { canonicalGitHost, credentialTargetOf, repositoryHostOf } from "../../src/domain/git-host.ts";
import { type KeyRing, open, parseKeyRing, SealedUnreadable, seal } from "../../src/domain/secret-box.ts";
import {
  describeUnsavedWork,
  parsePreserveReport,
  parseWorkReport,
  wipBranchName,
} from "../../src/domain/unsaved-work.ts";
import { helperScript, setupCommand, setupFailure } from "../../src/domain/vm-git-setup.ts";

const keyOf = (fill: number) => btoa(String.fromCharCode(...new Uint8Array(32).fill(fill)));
const ring = (text: string): KeyRing => {
  const parsed = parseKeyRing(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.ring;
};

describe("secrets at rest (AES-256-GCM under a key ring)", () => {
  const old = ring(`old:${keyOf(1)}`);
  const rotated = ring(`new:${keyOf(2)},old:${keyOf(1)}`);

  it("seals under the first key, opens under any key of the ring, and never stores the plaintext", async () => {
    const sealed = await seal(old, "ghp_secret", "ctx");
    expect(sealed.keyId).toBe("old");
    expect(JSON.stringify(sealed)).not.toContain("ghp_secret");
    expect(await open(old, sealed, "ctx")).toBe("ghp_secret");
    // After a rotation the old ciphertext still opens; new ones are under the new key.
    expect(await open(rotated, sealed, "ctx")).toBe("ghp_secret");
    expect((await seal(rotated, "x", "ctx")).keyId).toBe("new");
    // The same secret twice is two different ciphertexts (a fresh nonce each time).
    expect((await seal(old, "ghp_secret", "ctx")).ciphertext).not.toBe(sealed.ciphertext);
  });

  it("refuses a ciphertext moved to another context, tampered with, or under a key that left the ring", async () => {
    const sealed = await seal(old, "ghp_secret", "org-a/github.com");
    await expect(open(old, sealed, "org-b/github.com")).rejects.toBeInstanceOf(SealedUnreadable);
    const flipped = atob(sealed.ciphertext);
    const tampered = btoa(String.fromCharCode(flipped.charCodeAt(0) ^ 1) + flipped.slice(1));
    await expect(open(old, { ...sealed, ciphertext: tampered }, "org-a/github.com")).rejects.toBeInstanceOf(
      SealedUnreadable,
    );
    await expect(open(ring(`new:${keyOf(2)}`), sealed, "org-a/github.com")).rejects.toThrow(
      /key old is not in GIT_CREDENTIAL_KEYS/,
    );
  });

  it("reads the ring's text, refusing malformed entries without quoting a key", () => {
    expect(parseKeyRing(`a:${keyOf(1)}, b:${keyOf(2)}`)).toMatchObject({ ok: true });
    for (const bad of [
      "",
      "a",
      `a:${keyOf(1)}:x`,
      "a:AAAA",
      `a:${keyOf(1)},a:${keyOf(2)}`,
      `a b:${keyOf(1)}`,
    ]) {
      const parsed = parseKeyRing(bad);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) expect(parsed.message).not.toContain(keyOf(1));
    }
  });
});

describe("git's credential protocol", () => {
  it("reads git's request, ignoring attributes it does not know, and refuses what is not key=value", () => {
    const read = readGitCredentialText(
      'capability[]=authtype\nprotocol=https\nhost=GitHub.com\nwwwauth[]=Basic realm="x"\n\n',
    );
    expect(read).toEqual({ ok: true, attributes: { protocol: "https", host: "GitHub.com" } });
    expect(VmGitCredentialRequest.parse(read.ok && read.attributes)).toEqual({
      protocol: "https",
      host: "github.com",
    });
    expect(readGitCredentialText("protocol=https\nnot a line\n")).toEqual({ ok: false, line: 2 });
    expect(readGitCredentialText("host=a\rb\n")).toEqual({ ok: false, line: 1 });
    expect(VmGitCredentialRequest.safeParse({ protocol: "ssh", host: "github.com" }).success).toBe(false);
    expect(VmGitCredentialRequest.safeParse({ protocol: "https", host: "a b" }).success).toBe(false);
  });

  it("answers in lines git reads, with the expiry that keeps git from storing it", () => {
    expect(writeGitCredentialText({ username: "u", password: "p=1", passwordExpiryUtc: 42 })).toBe(
      "username=u\npassword=p=1\npassword_expiry_utc=42\n",
    );
  });

  it("names a repository's host as git does: lowercase, default ports dropped, only for http(s)", () => {
    expect(credentialTargetOf("https://GitHub.com:443/acme/api.git")).toEqual({
      protocol: "https",
      host: "github.com",
    });
    expect(credentialTargetOf("http://127.0.0.1:8080/x.git")).toEqual({
      protocol: "http",
      host: "127.0.0.1:8080",
    });
    expect(credentialTargetOf("git@github.com:acme/api.git")).toBeNull();
    expect(credentialTargetOf("file:///srv/x.git")).toBeNull();
    expect(canonicalGitHost("https", "Git.Example:443")).toBe("git.example");
    expect(canonicalGitHost("http", "git.example:443")).toBe("git.example:443");
    expect(repositoryHostOf("git@GitHub.com:acme/api.git")).toBe("github.com");
    expect(repositoryHostOf("ssh://git@h.example:2222/x")).toBe("h.example:2222");
  });
});

describe("the VM's git setup", () => {
  it("sends the VM credential from its file, never on a command line, and quotes the URL", () => {
    const script = helperScript("https://cw.example.test");
    expect(script).toContain(`--header @"$dir/vm-credential"`);
    expect(script).toContain("'https://cw.example.test/v1/vm/git-credential'");
    expect(script).not.toMatch(/Bearer/);
  });

  it("configures the helper for the repository's host only, and clones unless a checkout exists", () => {
    const command = setupCommand("https://github.com/acme/it's.git", "feature");
    expect(command).toContain("'credential.https://github.com.helper'");
    expect(command).toContain(`-- 'https://github.com/acme/it'\\''s.git' .`);
    expect(command).toContain("if [ -e .git ]; then echo cloned; exit 0; fi");
    expect(setupCommand("file:///srv/x.git", "main")).not.toContain("credential.");
  });

  it("reports a failed clone in our words", () => {
    const ok = { stdout: "cloned\n", stderr: "", exitCode: 0 };
    expect(setupFailure(ok, "h.test")).toBeNull();
    const auth = {
      stdout: "clone_failed\nfatal: could not read Username for 'http://h.test': terminal prompts disabled\n",
      stderr: "",
      exitCode: 0,
    };
    expect(setupFailure(auth, "h.test")).toBe(
      "the repository could not be cloned: authentication failed for h.test: check your git credential for this host",
    );
    expect(setupFailure({ stdout: "", stderr: "", exitCode: null }, "h.test")).toMatch(
      /did not answer in time/,
    );
  });
});

describe("unsaved work", () => {
  it("reads the VM's report after any other output", () => {
    expect(
      parseWorkReport("noise\nwork 2 1 3 1\nbranch 2 feature\nbranch 1 wip/x\nup_to_date a b\n"),
    ).toEqual({
      kind: "checked",
      fetched: true,
      work: {
        uncommittedFiles: 2,
        untrackedFiles: 1,
        unpushedCommits: 3,
        stashes: 1,
        branches: [
          { name: "feature", unpushedCommits: 2 },
          { name: "wip/x", unpushedCommits: 1 },
        ],
      },
    });
    expect(parseWorkReport("fetch_failed\nwork 0 0 0 0\n")).toMatchObject({
      kind: "checked",
      fetched: false,
    });
    expect(parseWorkReport("no_checkout\n")).toEqual({ kind: "no_checkout" });
    expect(parseWorkReport("fatal: oops")).toEqual({ kind: "unreadable" });
  });

  it("describes it, and names the wip branch after the workspace and the time", () => {
    expect(
      describeUnsavedWork({ uncommittedFiles: 2, untrackedFiles: 1, unpushedCommits: 1, stashes: 0 }),
    ).toBe("2 changed files, 1 untracked file, 1 commit on no branch of the git host");
    const at = new Date("2026-03-04T05:06:07.890Z");
    expect(wipBranchName({ name: "My Feature / Ünïcode!", id: "abcdef12-x" }, at)).toBe(
      "cw/wip/my-feature-unicode-20260304T050607Z",
    );
    expect(wipBranchName({ name: "…", id: "abcdef12-x" }, at)).toBe("cw/wip/abcdef12-20260304T050607Z");
  });

  it("reads what was pushed, or why the push failed in our words", () => {
    expect(parsePreserveReport({ stdout: "pushed cw/wip/a-1\npushed feature\n", exitCode: 0 }, "h")).toEqual({
      ok: true,
      pushed: ["cw/wip/a-1", "feature"],
    });
    expect(parsePreserveReport({ stdout: "nothing\n", exitCode: 0 }, "h")).toEqual({ ok: true, pushed: [] });
    expect(
      parsePreserveReport(
        {
          stdout: "push_failed\n ! [remote rejected] cw/wip/a-1 -> cw/wip/a-1 (pre-receive hook declined)\n",
          exitCode: 0,
        },
        "h",
      ),
    ).toEqual({
      ok: false,
      why: "the git host refused the push (a hook or a branch protection declined it)",
    });
    expect(parsePreserveReport({ stdout: "", exitCode: null }, "h")).toEqual({
      ok: false,
      why: "h did not answer in time",
    });
  });
});
