import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import type { IPty } from "node-pty";
import { ApiError, badRequest, vmNotFound, vmNotRunning } from "./errors.ts";
import { cloneRepo, GitCloneError } from "./git-clone.ts";
import { newVmId } from "./ids.ts";
import { freezeSessions, liveSessions, terminateSessions, thawSessions } from "./process-tree.ts";
import type { Persistence, StoredVm } from "./state-file.ts";
import {
  type CommandResult,
  collectOutput,
  type PtyOptions,
  spawnCommand,
  spawnPty,
  type VmProcessContext,
} from "./vm-spawn.ts";

export type VmState = "starting" | "running" | "suspending" | "suspended" | "stopped";

export interface RepoSpec {
  repo: string;
  path: string;
  rev?: string | null;
}

export interface CreateVmSpec {
  repos: RepoSpec[];
  workdir: string;
  idleTimeoutSeconds: number | null;
  persistence: Persistence;
  users: StoredVm["users"];
  /** `additionalFiles`: written into the VM after its repositories are cloned. */
  files?: { path: string; content: Buffer; executable: boolean }[];
}

/** Anything that can be hung up on when its VM stops (an SSH connection). */
export interface Closable {
  end(): void;
}

interface Vm {
  id: string;
  state: VmState;
  vmInstanceId: string;
  workdir: string;
  idleTimeoutSeconds: number | null;
  persistence: Persistence;
  users: StoredVm["users"];
  repos: RepoSpec[];
  createdAt: string;
  lastActivity: number;
  /** Session ids (= leader pids) of everything started inside this VM. */
  sessions: Set<number>;
  /** exec-await calls in flight; a VM busy running a command is not idle. */
  inflight: number;
  connections: Set<Closable>;
  /** Test control: reported instead of the real state. */
  stateOverride: string | null;
  /** Serialises lifecycle transitions so e.g. a suspend and an auto-resume cannot interleave. */
  queue: Promise<unknown>;
  idleSuspendPending: boolean;
}

/** The in-memory half of a VM, which never reaches the state file. */
function freshRuntime() {
  return {
    lastActivity: Date.now(),
    sessions: new Set<number>(),
    inflight: 0,
    connections: new Set<Closable>(),
    stateOverride: null,
    queue: Promise.resolve() as Promise<unknown>,
    idleSuspendPending: false,
  };
}

export interface VmRegistryOptions {
  dataDir: string;
  log: (line: string) => void;
  /** Called after every change that must reach the state file. */
  onChange: () => void;
  /** Called once a VM is gone for good, so grants on it can be dropped. */
  onDeleted: (vmId: string) => void;
  idleCheckIntervalMs?: number;
}

const DEFAULT_IDLE_CHECK_MS = 1000;
const STOP_GRACE_MS = 1000;
const CHANNEL_CLOSE_GRACE_MS = 300;

function randomInstanceId(): string {
  return randomBytes(10).toString("hex");
}

export class VmRegistry {
  private readonly vms = new Map<string, Vm>();
  private readonly idleTimer: NodeJS.Timeout;

  constructor(
    private readonly opts: VmRegistryOptions,
    stored: StoredVm[],
  ) {
    for (const s of stored) {
      // Processes do not survive a host restart, so a suspended VM has nothing left to freeze.
      const state: VmState = s.state === "stopped" ? "stopped" : "running";
      this.vms.set(s.id, {
        ...s,
        state,
        vmInstanceId: state === "stopped" ? s.vmInstanceId : randomInstanceId(),
        ...freshRuntime(),
      });
    }
    this.idleTimer = setInterval(
      () => this.suspendIdleVms(),
      opts.idleCheckIntervalMs ?? DEFAULT_IDLE_CHECK_MS,
    );
    // A dev tool's housekeeping must not keep the process (or a test runner) alive.
    this.idleTimer.unref();
  }

  vmRoot(vmId: string): string {
    return join(this.opts.dataDir, "vms", vmId);
  }

  /** VM absolute paths live under the VM's root dir; normalising first stops `..` from escaping it. */
  hostPath(vmId: string, vmPath: string): string {
    if (!vmPath.startsWith("/")) throw badRequest(`path must be absolute: ${vmPath}`);
    return join(this.vmRoot(vmId), posix.normalize(vmPath));
  }

