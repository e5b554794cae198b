/**
 * How long a test waits for real work (git, SSH, a process, the stack) before it fails. Generous,
 * because the machine may be busy with other work: a wait ends as soon as its condition holds, so
 * this costs nothing when all is well.
 */
export const PATIENCE_MS = 90_000;

/** A test's own deadline when it waits for several pieces of real work in turn. */
export const TEST_TIMEOUT_MS = 5 * PATIENCE_MS;
