import {
  autoStopActionValues,
  gitCredentialScopeValues,
  webhookDeliveryStatusValues,
  workspaceStatusValues,
} from "@cw/contracts/enums";

/**
 * Every `cw` command's name, one-line summary, usage and options: plain data, read by the entry
 * (help, parsing) without loading any command's code. Value lists come from the contract's enums.
 */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** What the value is called in help (`--status S`). */
  value?: string;
  help: string;
}

export interface CommandSpec {
  summary: string;
  /** The arguments after the command's name, as help shows them. */
  usage: string;
  /** How many arguments it takes (before any `--`). */
  args: { min: number; max: number };
  /** Whether it takes `-- COMMAND…` after its arguments. */
  rest?: boolean;
  options: Record<string, OptionSpec>;
  /** A paragraph after the usage line. */
  details?: string;
  /** Not listed by `cw --help`. */
  hidden?: boolean;
}

const autoStopActions = autoStopActionValues.join("|");

const json: OptionSpec = { type: "boolean", help: "print JSON (the API's objects) instead of a table" };

/** An action on one object of the organization named by its id (`cw token rm ID`…). */
const byId = (summary: string, withJson = false): CommandSpec => ({
  summary,
  usage: withJson ? "ID [--json]" : "ID",
  args: { min: 1, max: 1 },
  options: withJson ? { json } : {},
});

/** A list of the organization's objects (`cw token ls`…): a table, or the API's items with --json. */
const listing = (summary: string): CommandSpec => ({
  summary,
  usage: "[--json]",
  args: { min: 0, max: 0 },
  options: { json },
});

/** A lifecycle action on one workspace, answering with it. */
const lifecycle = (summary: string): CommandSpec => ({
  summary,
  usage: "WS [--json]",
  args: { min: 1, max: 1 },
  options: { json },
});

