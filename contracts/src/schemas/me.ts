import { z } from "zod";
import { membershipRoleValues } from "../enums.ts";
import { issuedId, timestamp } from "./common.ts";

/**
 * Who the bearer token speaks for (`GET /v1/me`): its user, their organization and role, and the
 * token itself. `cw login` checks a token with it before storing it.
 */
export const Me = z
  .object({
    user: z.object({ id: issuedId, name: z.string(), email: z.string() }),
    organization: z.object({ id: issuedId, name: z.string(), role: z.enum(membershipRoleValues) }),
    token: z.object({
      id: issuedId,
      name: z.string(),
      prefix: z.string(),
      expiresAt: timestamp.nullable().meta({ description: "When the token stops working; null = never" }),
    }),
  })
  .meta({ id: "Me" });
export type Me = z.infer<typeof Me>;
