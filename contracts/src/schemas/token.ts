import { z } from "zod";
import { displayName, issuedId, itemsOf, timestamp } from "./common.ts";

export const CreateToken = z.object({ name: displayName }).strict().meta({ id: "CreateToken" });
export type CreateToken = z.input<typeof CreateToken>;

/** An API token as listed: its prefix tells tokens apart; the secret is never shown again. */
export const ApiToken = z
  .object({
    id: issuedId,
    name: z.string(),
    prefix: z.string(),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable(),
  })
  .meta({ id: "ApiToken" });
export type ApiToken = z.infer<typeof ApiToken>;

export const NewApiToken = ApiToken.extend({
  token: z.string().meta({ description: "Shown once" }),
}).meta({ id: "NewApiToken" });
export type NewApiToken = z.infer<typeof NewApiToken>;

export const ApiTokenList = itemsOf(ApiToken).meta({ id: "ApiTokenList" });
export type ApiTokenList = z.infer<typeof ApiTokenList>;