export const commandSpecs = {
  login: {
    summary: "store an API URL and token (checked against the API first)",
    usage: "[--url URL] [--token-stdin]",
    args: { min: 0, max: 0 },
    options: {
      url: {
        type: "string",
        value: "URL",
        help: "the API, e.g. https://cw.example.com (default: CW_URL or the stored one)",
      },
      "token-stdin": { type: "boolean", help: "read the token from standard input instead of asking for it" },
    },
    details:
      "The token is asked for without echo, or read from standard input with --token-stdin. It is stored owner-only in cw's config folder; CW_URL and CW_TOKEN override what is stored.",
  },
  logout: {
    summary: "forget the stored token",
    usage: "",
    args: { min: 0, max: 0 },
    options: {},
  },
  ls: {
    summary: "list workspaces",
    usage: "[--status S] [--json]",
    args: { min: 0, max: 0 },
    options: {
      status: {
        type: "string",
        value: "S",
        help: `only workspaces in this status (${workspaceStatusValues.join(", ")})`,
      },
      json,
    },
  },
  "repo add": {
    summary: "register a git repository",
    usage: "NAME URL [--default-branch B] [--json]",
    args: { min: 2, max: 2 },
    options: {
      "default-branch": { type: "string", value: "B", help: "its default branch (default: main)" },
      json,
    },
  },
  "repo ls": listing("list repositories"),
  create: {
    summary: "create a workspace and wait until it runs",
    usage: `[REPO BRANCH] [--name N] [--auto-stop MIN] [--auto-stop-action ${autoStopActions}] [--no-wait] [--json]`,
    args: { min: 0, max: 2 },
    options: {
      name: { type: "string", value: "N", help: "its name (default: <repository or folder>-<branch>)" },
      "auto-stop": {
        type: "string",
        value: "MIN",
        help: "minutes without activity before it is auto-stopped, 0 = never (default 30)",
      },
      "auto-stop-action": {
        type: "string",
        value: autoStopActions,
        help: "what auto-stop does (default: pause)",
      },
      "no-wait": { type: "boolean", help: "return at once, while it is still provisioning" },
      json,
    },
    details:
      "REPO is a repository's name or id. With no REPO and BRANCH, inside a git worktree: its origin (registered unless it is already) and its current branch, which must be pushed — what the desktop's \"enable cloud\" does.",
  },
  edit: {
    summary: "rename a workspace, or change its idle auto-stop",
    usage: `WS [--name N] [--auto-stop MIN] [--auto-stop-action ${autoStopActions}] [--json]`,
    args: { min: 1, max: 1 },
    options: {
      name: { type: "string", value: "N", help: "its new name" },
      "auto-stop": {
        type: "string",
        value: "MIN",
        help: "minutes without activity before auto-stop, 0 = never",
      },
      "auto-stop-action": { type: "string", value: autoStopActions, help: "what auto-stop does" },
      json,
    },
  },
  pause: lifecycle("pause a running workspace (memory kept, resumes at once)"),
  resume: lifecycle("resume a paused or stopped workspace"),
  stop: lifecycle("stop a workspace (its disk is kept)"),
  rm: {
    summary: "delete a workspace and its VM",
    usage: "WS [--yes] [--preserve | --force]",
    args: { min: 1, max: 1 },
    options: {
      yes: {
        type: "boolean",
        short: "y",
        help: "do not ask, not even about unsaved work (required when not on a terminal)",
      },
      preserve: {
        type: "boolean",
        help: "push the VM's unsaved work to a cw/wip/… branch first (nothing is deleted if the push fails)",
      },
      force: { type: "boolean", help: "delete whatever unsaved work the VM holds" },
    },
    details:
      "The VM is checked first: a workspace holding work that exists nowhere else (uncommitted or untracked files, unpushed commits, stashes) is not deleted unless --preserve or --force says what to do with it. On a terminal (without --yes) cw lists that work and asks: save it to a branch, then delete; delete anyway; or cancel.",
  },
  status: {
    summary: "a workspace's details: why it is running or when it will stop, who is connected, its holds",
    usage: "WS [--json]",
    args: { min: 1, max: 1 },
    options: { json },
  },
  hold: {
    summary: "keep a workspace running for a while, or while a command runs",
    usage: "WS (--for D | --until T) --reason R [--json]  |  WS [--reason R] -- COMMAND…",
    args: { min: 1, max: 1 },
    rest: true,
    options: {
      for: { type: "string", value: "D", help: "how long: 90m, 2h, 1h30m (at most 24h)" },
      until: {
        type: "string",
        value: "T",
        help: "until when: 18:00 (the next 18:00, your time zone) or 2026-03-01T18:00Z (at most 24h ahead)",
      },
      reason: {
        type: "string",
        value: "R",
        help: "what it is for, shown to everyone who looks (with -- COMMAND, default: the program's name)",
      },
      json,
    },
    details:
      "A hold counts as activity for as long as it lasts: idle auto-stop waits, whoever is connected. With -- COMMAND, cw holds the workspace while the command runs (a 10-minute hold renewed every 5 minutes, the new one placed before the old is released), releases it when the command ends or is interrupted (SIGTERM and SIGHUP, and SIGINT unless cw's stdin is a terminal, are passed on to the command), and exits with the command's status. The workspace must be running (cw resume first).",
  },
  unhold: {
    summary: "release a hold early",
    usage: "WS [HOLD_ID | --all]",
    args: { min: 1, max: 2 },
    options: { all: { type: "boolean", help: "release every hold on the workspace" } },
    details:
      "Without HOLD_ID or --all, releases the workspace's only hold (several: they are listed; name one). Anyone in the organization may release any of its holds. cw status WS lists them with their ids.",
  },
  ssh: {
    summary: "open a shell in a workspace, or run a command there",
    usage: "WS [-- COMMAND…]",
    args: { min: 1, max: 1 },
    rest: true,
    options: {},
    details:
      "Resumes a paused or stopped workspace first, then runs your OpenSSH with fresh credentials and exits with the remote command's status.",
  },
  "config-ssh": {
    summary: "let ssh, scp, rsync and editors reach workspaces as cw-<name>",
    usage: "[--remove] [--multiplex]",
    args: { min: 0, max: 0 },
    options: {
      remove: { type: "boolean", help: "take cw's block out of ~/.ssh/config again" },
      multiplex: {
        type: "boolean",
        help: "reuse one connection for later ones (ControlMaster; not on Windows): much faster repeat connects, but each keeps the workspace in use 1 minute longer",
      },
    },
    details:
      "Writes one delimited block at the top of ~/.ssh/config (a backup of the file is kept beside it) whose ProxyCommand is `cw ssh-proxy`. Everything else in the file is left as it is.",
  },
  "ssh-proxy": {
    summary: "the ProxyCommand behind `ssh cw-<name>` (written by config-ssh)",
    usage: "WS",
    args: { min: 1, max: 1 },
    options: {},
    details:
      "Speaks SSH on its standard input and output: resumes the workspace if needed, connects to it with fresh credentials and keeps it marked in use while the connection lives. WS may be spelled as its SSH host, cw-<name>.",
  },
  events: {
    summary: "the organization's audit log: who changed what, and why; --follow for what happens next",
    usage: "[WS] [--type T,…] [--after CURSOR] [--limit N] [--follow] [--json]",
    args: { min: 0, max: 1 },
    options: {
      type: { type: "string", value: "T,…", help: "only these event types (e.g. workspace.status_changed)" },
      after: {
        type: "string",
        value: "CURSOR",
        help: "the events after this cursor (an event's or a page's)",
      },
      limit: { type: "string", value: "N", help: "at most N events (1–500, default 100; not with --follow)" },
      follow: {
        type: "boolean",
        short: "f",
        help: "keep printing events as they happen (from --after if given, else from now) until interrupted",
      },
      json: { type: "boolean", help: "print the API's page; with --follow, one event per line (JSON Lines)" },
    },
    details:
      "Oldest first, from the oldest kept unless --after says where. WS names one workspace, by name or id. When more events follow a page, cw says on stderr how to read the next one.",
  },
  "token ls": listing("list the organization's API tokens (never their secrets)"),
  "token create": {
    summary: "create an API token and print it (shown this once)",
    usage: "NAME [--expires-at T] [--json]",
    args: { min: 1, max: 1 },
    options: {
      "expires-at": {
        type: "string",
        value: "T",
        help: "when it stops working, e.g. 2027-01-31T00:00Z (default: the deployment's limit, else never)",
      },
      json,
    },
    details:
      "The token alone goes to standard output (cw token create ci > ci-token), what it is to standard error. It can never be later than the token that creates it.",
  },
  "token rm": byId("delete an API token: it stops working at once"),
  "git-credential add": {
    summary: "store a token for a git host, for private repositories (secret asked for, never shown again)",
    usage: `HOST USERNAME [--scope ${gitCredentialScopeValues.join("|")}] [--secret-stdin] [--json]`,
    args: { min: 2, max: 2 },
    options: {
      scope: {
        type: "string",
        value: gitCredentialScopeValues.join("|"),
        help: "yours only (default), or everyone's in the organization; yours is used first",
      },
      "secret-stdin": {
        type: "boolean",
        help: "read the secret from standard input instead of asking for it",
      },
      json,
    },
    details:
      "Workspaces of repositories on HOST clone, fetch and push with it through the control plane, which keeps it encrypted and never puts it in a VM. GitHub takes any USERNAME with a token (e.g. x-access-token).",
  },
  "git-credential ls": listing(
    "list git credentials: host, username, scope, the secret's last four characters",
  ),
  "git-credential rm": byId("delete a git credential: VMs' git stops receiving it at once"),
  "webhook ls": listing("list the organization's webhook endpoints and whether each is enabled"),
  "webhook add": {
    summary: "add a webhook endpoint and print its signing secret (shown this once)",
    usage: "URL [--events T,…] [--description D] [--json]",
    args: { min: 1, max: 1 },
    options: {
      events: { type: "string", value: "T,…", help: "the event types to deliver (default: all of them)" },
      description: { type: "string", value: "D", help: "what it is for" },
      json,
    },
    details:
      "Deliveries are signed as Standard Webhooks says: verify them with the secret (whsec_…). The secret alone goes to standard output, what it is to standard error.",
  },
  "webhook rm": byId("delete a webhook endpoint and its deliveries"),
  "webhook enable": byId("enable a disabled webhook endpoint again (it gets the events from now on)", true),
  "webhook test": byId("send a test delivery to a webhook endpoint now", true),
  "webhook deliveries": {
    summary: "a webhook endpoint's deliveries, newest first: status, attempts, last answer",
    usage: "ID [--status S] [--json]",
    args: { min: 1, max: 1 },
    options: {
      status: {
        type: "string",
        value: "S",
        help: `only these (${webhookDeliveryStatusValues.join(", ")})`,
      },
      json,
    },
  },
  "internal-ssh-bridge": {
    summary: "the SSH bridge to one workspace id, without resume or presence (for tests)",
    usage: "--api URL --workspace ID",
    args: { min: 0, max: 0 },
    options: {
      api: { type: "string", value: "URL", help: "the API (default: CW_URL)" },
      workspace: { type: "string", value: "ID", help: "the workspace's id" },
    },
    hidden: true,
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof commandSpecs;
