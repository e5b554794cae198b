import { identityNotFound, permissionNotFound, vmNotFound } from "./errors.ts";
import { newAccessToken, newUuid } from "./ids.ts";
import type { StoredIdentity, StoredPermission, StoredToken } from "./state-file.ts";

export interface IdentitySnapshot {
  identities: StoredIdentity[];
  permissions: StoredPermission[];
  tokens: StoredToken[];
}

/** Who the API key belongs to; Freestyle reports the granting account in `grantedBy`. */
const GRANTED_BY = "local-vm-host";

export interface Page<T> {
  items: T[];
  offset: number;
  total: number;
}

function page<T>(all: T[], offset: number, limit: number | undefined): Page<T> {
  const end = limit === undefined ? undefined : offset + limit;
  return { items: all.slice(offset, end), offset, total: all.length };
}

/** Permission record exactly as the API returns it. */
function permissionView(p: StoredPermission) {
  return {
    id: p.id,
    vmId: p.vmId,
    identityId: p.identityId,
    allowedUsers: p.allowedUsers,
    grantedAt: p.grantedAt,
    grantedBy: p.grantedBy,
  };
}
export type PermissionView = ReturnType<typeof permissionView>;

export class IdentityStore {
  private readonly identities = new Map<string, StoredIdentity>();
  /** key `${identityId}/${vmId}` */
  private readonly permissions = new Map<string, StoredPermission>();
  private readonly tokens = new Map<string, StoredToken>();

  constructor(
    initial: IdentitySnapshot,
    private readonly vmExists: (vmId: string) => boolean,
    private readonly onChange: () => void,
    /** After any change that may take access away (the SSH server hangs up on such logins). */
    private readonly onAccessReduced: () => void = () => {},
  ) {
    for (const i of initial.identities) this.identities.set(i.id, i);
    for (const p of initial.permissions) this.permissions.set(`${p.identityId}/${p.vmId}`, p);
    for (const t of initial.tokens) this.tokens.set(t.id, t);
  }

  snapshot(): IdentitySnapshot {
    return {
      identities: [...this.identities.values()],
      permissions: [...this.permissions.values()],
      tokens: [...this.tokens.values()],
    };
  }

  private requireIdentity(identityId: string): StoredIdentity {
    const identity = this.identities.get(identityId);
    if (!identity) throw identityNotFound(identityId);
    return identity;
  }

  create(): { id: string; managed: boolean } {
    const identity: StoredIdentity = { id: newUuid(), managed: false, createdAt: new Date().toISOString() };
    this.identities.set(identity.id, identity);
    this.onChange();
    return { id: identity.id, managed: identity.managed };
  }

  list(offset: number, limit: number | undefined): Page<{ id: string; managed: boolean }> {
    const all = [...this.identities.values()].map((i) => ({ id: i.id, managed: i.managed }));
    return page(all, offset, limit);
  }

  /** Deleting an identity revokes everything it was given. */
  delete(identityId: string): void {
    this.requireIdentity(identityId);
    this.identities.delete(identityId);
    for (const [key, p] of this.permissions) if (p.identityId === identityId) this.permissions.delete(key);
    for (const [id, t] of this.tokens) if (t.identityId === identityId) this.tokens.delete(id);
    this.onChange();
    this.onAccessReduced();
  }

  /**
   * POST on an existing grant replaces it instead of failing with PERMISSION_ALREADY_EXISTS:
   * callers retry grants after partial failures and the outcome they want is the same.
   */
  grantVm(identityId: string, vmId: string, allowedUsers: string[] | null): PermissionView {
    this.requireIdentity(identityId);
    if (!this.vmExists(vmId)) throw vmNotFound(vmId);
    const key = `${identityId}/${vmId}`;
    const existing = this.permissions.get(key);
    const record: StoredPermission = {
      id: existing?.id ?? newUuid(),
      vmId,
      identityId,
      allowedUsers,
      grantedAt: new Date().toISOString(),
      grantedBy: GRANTED_BY,
    };
    this.permissions.set(key, record);
    this.onChange();
    return permissionView(record);
  }

  private requirePermission(identityId: string, vmId: string): StoredPermission {
    this.requireIdentity(identityId);
    const p = this.permissions.get(`${identityId}/${vmId}`);
    if (!p) throw permissionNotFound(identityId, vmId);
    return p;
  }

  updateVm(identityId: string, vmId: string, allowedUsers: string[] | null): PermissionView {
    const p = this.requirePermission(identityId, vmId);
    p.allowedUsers = allowedUsers;
    this.onChange();
    this.onAccessReduced();
    return permissionView(p);
  }

  getVm(identityId: string, vmId: string): PermissionView {
    return permissionView(this.requirePermission(identityId, vmId));
  }

  revokeVm(identityId: string, vmId: string): void {
    this.requirePermission(identityId, vmId);
    this.permissions.delete(`${identityId}/${vmId}`);
    this.onChange();
    this.onAccessReduced();
  }

  listVm(identityId: string, offset: number, limit: number | undefined): Page<PermissionView> {
    this.requireIdentity(identityId);
    const all = [...this.permissions.values()].filter((p) => p.identityId === identityId).map(permissionView);
    return page(all, offset, limit);
  }

  /** A deleted VM takes its grants with it, so a recycled id can never inherit access. */
  forgetVm(vmId: string): void {
    let changed = false;
    for (const [key, p] of this.permissions) {
      if (p.vmId === vmId) {
        this.permissions.delete(key);
        changed = true;
      }
    }
    if (changed) {
      this.onChange();
      this.onAccessReduced();
    }
  }

  createToken(identityId: string): { id: string; token: string } {
    this.requireIdentity(identityId);
    const record: StoredToken = {
      id: newUuid(),
      identityId,
      token: newAccessToken(),
      createdAt: new Date().toISOString(),
    };
    this.tokens.set(record.id, record);
    this.onChange();
    return { id: record.id, token: record.token };
  }

  listTokens(identityId: string): { id: string }[] {
    this.requireIdentity(identityId);
    return [...this.tokens.values()].filter((t) => t.identityId === identityId).map((t) => ({ id: t.id }));
  }

  /** Revoking an unknown token is a no-op success, like deleting something already gone. */
  revokeToken(identityId: string, tokenId: string): void {
    this.requireIdentity(identityId);
    const t = this.tokens.get(tokenId);
    if (t && t.identityId === identityId) {
      this.tokens.delete(tokenId);
      this.onChange();
      this.onAccessReduced();
    }
  }

  /**
   * The SSH gateway's decision: a live token whose identity holds a grant on the VM that allows
   * this linux user (no allowedUsers list means any user).
   */
  mayAccessVm(token: string, vmId: string, linuxUser: string | null): boolean {
    const record = [...this.tokens.values()].find((t) => t.token === token);
    if (!record || !this.identities.has(record.identityId)) return false;
    const p = this.permissions.get(`${record.identityId}/${vmId}`);
    if (!p) return false;
    if (p.allowedUsers == null) return true;
    return p.allowedUsers.includes(linuxUser ?? "root");
  }
}
