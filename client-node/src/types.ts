/** The package's types only, erased at build time: for code that must not bundle Node modules (the desktop's page). */
export type * from "./presence.ts";
export type * from "./worktree/index.ts";