  has(vmId: string): boolean {
    return this.vms.has(vmId);
  }

  private require(vmId: string): Vm {
    const vm = this.vms.get(vmId);
    if (!vm) throw vmNotFound(vmId);
    return vm;
  }

  private serialize<T>(vm: Vm, fn: () => Promise<T>): Promise<T> {
    const run = vm.queue.then(fn);
    vm.queue = run.catch(() => undefined);
    return run;
  }

  snapshot(): StoredVm[] {
    const out: StoredVm[] = [];
    for (const vm of this.vms.values()) {
      // A VM still cloning has not been acknowledged to the caller; a restart should forget it.
      if (vm.state === "starting") continue;
      out.push({
        id: vm.id,
        state: vm.state === "stopped" ? "stopped" : vm.state === "running" ? "running" : "suspended",
        vmInstanceId: vm.vmInstanceId,
        workdir: vm.workdir,
        idleTimeoutSeconds: vm.idleTimeoutSeconds,
        persistence: vm.persistence,
        users: vm.users,
        repos: vm.repos,
        createdAt: vm.createdAt,
        lastActivityAt: new Date(vm.lastActivity).toISOString(),
      });
    }
    return out;
  }

  async create(spec: CreateVmSpec): Promise<{ id: string }> {
    let id = newVmId();
    while (this.vms.has(id)) id = newVmId();
    const vm: Vm = {
      id,
      state: "starting",
      vmInstanceId: randomInstanceId(),
      workdir: spec.workdir,
      idleTimeoutSeconds: spec.idleTimeoutSeconds,
      persistence: spec.persistence,
      users: spec.users,
      repos: spec.repos,
      createdAt: new Date().toISOString(),
      ...freshRuntime(),
    };
    this.vms.set(id, vm);
    return this.serialize(vm, async () => {
      try {
        await mkdir(this.vmRoot(id), { recursive: true });
        for (const r of spec.repos) {
          const dest = this.hostPath(id, r.path);
          try {
            await cloneRepo(r.repo, dest, r.rev);
          } catch (e) {
            if (!(e instanceof GitCloneError)) throw e;
            const at = r.rev ? ` at rev '${r.rev}'` : "";
            throw new ApiError(
              400,
              "INVALID_GIT_REPO_SPEC_ERROR",
              `failed to clone ${r.repo}${at} into ${r.path}: ${e.message}`,
            );
          }
        }
        for (const f of spec.files ?? []) {
          const dest = this.hostPath(id, f.path);
          await mkdir(dirname(dest), { recursive: true });
          await writeFile(dest, f.content);
          if (f.executable) await chmod(dest, 0o755);
        }
        await mkdir(this.hostPath(id, spec.workdir), { recursive: true });
      } catch (e) {
        this.vms.delete(id);
        await rm(this.vmRoot(id), { recursive: true, force: true });
        throw e;
      }
      vm.state = "running";
      vm.lastActivity = Date.now();
      this.opts.onChange();
      this.opts.log(`vm ${id} created (${spec.repos.length} repo(s), workdir ${spec.workdir})`);
      return { id };
    });
  }

  private reportedState(vm: Vm): string {
    return vm.stateOverride ?? vm.state;
  }

  info(vmId: string) {
    const vm = this.require(vmId);
    return {
      id: vm.id,
      vmInstanceId: vm.vmInstanceId,
      state: this.reportedState(vm),
      lastNetworkActivity: new Date(vm.lastActivity).toISOString(),
      cpuTimeSeconds: null,
    };
  }

  list() {
    const vms = [...this.vms.values()].map((vm) => ({
      id: vm.id,
      vmInstanceId: vm.vmInstanceId,
      state: this.reportedState(vm),
      createdAt: vm.createdAt,
      lastNetworkActivity: new Date(vm.lastActivity).toISOString(),
      cpuTimeSeconds: null,
      persistence: vm.persistence,
      deleted: false,
    }));
    const count = (s: string) => vms.filter((v) => v.state === s).length;
    return {
      vms,
      totalCount: vms.length,
      runningCount: count("running"),
      startingCount: count("starting"),
      suspendedCount: count("suspended"),
      stoppedCount: count("stopped"),
    };
  }

