import type { Workspace } from "@cw/contracts/types";

/**
 * Naming a workspace on the command line: by id, by name, or by the form an SSH host name can
 * carry (`cw-<host form>`: lower case, anything but letters, digits, `.`, `_` and `-` turned into
 * `-`). Pure: the caller fetches the list.
 */
export const SSH_HOST_PREFIX = "cw-";

export function hostFormOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** The SSH host `cw config-ssh` makes reach a workspace: `cw-<host form of its name>`. */
export const sshHostOf = (w: Pick<Workspace, "name">) => `${SSH_HOST_PREFIX}${hostFormOf(w.name)}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const looksLikeId = (ref: string) => UUID.test(ref);

export type Match =
  | { kind: "one"; workspace: Workspace }
  | { kind: "none" }
  | { kind: "ambiguous"; candidates: Workspace[] };

/**
 * The workspace `ref` names: its id, else its exact name, else its host form; `allowSshHost` also
 * tries `ref` without a leading `cw-` (an SSH host handed over by a ProxyCommand). Several at the
 * first level that matches is ambiguous.
 */
export function matchWorkspace(workspaces: Workspace[], ref: string, allowSshHost = false): Match {
  const refs =
    allowSshHost && ref.startsWith(SSH_HOST_PREFIX) ? [ref, ref.slice(SSH_HOST_PREFIX.length)] : [ref];
  const levels: ((w: Workspace) => boolean)[] = [
    (w) => w.id === ref,
    (w) => refs.includes(w.name),
    (w) => refs.includes(hostFormOf(w.name)),
  ];
  for (const level of levels) {
    const found = workspaces.filter(level);
    if (found.length === 1) return { kind: "one", workspace: found[0]! };
    if (found.length > 1) return { kind: "ambiguous", candidates: found };
  }
  return { kind: "none" };
}

/** One line naming each candidate so the user can pick one by id. */
export function ambiguityMessage(ref: string, candidates: Workspace[]): string {
  const listed = candidates.map((w) => `${w.name} (${w.branch}, ${w.status}, id ${w.id})`).join("; ");
  return `"${ref}" names ${candidates.length} workspaces: ${listed}; name one by its id`;
}
