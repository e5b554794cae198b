import type { SshCredentials } from "@cw/contracts/types";

/**
 * How to reach a workspace's SSH gateway: the part of `POST /v1/workspaces/{id}/ssh`'s answer the
 * bridge uses (Freestyle's gateway takes the short-lived token in the username).
 */
export type GatewayCredentials = Pick<SshCredentials, "host" | "port" | "username">;
