/** "Enable cloud" for a local git worktree, and the facts it reads from one. */
export {
  defaultWorkspaceName,
  type EnableCloudApi,
  type EnableCloudInput,
  type EnableCloudResult,
  enableCloud,
  type WorktreeLinks,
} from "./enable-cloud.ts";
export { inspectWorktree, WorktreeError, type WorktreeInfo } from "./inspect.ts";
export { cloneUrlOf, remoteKey, repositoryNameOf } from "./remote-url.ts";
