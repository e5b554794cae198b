import { z } from "zod";
import { timestamp } from "./common.ts";

/** Short-lived SSH credentials for a running workspace ("none" auth: the token is in the username). */
export const SshCredentials = z
  .object({
    host: z.string(),
    port: z.number().int().min(1).max(65535),
    username: z.string(),
    token: z.string(),
    expiresAt: timestamp,
    command: z.string().meta({ description: "Ready to paste into a shell" }),
  })
  .meta({ id: "SshCredentials" });
export type SshCredentials = z.infer<typeof SshCredentials>;
