/**
 * A failed git operation in a VM (clone, fetch, push), in our words. git's own output names paths
 * and hosts the user cannot otherwise see (which paths hold repositories, what an internal server
 * answers) and could carry a credential a helper printed, so it is classified here and never
 * passed on. `host` is the workspace's repository host, from our own records.
 */
type Kind = (host: string) => string;

const KINDS: [RegExp, Kind][] = [
  [
    /remote branch .* not found|couldn't find remote ref|did not match any|not our ref|invalid (rev|reference)/i,
    () => "the branch was not found in the repository",
  ],
  [
    /\[rejected\]|non-fast-forward|fetch first|updates were rejected/i,
    () => "the git host refused the push: it has commits the VM's branch lacks",
  ],
  [
    /\[remote rejected\]|hook declined|protected branch/i,
    () => "the git host refused the push (a hook or a branch protection declined it)",
  ],
  [
    /authentication failed|could not read (username|password)|permission denied|terminal prompts disabled|access denied|host key verification failed|invalid username or password|\b40[13]\b/i,
    (host) => `authentication failed for ${host}: check your git credential for this host`,
  ],
  [
    /repository .*not found|does not appear to be a git repository|not a git repository|\b404\b|no such (file|repository)/i,
    () => "repository not found or no access",
  ],
  [
    /could not resolve|failed to connect|connection (refused|timed out|reset)|network is unreachable|no route to host|timed out|unable to access/i,
    (host) => `${host} could not be reached`,
  ],
];

export function describeGitFailure(output: string, host: string | null): string {
  const kind = KINDS.find(([pattern]) => pattern.test(output));
  return kind ? kind[1](host ?? "the git host") : "git failed";
}

export function describeCloneFailure(output: string, host: string | null): string {
  return `the repository could not be cloned: ${describeGitFailure(output, host)}`;
}