  /** `GET /v1/vms/{id}/files/{path}`: a file's content (text, or base64 when it is not UTF-8) or a folder's entries. */
  async readFile(vmId: string, vmPath: string) {
    this.require(vmId);
    const path = this.hostPath(vmId, vmPath);
    const info = await stat(path).catch(() => null);
    if (!info) throw new ApiError(404, "FILE_NOT_FOUND", `File not found: ${vmPath}`);
    if (info.isDirectory()) {
      const entries = await readdir(path, { withFileTypes: true });
      return {
        files: entries.map((e) => ({ name: e.name, kind: e.isDirectory() ? "directory" : "file" })),
      };
    }
    const bytes = await readFile(path);
    const text = bytes.toString("utf8");
    return Buffer.from(text, "utf8").equals(bytes)
      ? { content: text, encoding: "utf8" }
      : { content: bytes.toString("base64"), encoding: "base64" };
  }

  setStateOverride(vmId: string, state: string | null): void {
    this.require(vmId).stateOverride = state;
  }

  async suspend(vmId: string) {
    const vm = this.require(vmId);
    return this.serialize(vm, async () => {
      if (vm.state === "stopped" || vm.state === "starting") throw vmNotRunning(vmId);
      if (vm.state !== "suspended") {
        vm.state = "suspending";
        vm.sessions = await liveSessions(vm.sessions);
        await freezeSessions(vm.sessions);
        vm.state = "suspended";
        this.opts.onChange();
        this.opts.log(`vm ${vmId} suspended`);
      }
      return { id: vm.id, vmInstanceId: vm.vmInstanceId, snapshotLayerId: `sl-${randomInstanceId()}` };
    });
  }

  async start(vmId: string, idleTimeoutSeconds?: number | null) {
    const vm = this.require(vmId);
    return this.serialize(vm, async () => {
      if (idleTimeoutSeconds !== undefined) vm.idleTimeoutSeconds = idleTimeoutSeconds;
      await this.bringUp(vm);
      this.opts.onChange();
      return { id: vm.id, domains: [] as string[] };
    });
  }

  /** Must run inside `serialize`. */
  private async bringUp(vm: Vm): Promise<void> {
    if (vm.state === "suspended" || vm.state === "suspending") {
      await thawSessions(vm.sessions);
      this.opts.log(`vm ${vm.id} resumed`);
    } else if (vm.state === "stopped") {
      // A stopped VM boots fresh, which Freestyle reports as a new instance.
      vm.vmInstanceId = randomInstanceId();
      this.opts.log(`vm ${vm.id} started`);
    }
    vm.state = "running";
    vm.lastActivity = Date.now();
  }

  /**
   * Freestyle resumes a suspended VM on exec or SSH login; a stopped one must be started
   * explicitly.
   */
  async ensureRunning(vmId: string): Promise<void> {
    const vm = this.require(vmId);
    await this.serialize(vm, async () => {
      if (vm.state === "stopped" || vm.state === "starting") throw vmNotRunning(vmId);
      if (vm.state !== "running") {
        await this.bringUp(vm);
        this.opts.onChange();
      }
    });
  }

  private async shutDown(vm: Vm, graceMs: number): Promise<void> {
    for (const c of vm.connections) c.end();
    vm.connections.clear();
    await terminateSessions(vm.sessions, graceMs);
    vm.sessions.clear();
  }

  async stop(vmId: string, graceMs = STOP_GRACE_MS) {
    const vm = this.require(vmId);
    return this.serialize(vm, async () => {
      if (vm.state === "starting") throw vmNotRunning(vmId);
      await this.shutDown(vm, graceMs);
      if (vm.state !== "stopped") this.opts.log(`vm ${vmId} stopped`);
      vm.state = "stopped";
      this.opts.onChange();
      return { vmId: vm.id, vmInstanceId: vm.vmInstanceId };
    });
  }

