import { z } from "zod";

/**
 * How to reach a workspace's SSH gateway, as `POST /v1/workspaces/{id}/ssh` answers it (extra
 * fields ignored): Freestyle's gateway takes the short-lived token in the username.
 */
export const GatewayCredentials = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535),
  username: z.string().min(1),
  password: z.string().optional(),
});
export type GatewayCredentials = z.infer<typeof GatewayCredentials>;

/** The API's error body (RFC 9457 problem+json), as far as a one-line message needs it. */
export const Problem = z.object({ detail: z.string().optional(), title: z.string().optional() });
