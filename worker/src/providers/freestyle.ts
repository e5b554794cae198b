import type { WorkspaceStatus } from "@cw/contracts";
import { Freestyle } from "freestyle-sandboxes";
import { z } from "zod";
import { parseVmTag, VM_TAG_PATH, type VmTag } from "../domain/vm-tag.ts";
import { capOutput, messageText } from "../domain/vm-text.ts";
import { cappedBodyFetch, RESPONSE_MAX_BYTES } from "./capped-body-fetch.ts";
import { deadlineFetch } from "./deadline-fetch.ts";
import {
  type CloudProvider,
  type CreateVmParams,
  type ListedVm,
  ProviderError,
  type SshAccess,
  type VmState,
} from "./types.ts";

export interface FreestyleConfig {
  apiKey: string;
  baseUrl?: string;
  sshHost: string;
  sshPort: number;
  /** Deadline of every call but create. */
  timeoutMs: number;
  /** Create clones the repository and boots the VM, so it gets its own, longer deadline. */
  createTimeoutMs: number;
  fetch?: typeof fetch;
}

const WORKDIR = "/workspace";
const EXEC_ROUND_TRIP_MS = 10_000;

/** Freestyle's VM states (GET /v1/vms/{id}) and what they mean for a workspace. */
const stateMap: Record<string, WorkspaceStatus> = {
  starting: "provisioning",
  running: "running",
  suspending: "paused",
  suspended: "paused",
  stopped: "stopped",
};

const vmInfoSchema = z.object({ state: z.string().nullish() });
const listSchema = z.object({
  vms: z.array(z.object({ id: z.string().min(1), createdAt: z.string().nullish() })),
});
const execSchema = z.object({
  stdout: z.string().nullish(),
  stderr: z.string().nullish(),
  statusCode: z.number().int().nullish(),
});

function errorCode(err: unknown): string | undefined {
  const body = (err as { body?: { code?: unknown } })?.body;
  if (typeof body?.code === "string") return body.code;
  const match = /^([A-Z][A-Z0-9_]+): /.exec(err instanceof Error ? err.message : "");
  return match?.[1];
}

/** Every SDK failure becomes a ProviderError whose message a user can act on. */
function toProviderError(err: unknown, what: string, timeoutMs: number): ProviderError {
  if (err instanceof ProviderError) return err;
  const name = (err as { name?: string })?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new ProviderError(`Freestyle did not answer ${what} within ${timeoutMs} ms`, "TIMEOUT");
  }
  const code = errorCode(err) ?? "UNKNOWN";
  if (code === "PERSISTENT_VMS_NOT_ALLOWED") {
    return new ProviderError(
      "This Freestyle account does not allow persistent VMs; a workspace needs one so that its work is never evicted",
      code,
    );
  }
  const text = err instanceof Error ? err.message : String(err);
  const notFound =
    code === "VM_NOT_FOUND" || code === "IDENTITY_NOT_FOUND" || code === "VM_PERMISSION_NOT_FOUND";
  // The message becomes a workspace's statusMessage: one line, capped, whatever the answer held.
  return new ProviderError(messageText(`Freestyle ${what} failed: ${text}`), code, notFound);
}

export class FreestyleProvider implements CloudProvider {
  readonly type = "freestyle" as const;
  readonly workdir = WORKDIR;
  private readonly client: Freestyle;
  private readonly createClient: Freestyle;
  /** Clients whose deadline follows a command's own (a clone or a push runs longer than a call). */
  private readonly execClients = new Map<number, Freestyle>();

  constructor(private readonly config: FreestyleConfig) {
    this.client = this.make(config.timeoutMs);
    this.createClient = this.make(config.createTimeoutMs);
  }

  private make(ms: number) {
    return new Freestyle({
      apiKey: this.config.apiKey,
      baseUrl: this.config.baseUrl,
      fetch: deadlineFetch(ms, cappedBodyFetch(RESPONSE_MAX_BYTES, this.config.fetch)),
    });
  }

