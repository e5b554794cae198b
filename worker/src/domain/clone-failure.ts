/**
 * A failed clone in our words. The provider's message carries git's stderr, which would tell a
 * user what exists on hosts they cannot otherwise see (which paths hold repositories, what an
 * internal server answers), so it is classified here and never passed on.
 */
const KINDS: [RegExp, string][] = [
  [
    /remote branch .* not found|couldn't find remote ref|did not match any|not our ref|invalid (rev|reference)/i,
    "the branch was not found in the repository",
  ],
  [
    /authentication failed|could not read (username|password)|permission denied|terminal prompts disabled|access denied|host key verification failed|\b40[13]\b/i,
    "the git host refused access: the repository is private, or the URL needs credentials (not supported yet)",
  ],
  [
    /repository .*not found|does not appear to be a git repository|not a git repository|\b404\b|no such (file|repository)/i,
    "the repository was not found: check the URL",
  ],
  [
    /could not resolve|failed to connect|connection (refused|timed out|reset)|network is unreachable|no route to host|timed out|unable to access/i,
    "the git host could not be reached",
  ],
];

export function describeCloneFailure(providerText: string): string {
  const kind = KINDS.find(([pattern]) => pattern.test(providerText));
  return `the repository could not be cloned: ${kind ? kind[1] : "git failed"}`;
}
