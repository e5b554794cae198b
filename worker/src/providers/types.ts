import type { ProviderType, WorkspaceStatus } from "@cw/contracts";
import type { VmTag } from "../domain/vm-tag.ts";

/** A file written into a VM at create, by absolute VM path. */
export interface VmFile {
  content: string;
  executable: boolean;
}

/**
 * A new VM: empty but for `files` (its repository is cloned in it afterwards, by its own git with
 * the credential helper: domain/vm-git-setup.ts), with `workdir` as the commands' directory.
 */
export interface CreateVmParams {
  workspaceName: string;
  /** Which workspace of which deployment the VM belongs to, readable back with `readTag`. */
  tag: VmTag;
  files: Record<string, VmFile>;
}

/** A VM as the provider's list reports it. */
export interface ListedVm {
  vmId: string;
  createdAt: Date | null;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

export interface VmState {
  status: WorkspaceStatus;
  /** The provider's own word for the state, kept for messages and drift reports. */
  raw: string;
  message: string | null;
}

/** Access to a VM's SSH gateway, and the provider-side handles needed to revoke it later. */
export interface SshAccess {
  host: string;
  port: number;
  username: string;
  token: string;
  identityId: string;
  tokenId: string;
}

export interface CloudProvider {
  readonly type: ProviderType;
  /** The directory inside the VM that holds the repository checkout. */
  readonly workdir: string;
  create(params: CreateVmParams): Promise<{ vmId: string }>;
  pause(vmId: string): Promise<void>;
  resume(vmId: string): Promise<void>;
  stop(vmId: string): Promise<void>;
  /** Succeeds when the VM is already gone. */
  delete(vmId: string): Promise<void>;
  status(vmId: string): Promise<VmState>;
  /**
   * Runs a shell command in the VM's workdir and waits for it, at most `timeoutMs` (then
   * `exitCode` is null). A suspended VM is woken by it. Each stream comes back capped
   * (domain/vm-text.ts `capOutput`): its beginning and its end.
   */
  exec(vmId: string, command: string, timeoutMs: number): Promise<ExecResult>;
  /** Every VM of the account, this deployment's or not. */
  list(): Promise<ListedVm[]>;
  /** The tag written at create, or null when the VM has none (or it no longer parses). */
  readTag(vmId: string): Promise<VmTag | null>;
  grantSsh(vmId: string): Promise<SshAccess>;
  /** Succeeds when the grant is already gone. */
  revokeSsh(grant: { identityId: string; tokenId: string }): Promise<void>;
}

/** A provider call that failed; `message` is fit to show a user as the workspace's statusMessage. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly notFound = false,
  ) {
    super(message);
  }
}
