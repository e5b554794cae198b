import type { AuthContext } from "ssh2";
import type { IdentityStore } from "./identities.ts";
import { VM_ID_PATTERN } from "./ids.ts";
import type { VmRegistry } from "./vm-registry.ts";

/** Who an SSH connection logged in as: a VM, the linux user asked for (if any), and the token. */
export interface Login {
  vmId: string;
  linuxUser: string | null;
  token: string | null;
}

/**
 * Freestyle's gateway usernames: `<vmId>:<token>` or `<vmId>+<linuxUser>:<token>`; without the
 * `:<token>` part the token is expected as the password.
 */
export function parseSshUsername(username: string): Login | null {
  const colon = username.indexOf(":");
  const who = colon === -1 ? username : username.slice(0, colon);
  const token = colon === -1 ? null : username.slice(colon + 1) || null;
  const plus = who.indexOf("+");
  const vmId = plus === -1 ? who : who.slice(0, plus);
  const linuxUser = plus === -1 ? null : who.slice(plus + 1) || null;
  if (!VM_ID_PATTERN.test(vmId)) return null;
  return { vmId, linuxUser, token };
}

export interface SshAuthDeps {
  vms: VmRegistry;
  identities: IdentityStore;
  log: (line: string) => void;
}

/** The login and token an auth attempt offers, or null when the client must try `password` next. */
function offered(ctx: AuthContext): { login: Login; token: string } | null {
  if (ctx.method !== "none" && ctx.method !== "password") return null;
  const login = parseSshUsername(ctx.username);
  // No token in the username: the client must send it as a password (what `ssh` then prompts for).
  const token = login?.token ?? (ctx.method === "password" ? ctx.password : null);
  return login && token ? { login, token } : null;
}

async function authorize(deps: SshAuthDeps, login: Login, token: string): Promise<boolean> {
  const { vms, identities } = deps;
  if (!vms.has(login.vmId) || vms.isStopped(login.vmId)) return false;
  if (!identities.mayAccessVm(token, login.vmId, login.linuxUser)) return false;
  // SSH to a suspended VM wakes it, as on Freestyle.
  await vms.ensureRunning(login.vmId);
  return true;
}

/**
 * Answers one auth attempt as Freestyle's gateway does: method `none` with the token in the
 * username, or `password` carrying it. Calls `onAccepted` (with the token it was given) before accepting.
 */
export function authenticate(
  deps: SshAuthDeps,
  ctx: AuthContext,
  onAccepted: (login: Login, token: string) => void,
): void {
  const offer = offered(ctx);
  if (!offer) {
    ctx.reject(ctx.method === "none" || ctx.method === "password" ? ["password"] : ["none", "password"]);
    return;
  }
  const { login, token } = offer;
  authorize(deps, login, token)
    .then((ok) => {
      if (!ok) {
        deps.log(`ssh: refused ${ctx.method} login to vm ${login.vmId}`);
        ctx.reject(["password"]);
        return;
      }
      onAccepted(login, token);
      ctx.accept();
    })
    .catch((e) => {
      deps.log(`ssh: login to vm ${login.vmId} failed: ${e}`);
      ctx.reject(["password"]);
    });
}
