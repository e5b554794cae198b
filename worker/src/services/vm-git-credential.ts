import {
  readGitCredentialText,
  VM_GIT_CREDENTIAL_MAX_BYTES,
  VmGitCredentialRequest,
  writeGitCredentialText,
} from "@cw/contracts";
import { canonicalGitHost, credentialTargetOf } from "../domain/git-host.ts";
import { Problem, validationProblem } from "../domain/problems.ts";
import type { Deps } from "./deps.ts";
import { credentialForHost } from "./git-credentials.ts";
import type { workspaceOfVmCredential } from "./vm-credentials.ts";

/** How long git may use an answer: long enough for one operation's requests, too short to keep. */
export const GIT_CREDENTIAL_TTL_SECONDS = 120;

export type VmCaller = NonNullable<Awaited<ReturnType<typeof workspaceOfVmCredential>>>;

/**
 * The broker: a workspace's VM asks, per git operation, for the credential of a host; it gets one
 * only for its own repository's host (and protocol: an https repository's credential never goes
 * over http), from its creator's credentials or else its organization's, with a short expiry.
 * Answers and refusals never include anything of another workspace or organization.
 */
export async function answerVmGitCredential(deps: Deps, vm: VmCaller, text: string): Promise<string> {
  if (new TextEncoder().encode(text).length > VM_GIT_CREDENTIAL_MAX_BYTES)
    throw validationProblem(
      [{ field: "body", message: `larger than ${VM_GIT_CREDENTIAL_MAX_BYTES} bytes` }],
      413,
    );
  const lines = readGitCredentialText(text);
  if (!lines.ok)
    throw validationProblem([{ field: "body", message: `line ${lines.line} is not git's key=value` }]);
  const parsed = VmGitCredentialRequest.safeParse(lines.attributes);
  if (!parsed.success) {
    throw validationProblem(
      parsed.error.issues.map((i) => ({ field: `body.${i.path.join(".")}`, message: i.message })),
    );
  }
  const asked = {
    protocol: parsed.data.protocol,
    host: canonicalGitHost(parsed.data.protocol, parsed.data.host),
  };
  const own = credentialTargetOf(vm.cloneUrl);
  if (!own || own.protocol !== asked.protocol || own.host !== asked.host) {
    const mine = own ? `${own.protocol}://${own.host}` : "no host (its repository needs no credentials)";
    throw new Problem(
      403,
      "not-this-repository",
      "Not this workspace's repository",
      `this workspace's git gets credentials only for its repository's host: ${mine}`,
    );
  }
  const found = await credentialForHost(deps, vm.workspace, own.host);
  if (!found) {
    throw new Problem(
      404,
      "no-git-credential",
      "No git credential",
      `authentication failed for ${own.host}: no git credential for this host; add one with POST /v1/git-credentials`,
    );
  }
  return writeGitCredentialText({
    username: found.username,
    password: found.secret,
    passwordExpiryUtc: Math.floor(deps.now().getTime() / 1000) + GIT_CREDENTIAL_TTL_SECONDS,
  });
}
