import { z } from "zod";
import { displayName, issuedId, itemsOf, timestamp } from "./common.ts";

export const CreateToken = z
  .object({
    name: displayName,
    expiresAt: z.iso.datetime({ offset: true }).optional().meta({
      description:
        "When the token stops working (ISO 8601). At most the deployment's maximum lifetime, and never later than the token that creates it; defaults to those limits, or to never when there are none",
    }),
  })
  .strict()
  .meta({ id: "CreateToken" });
export type CreateToken = z.input<typeof CreateToken>;

/** An API token as listed: its prefix tells tokens apart; the secret is never shown again. */
export const ApiToken = z
  .object({
    id: issuedId,
    name: z.string(),
    prefix: z.string(),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable(),
    expiresAt: timestamp.nullable().meta({ description: "When it stops working; null = never" }),
  })
  .meta({ id: "ApiToken" });
export type ApiToken = z.infer<typeof ApiToken>;

export const NewApiToken = ApiToken.extend({
  token: z.string().meta({ description: "Shown once" }),
}).meta({ id: "NewApiToken" });
export type NewApiToken = z.infer<typeof NewApiToken>;

export const ApiTokenList = itemsOf(ApiToken).meta({ id: "ApiTokenList" });
export type ApiTokenList = z.infer<typeof ApiTokenList>;
