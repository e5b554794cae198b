import { z } from "zod";
import { gitCredentialScopeValues } from "../enums.ts";
import { isSafeText, issuedId, itemsOf, SAFE_TEXT_MESSAGE, timestamp } from "./common.ts";

/**
 * A git host's credential (a username and a token or password), kept encrypted by the control plane
 * and handed to a workspace's VM one git operation at a time. The secret goes in once and never
 * comes back out: answers show a hint of it at most.
 */

export const gitCredentialScopeSchema = z.enum(gitCredentialScopeValues).meta({
  description:
    "user: only the caller's own workspaces use it; organization: every workspace of the organization whose creator has no credential of their own for the host (owners only)",
});

/**
 * A host as git names it in a credential request: a DNS name or an IP address (IPv6 in brackets),
 * with a port when it is not the protocol's default. Lowercased; a default port is dropped by the
 * server when it matches.
 */
export const gitHost = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(253)
  .regex(
    /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/,
    {
      message: "must be a host name or address, with an optional :port (e.g. github.com)",
    },
  );

/**
 * What git passes on in its credential protocol must stay one line of printable text: a line break
 * would let a value inject another attribute into the answer a VM's git reads.
 */
const credentialText = (max: number) => z.string().min(1).max(max).refine(isSafeText, SAFE_TEXT_MESSAGE);

export const CreateGitCredential = z
  .object({
    host: gitHost,
    username: credentialText(256).meta({
      description:
        "The username the git host expects with the token (GitHub accepts any, e.g. x-access-token)",
    }),
    secret: credentialText(4096).meta({ description: "The token or password. Never shown again" }),
    scope: gitCredentialScopeSchema.default("user"),
  })
  .strict()
  .meta({ id: "CreateGitCredential" });
export type CreateGitCredential = z.input<typeof CreateGitCredential>;

export const GitCredential = z
  .object({
    id: issuedId,
    host: z.string(),
    username: z.string(),
    scope: gitCredentialScopeSchema,
    hint: z
      .string()
      .nullable()
      .meta({ description: "The secret's last four characters (null for short secrets)" }),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable().meta({ description: "When a VM's git last received it" }),
  })
  .meta({ id: "GitCredential" });
export type GitCredential = z.infer<typeof GitCredential>;

export const GitCredentialList = itemsOf(GitCredential).meta({ id: "GitCredentialList" });
export type GitCredentialList = z.infer<typeof GitCredentialList>;
