import { z } from "zod";
import { gitHost } from "./git-credential.ts";

/**
 * `POST /v1/vm/git-credential`, which the git credential helper in a workspace's VM calls once per
 * git operation. It speaks git's own credential protocol (`text/plain`: `key=value` lines), so the
 * helper passes git's request through and prints the answer back without parsing either.
 * https://git-scm.com/docs/git-credential#IOFMT
 */

/** The request git sends its helper for `get`: the attributes the control plane needs of it. */
export const VmGitCredentialRequest = z
  .object({
    protocol: z.enum(["http", "https"], { message: "only http and https credentials are brokered" }),
    host: gitHost,
    path: z.string().max(4096).optional(),
    username: z.string().max(256).optional(),
  })
  .meta({ id: "VmGitCredentialRequest" });
export type VmGitCredentialRequest = z.infer<typeof VmGitCredentialRequest>;

export const VM_GIT_CREDENTIAL_MAX_BYTES = 16 * 1024;

/** A line of git's credential protocol: `key=value`, keys lowercase, arrays as `key[]`. */
const LINE = /^([a-z][a-z0-9_]*(?:\[\])?)=(.*)$/;

/**
 * git's request text as attributes, or the first line that is not one. Unknown attributes (newer
 * gits send `wwwauth[]`, `capability[]`…) are ignored, as git itself ignores what it does not know.
 */
export function readGitCredentialText(
  text: string,
): { ok: true; attributes: Record<string, string> } | { ok: false; line: number } {
  const attributes: Record<string, string> = {};
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.at(-1) === "") lines.pop();
  for (const [i, line] of lines.entries()) {
    const match = LINE.exec(line);
    if (!match || match[2]!.includes("\0") || match[2]!.includes("\r")) return { ok: false, line: i + 1 };
    if (!match[1]!.endsWith("[]")) attributes[match[1]!] = match[2]!;
  }
  return { ok: true, attributes };
}

/** The answer for git: a username and password that git uses for this operation only. */
export interface VmGitCredentialAnswer {
  username: string;
  password: string;
  /** Unix seconds; git (2.41+) drops the credential after it, and never stores an expired one. */
  passwordExpiryUtc: number;
}

export function writeGitCredentialText(answer: VmGitCredentialAnswer): string {
  return `username=${answer.username}\npassword=${answer.password}\npassword_expiry_utc=${answer.passwordExpiryUtc}\n`;
}
