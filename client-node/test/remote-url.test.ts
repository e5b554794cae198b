import { expect, it } from "vitest";
import { cloneUrlOf, remoteKey, repositoryNameOf } from "../src/worktree/remote-url.ts";

it("matches remotes however they are spelled, and names repositories after them", () => {
  expect(remoteKey("git@github.com:Acme/api.git")).toBe(remoteKey("https://github.com/Acme/api"));
  expect(remoteKey("ssh://git@GitHub.com/Acme/api.git/")).toBe("github.com/Acme/api");
  expect(remoteKey("https://github.com/acme/api")).not.toBe(remoteKey("https://github.com/acme/web"));
  expect(cloneUrlOf("/srv/git/api.git", "/home/me/api")).toBe("file:///srv/git/api.git");
  expect(cloneUrlOf("../api.git", "/home/me/api")).toBe("file:///home/me/api.git");
  expect(cloneUrlOf("git@github.com:a/b.git", "/x")).toBe("git@github.com:a/b.git");
  expect(repositoryNameOf("https://github.com/acme/api.git/")).toBe("api");
  expect(repositoryNameOf(" git@github.com:acme/web.git")).toBe("web");
  expect(repositoryNameOf("/srv/git/tools.git")).toBe("tools");
});
