export * from "./accounts.ts";
export * from "./cloud-workspaces.ts";
export * from "./deployment.ts";
export * from "./enums.ts";
export * from "./git-credentials.ts";
export * from "./relations.ts";
export * from "./repositories.ts";
export * from "./shape-log.ts";
