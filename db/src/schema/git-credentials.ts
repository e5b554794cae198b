import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organizations, users } from "./accounts.ts";
import { gitCredentialScopeEnum } from "./enums.ts";

const ts = (name: string) => timestamp(name, { withTimezone: true });

/**
 * A git host's credential: a user's own (`user_id` set) or the organization's. The secret is
 * AES-256-GCM ciphertext under the key named by `secret_key_id` (one of the worker's
 * GIT_CREDENTIAL_KEYS, so keys can be rotated), bound to this row's owner and host; only `hint` (its
 * last characters) is readable. Workspaces' VMs receive it one git operation at a time.
 */
export const gitCredentials = pgTable(
  "git_credentials",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    scope: gitCredentialScopeEnum("scope").notNull(),
    /** The owner of a `user` credential; null for the organization's. */
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    /** As git names it in a credential request: lowercase, with a port only when not the default. */
    host: text("host").notNull(),
    username: text("username").notNull(),
    secretKeyId: text("secret_key_id").notNull(),
    /** base64 of the 12-byte nonce and of the ciphertext with its tag. */
    secretIv: text("secret_iv").notNull(),
    secretCiphertext: text("secret_ciphertext").notNull(),
    hint: text("hint"),
    createdAt: ts("created_at").notNull().defaultNow(),
    lastUsedAt: ts("last_used_at"),
  },
  (t) => [
    check("git_credentials_owner", sql`(${t.scope} = 'user') = (${t.userId} is not null)`),
    uniqueIndex("git_credentials_user_host_idx")
      .on(t.organizationId, t.userId, t.host)
      .where(sql`${t.scope} = 'user'`),
    uniqueIndex("git_credentials_org_host_idx")
      .on(t.organizationId, t.host)
      .where(sql`${t.scope} = 'organization'`),
    // Re-encryption under a newer key reads the rows still under an older one.
    index("git_credentials_key_idx").on(t.secretKeyId),
  ],
);
