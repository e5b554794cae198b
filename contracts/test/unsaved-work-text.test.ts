import { describe, expect, it } from "vitest";
import { unsavedSummary, unsavedWorkLines } from "../src/unsaved-work-text.ts";
import { sampleSyncedWorkspace } from "./support/samples.ts";

describe("unsaved work in words", () => {
  it("summarizes the poller's counts for the Git column, nothing when none or not counted yet", () => {
    expect(unsavedSummary({ uncommittedFiles: 2, untrackedFiles: 1, unpushedCommits: 3, stashes: 1 })).toBe(
      "2 changed · 1 untracked · 3 unpushed · 1 stash",
    );
    expect(unsavedSummary({ uncommittedFiles: 0, untrackedFiles: 0, unpushedCommits: 0, stashes: 0 })).toBe(
      "",
    );
    expect(unsavedSummary(sampleSyncedWorkspace())).toBe("");
  });

  it("lists what a delete would lose, branch by branch", () => {
    expect(
      unsavedWorkLines({
        uncommittedFiles: 1,
        untrackedFiles: 2,
        unpushedCommits: 3,
        stashes: 2,
        branches: [
          { name: "feature", unpushedCommits: 1 },
          { name: "topic", unpushedCommits: 2 },
        ],
      }),
    ).toEqual([
      "1 file with uncommitted changes",
      "2 untracked files",
      "3 commits on no branch of the git host (feature: 1, topic: 2)",
      "2 stashes",
    ]);
  });
});
