import type { Database } from "./client.ts";
import { apiTokens, memberships, organizations, users } from "./schema/index.ts";

export const TOKEN_PREFIX_LENGTH = 12;

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * `prefix` + 256 random bits, base64url: the form of every secret the control plane issues (API
 * tokens, VM credentials). High entropy is why a plain SHA-256 is a sound stored form.
 */
export function randomSecret(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const b64 = btoa(String.fromCharCode(...bytes));
  return `${prefix}${b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}`;
}

/** `cwk_` and a random secret. */
export const generateApiToken = () => randomSecret("cwk_");

export const hashApiToken = sha256Hex;

/** The database or an open transaction on it. */
export type Executor = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

export async function issueApiToken(
  db: Executor,
  owner: { organizationId: string; userId: string; name: string; expiresAt?: Date | null },
) {
  const token = generateApiToken();
  const [row] = await db
    .insert(apiTokens)
    .values({ ...owner, prefix: token.slice(0, TOKEN_PREFIX_LENGTH), tokenHash: await hashApiToken(token) })
    .returning();
  return { token, row: row! };
}

/** How a team onboards: an organization, its first user as owner, and that user's first token. */
export async function createOrganizationWithOwner(
  db: Database,
  input: { organizationName: string; email: string; userName: string },
) {
  return db.transaction(async (tx) => {
    const [organization] = await tx
      .insert(organizations)
      .values({ name: input.organizationName })
      .returning();
    const [user] = await tx
      .insert(users)
      .values({ email: input.email, name: input.userName })
      .onConflictDoUpdate({ target: users.email, set: { name: input.userName } })
      .returning();
    await tx
      .insert(memberships)
      .values({ organizationId: organization!.id, userId: user!.id, role: "owner" });
    const { token } = await issueApiToken(tx, {
      organizationId: organization!.id,
      userId: user!.id,
      name: "initial",
    });
    return { organization: organization!, user: user!, token };
  });
}
