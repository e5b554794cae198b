/** Quotes a value for a POSIX shell, whatever it contains. */
export const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** Environment for git the control plane runs in a VM: never wait for a prompt nobody will answer. */
export const NON_INTERACTIVE_GIT = "export GIT_TERMINAL_PROMPT=0 GIT_SSH_COMMAND='ssh -o BatchMode=yes'";