  private async call<T>(what: string, fn: () => Promise<T>, timeoutMs = this.config.timeoutMs): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toProviderError(err, what, timeoutMs);
    }
  }

  create(params: CreateVmParams) {
    return this.call(
      "create",
      async () => {
        const { vmId } = await this.createClient.vms.create({
          // No `git.repos`: Freestyle's clone at create cannot use our credential helper, so the
          // repository is cloned by the VM's own git afterwards (domain/vm-git-setup.ts).
          workdir: WORKDIR,
          // The default ("sticky") may be evicted, which would lose uncommitted work.
          persistence: { type: "persistent" },
          // Freestyle's own idle suspend sees only network traffic, so it would suspend a VM under
          // an open but quiet terminal. Our scheduler, which knows about sessions, decides instead.
          idleTimeoutSeconds: null,
          additionalFiles: {
            ...Object.fromEntries(
              Object.entries(params.files).map(([path, f]) => [
                path,
                { content: f.content, ...(f.executable ? { executable: true } : {}) },
              ]),
            ),
            [VM_TAG_PATH]: { content: JSON.stringify(params.tag) },
          },
        });
        return { vmId };
      },
      this.config.createTimeoutMs,
    );
  }

  pause(vmId: string) {
    return this.call("suspend", async () => void (await this.client.vms.ref({ vmId }).suspend()));
  }

  resume(vmId: string) {
    return this.call("start", async () => void (await this.client.vms.ref({ vmId }).start()));
  }

  stop(vmId: string) {
    return this.call("stop", async () => void (await this.client.vms.ref({ vmId }).stop()));
  }

  async delete(vmId: string) {
    try {
      await this.call("delete", () => this.client.vms.delete({ vmId }));
    } catch (err) {
      if (!(err instanceof ProviderError && err.notFound)) throw err;
    }
  }

  status(vmId: string): Promise<VmState> {
    return this.call("status", async () => {
      const info = vmInfoSchema.parse(await this.client.vms.ref({ vmId }).getInfo());
      const raw = info.state ?? "unknown";
      const status = stateMap[raw];
      return status
        ? { status, raw, message: null }
        : { status: "error", raw, message: messageText(`Freestyle reported an unknown VM state "${raw}"`) };
    });
  }

  list(): Promise<ListedVm[]> {
    return this.call("list", async () => {
      const { vms } = listSchema.parse(await this.client.vms.list());
      return vms.map((vm) => {
        const createdAt = vm.createdAt ? new Date(vm.createdAt) : null;
        return { vmId: vm.id, createdAt: createdAt && !Number.isNaN(createdAt.getTime()) ? createdAt : null };
      });
    });
  }

  async readTag(vmId: string): Promise<VmTag | null> {
    try {
      return await this.call("tag read", async () =>
        parseVmTag(await this.client.vms.ref({ vmId }).fs.readTextFile(VM_TAG_PATH)),
      );
    } catch (err) {
      if (err instanceof ProviderError && err.code === "FILE_NOT_FOUND") return null;
      throw err;
    }
  }

  exec(vmId: string, command: string, timeoutMs: number) {
    // The call's own deadline leaves the command its time, plus the round trip.
    const deadline = Math.max(this.config.timeoutMs, timeoutMs + EXEC_ROUND_TRIP_MS);
    const client = this.execClients.get(deadline) ?? this.make(deadline);
    this.execClients.set(deadline, client);
    return this.call(
      "exec",
      async () => {
        const raw = await client.vms.ref({ vmId }).exec({ command, timeoutMs });
        const out = execSchema.parse(raw);
        // The VM decides how much it prints: keep a bounded head and tail of each stream.
        return {
          stdout: capOutput(out.stdout ?? ""),
          stderr: capOutput(out.stderr ?? ""),
          exitCode: out.statusCode ?? null,
        };
      },
      deadline,
    );
  }

  /**
   * Freestyle's way: a fresh identity allowed on this VM only, and a token for it. The permission
   * and the token each need only the identity, so they are asked for together: every `ssh` through
   * `cw` waits for this, and one round trip to Freestyle fewer is one less in each connect. Either
   * failing deletes the identity (with whatever the other made), once both have answered.
   */
  grantSsh(vmId: string): Promise<SshAccess> {
    return this.call("SSH grant", async () => {
      const { identityId, identity } = await this.client.identities.create();
      try {
        const [permission, issued] = await Promise.allSettled([
          identity.permissions.vms.grant({ vmId }),
          identity.tokens.create(),
        ]);
        if (permission.status === "rejected") throw permission.reason;
        if (issued.status === "rejected") throw issued.reason;
        const { tokenId, token } = issued.value;
        return {
          host: this.config.sshHost,
          port: this.config.sshPort,
          username: `${vmId}:${token}`,
          token,
          identityId,
          tokenId,
        };
      } catch (err) {
        await this.client.identities.delete({ identityId }).catch(() => {});
        throw err;
      }
    });
  }

  async revokeSsh(grant: { identityId: string; tokenId: string }) {
    try {
      await this.call("SSH revoke", async () => {
        const identity = this.client.identities.ref({ identityId: grant.identityId });
        await identity.tokens.revoke({ tokenId: grant.tokenId });
        await this.client.identities.delete({ identityId: grant.identityId });
      });
    } catch (err) {
      if (!(err instanceof ProviderError && err.notFound)) throw err;
    }
  }
}
