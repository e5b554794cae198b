export * from "./common.ts";
export * from "./problem.ts";
export * from "./repository.ts";
export * from "./session.ts";
export * from "./shape-row.ts";
export * from "./ssh.ts";
export * from "./token.ts";
export * from "./workspace.ts";