  async delete(vmId: string) {
    const vm = this.require(vmId);
    return this.serialize(vm, async () => {
      await this.shutDown(vm, 0);
      await rm(this.vmRoot(vmId), { recursive: true, force: true });
      this.vms.delete(vmId);
      this.opts.onDeleted(vmId);
      this.opts.onChange();
      this.opts.log(`vm ${vmId} deleted`);
      return { id: vmId };
    });
  }

  /** Records activity; traffic reaching a suspended VM wakes it, as on Freestyle. */
  touch(vmId: string): void {
    const vm = this.vms.get(vmId);
    if (!vm) return;
    vm.lastActivity = Date.now();
    if (vm.state === "suspended") {
      this.ensureRunning(vmId).catch((e) => this.opts.log(`vm ${vmId}: resume on activity failed: ${e}`));
    }
  }

  /** Where a process of `linuxUser` runs: the workdir, with HOME at `/root` or `/home/<user>` as on Freestyle. */
  processContext(vmId: string, linuxUser: string, env?: Record<string, string>): VmProcessContext {
    const vm = this.require(vmId);
    const home = this.hostPath(vmId, linuxUser === "root" ? "/root" : `/home/${linuxUser}`);
    return { cwd: this.hostPath(vmId, vm.workdir), home, linuxUser, env };
  }

  private track(vmId: string, pid: number | undefined): void {
    if (pid !== undefined) this.vms.get(vmId)?.sessions.add(pid);
  }

  spawnCommand(vmId: string, ctx: VmProcessContext, command: string, withStdin: boolean): ChildProcess {
    const child = spawnCommand(ctx, command, withStdin);
    this.track(vmId, child.pid);
    return child;
  }

  spawnPty(vmId: string, ctx: VmProcessContext, args: string[], pty: PtyOptions): IPty {
    const p = spawnPty(ctx, args, pty);
    this.track(vmId, p.pid);
    return p;
  }

  /** Ends one session (an SSH channel closed) without touching the rest of the VM. */
  async endSession(vmId: string, pid: number): Promise<void> {
    await terminateSessions(new Set([pid]), CHANNEL_CLOSE_GRACE_MS);
    this.vms.get(vmId)?.sessions.delete(pid);
  }

  async exec(vmId: string, command: string, timeoutMs: number | null | undefined): Promise<CommandResult> {
    await this.ensureRunning(vmId);
    const vm = this.require(vmId);
    vm.inflight++;
    vm.lastActivity = Date.now();
    try {
      const child = this.spawnCommand(vmId, this.processContext(vmId, "root"), command, false);
      const pid = child.pid;
      return await collectOutput(
        child,
        () => {
          if (pid !== undefined) void terminateSessions(new Set([pid]), 0);
        },
        timeoutMs,
      );
    } finally {
      vm.inflight--;
      vm.lastActivity = Date.now();
    }
  }

  addConnection(vmId: string, conn: Closable): void {
    this.vms.get(vmId)?.connections.add(conn);
  }

  removeConnection(vmId: string, conn: Closable): void {
    this.vms.get(vmId)?.connections.delete(conn);
  }

  isStopped(vmId: string): boolean {
    const vm = this.vms.get(vmId);
    return vm === undefined || vm.state === "stopped" || vm.state === "starting";
  }

  private suspendIdleVms(): void {
    const now = Date.now();
    for (const vm of this.vms.values()) {
      if (vm.state !== "running" || vm.idleTimeoutSeconds === null || vm.inflight > 0) continue;
      if (vm.idleSuspendPending || now - vm.lastActivity < vm.idleTimeoutSeconds * 1000) continue;
      vm.idleSuspendPending = true;
      this.opts.log(`vm ${vm.id} idle for ${vm.idleTimeoutSeconds}s, suspending`);
      this.suspend(vm.id)
        .catch((e) => this.opts.log(`vm ${vm.id}: idle suspend failed: ${e}`))
        .finally(() => {
          vm.idleSuspendPending = false;
        });
    }
  }

  /** Processes do not outlive the host; VM records do (see state-file). */
  async close(): Promise<void> {
    clearInterval(this.idleTimer);
    await Promise.all([...this.vms.values()].map((vm) => this.shutDown(vm, 0)));
  }
}
