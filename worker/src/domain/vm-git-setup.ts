import { describeCloneFailure } from "./git-failure.ts";
import { type CredentialTarget, credentialTargetOf } from "./git-host.ts";
import { NON_INTERACTIVE_GIT, shellQuote } from "./shell.ts";

/**
 * How a workspace's VM gets its repository and its git credentials. Pure: files and commands,
 * which the provisioning service writes and runs.
 *
 * The VM never holds a git host's secret. It holds a credential of its own (a random secret, one
 * per workspace), and its git is configured with a credential helper that, for each operation on
 * the repository's host, asks the control plane (`POST /v1/vm/git-credential`) for the host's
 * credential; the answer expires at once (`password_expiry_utc`), so git uses it for that operation
 * and never stores it. The same helper serves the clone at create, the git poller's ls-remote,
 * fetch and fast-forward, a delete's push of unsaved work, and whatever a user types in a terminal.
 *
 * The clone happens inside the VM, with the helper, on Freestyle and on the local VM host alike:
 * Freestyle's own `git.repos` clone at create cannot ask our helper (and Freestyle does not import
 * private repositories from outside), so the VM is created empty and `setupCommand` clones into its
 * workdir. Everything lives under the VM user's `$HOME/.config/cw` (root's `/root` on Freestyle and
 * on the local VM host): the helper, and the VM credential, readable by that user only.
 */

/** Where the files go, as VM paths (the VM's user is root). */
export const VM_HOME = "/root";
const CW_DIR = ".config/cw";
export const HELPER_PATH = `${VM_HOME}/${CW_DIR}/git-credential`;
export const VM_CREDENTIAL_PATH = `${VM_HOME}/${CW_DIR}/vm-credential`;

/**
 * The helper git runs (`<helper> get|store|erase`, the request on stdin). It sends git's request as
 * it is and prints the control plane's answer as it is: parsing and every decision happen on the
 * server. The VM credential goes to curl from its file (`--header @file`), never on a command line
 * another process could read. Refusals print the server's reason on stderr, where git shows it.
 */
export function helperScript(publicUrl: string): string {
  const endpoint = shellQuote(`${publicUrl}/v1/vm/git-credential`);
  return `#!/bin/sh
# The git credential helper of cloud workspaces: for each git operation on this workspace's
# repository host, asks the control plane for the host's credential. The answer expires at once,
# so git uses it for that operation only and stores nothing. Installed when the workspace was made.
dir=$(dirname "$0")
case "$1" in
  get) ;;
  erase)
    # git erases a credential the host refused.
    host=$(sed -n 's/^host=//p' | head -n 1)
    echo "cw: authentication failed for $host: check your git credential for this host" >&2
    exit 0 ;;
  *) cat >/dev/null; exit 0 ;;
esac
command -v curl >/dev/null || { echo "cw: this VM has no curl, which git credentials need" >&2; exit 0; }
answer=$(curl --silent --show-error --max-time 30 --request POST \\
  --header @"$dir/vm-credential" --header 'content-type: text/plain' \\
  --data-binary @- --write-out '\\n%{http_code}' ${endpoint}) || {
  echo "cw: the control plane could not be reached for a git credential" >&2
  exit 0
}
code=$(printf '%s' "$answer" | tail -n 1)
body=$(printf '%s' "$answer" | sed '$d')
if [ "$code" = 200 ]; then
  printf '%s\\n' "$body"
else
  detail=$(printf '%s' "$body" | sed -n 's/.*"detail":"\\([^"]*\\)".*/\\1/p')
  echo "cw: \${detail:-the control plane answered $code}" >&2
fi
`;
}

/** The files written into a new VM: the helper, and the VM credential as curl's header line. */
export function vmGitFiles(publicUrl: string, vmCredential: string) {
  return {
    [HELPER_PATH]: { content: helperScript(publicUrl), executable: true },
    [VM_CREDENTIAL_PATH]: { content: `Authorization: Bearer ${vmCredential}\n`, executable: false },
  };
}

/** git config lines that make the helper the only one consulted for the repository's host. */
function helperConfig(target: CredentialTarget): string[] {
  const key = shellQuote(`credential.${target.protocol}://${target.host}.helper`);
  // An empty helper first resets any helper an image configured (a `store` would write the
  // credential to disk); then ours, found through $HOME when git runs it.
  return [
    `git config --global --unset-all ${key} 2>/dev/null`,
    `git config --global --add ${key} ''`,
    `git config --global --add ${key} ${shellQuote('!"$HOME/.config/cw/git-credential"')}`,
  ];
}

/**
 * Run in the VM's workdir after create (and again, harmlessly, if a create is resumed): protects the
 * VM credential, configures the helper (when the VM has them), and clones the branch into the
 * workdir unless a checkout is already there. Prints `cloned`, or `setup_failed` / `clone_failed`
 * and git's output.
 */
export function setupCommand(repoUrl: string, branch: string): string {
  const target = credentialTargetOf(repoUrl);
  return [
    "set -u",
    NON_INTERACTIVE_GIT,
    // A VM made without our files (before private repositories, or by hand) has no helper to set up.
    `if [ -d "$HOME/${CW_DIR}" ]; then`,
    `chmod 700 "$HOME/${CW_DIR}" && chmod 600 "$HOME/${CW_DIR}/vm-credential" || { echo setup_failed; exit 0; }`,
    ...(target ? helperConfig(target) : []),
    "fi",
    "if [ -e .git ]; then echo cloned; exit 0; fi",
    `if out=$(git clone --quiet --branch ${shellQuote(branch)} -- ${shellQuote(repoUrl)} . 2>&1); then echo cloned;`,
    `else printf 'clone_failed\\n%s\\n' "$out" | tail -c 4000; fi`,
  ].join("\n");
}

/** The setup's outcome: null when the checkout is ready, else the workspace's error message. */
export function setupFailure(
  out: { stdout: string; stderr: string; exitCode: number | null },
  host: string | null,
): string | null {
  const lines = out.stdout.trim().split("\n");
  if (lines.at(-1) === "cloned") return null;
  if (lines[0] === "setup_failed")
    return "the VM could not be prepared: its git credential file could not be protected";
  if (lines[0] === "clone_failed") return describeCloneFailure(lines.slice(1).join("\n"), host);
  if (out.exitCode === null)
    return `the repository could not be cloned: ${host ?? "the git host"} did not answer in time`;
  return describeCloneFailure(`${out.stdout}\n${out.stderr}`, host);
}
