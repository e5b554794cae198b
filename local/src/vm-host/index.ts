import { mkdirSync } from "node:fs";
import { isIP } from "node:net";
import { resolve } from "node:path";
import { apiRoutes } from "./api-routes.ts";
import { CallLog, controlRoutes } from "./control-routes.ts";
import { FaultInjector } from "./faults.ts";
import { loadOrCreateHostKey } from "./host-key.ts";
import { startHttpServer } from "./http-server.ts";
import { IdentityStore } from "./identities.ts";
import { startSshServer } from "./ssh-server.ts";
import { readStateFile, writeStateFile } from "./state-file.ts";
import { VmRegistry } from "./vm-registry.ts";

export interface VmHostOptions {
  dataDir: string;
  /** API requests must carry exactly this bearer. Whoever holds it runs commands as this user. */
  apiKey: string;
  /** A loopback address (default 127.0.0.1): the host is single-tenant and never listens beyond. */
  host?: string;
  /** 0 (default) picks a free port. */
  httpPort?: number;
  /** 0 (default) picks a free port. */
  sshPort?: number;
  /** Enables the unauthenticated /__control routes; for tests only. */
  control?: boolean;
  log?: (line: string) => void;
}

export interface VmHost {
  /** Base URL for `new Freestyle({ baseUrl })`. */
  url: string;
  sshHost: string;
  sshPort: number;
  /** Host directory backing the VM's root filesystem. */
  vmDir(vmId: string): string;
  close(): Promise<void>;
}

/** 127.0.0.0/8 and ::1, as literals: the only addresses the VM host listens on. */
export function isLoopback(host: string): boolean {
  return host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
}

/**
 * A local stand-in for Freestyle's VM API and SSH gateway: same v1 REST contract, but VMs are
 * directories under dataDir and their processes are ordinary host processes, run as the user that
 * started the host. Single-tenant by design: it listens on loopback only.
 */
export async function startVmHost(opts: VmHostOptions): Promise<VmHost> {
  const dataDir = resolve(opts.dataDir);
  const host = opts.host ?? "127.0.0.1";
  if (!isLoopback(host))
    throw new Error(
      `vm-host: refusing to listen on ${host}: every VM runs as this user, so only loopback is allowed`,
    );
  if (!opts.apiKey) throw new Error("vm-host: an API key is required");
  const log = opts.log ?? (() => {});
  mkdirSync(resolve(dataDir, "vms"), { recursive: true });

  const initial = readStateFile(dataDir);
  // Both stores write through one function; it is only called after they both exist.
  let ready = false;
  const save = () => {
    if (!ready) return;
    writeStateFile(dataDir, { version: 1, vms: vms.snapshot(), ...identities.snapshot() });
  };
  const vms: VmRegistry = new VmRegistry(
    { dataDir, log, onChange: save, onDeleted: (vmId) => identities.forgetVm(vmId) },
    initial.vms,
  );
  // Revoking access hangs up the SSH connections that logged in with it (the server exists by then).
  let ssh: Awaited<ReturnType<typeof startSshServer>> | undefined;
  const identities: IdentityStore = new IdentityStore(
    initial,
    (vmId) => vms.has(vmId),
    save,
    () => ssh?.endRevoked(),
  );
  ready = true;
  save();

  const faults = new FaultInjector();
  const calls = new CallLog();
  const http = await startHttpServer({
    host,
    port: opts.httpPort ?? 0,
    apiKey: opts.apiKey,
    api: apiRoutes(vms, identities),
    control: opts.control ? { routes: controlRoutes(vms, faults, calls), faults, calls } : undefined,
    log,
  });
  try {
    ssh = await startSshServer({
      host,
      port: opts.sshPort ?? 0,
      hostKey: loadOrCreateHostKey(dataDir),
      vms,
      identities,
      log,
    });
  } catch (e) {
    await http.close();
    await vms.close();
    throw e;
  }
  log(`vm-host: api ${http.url}, ssh ${host}:${ssh.port}, data ${dataDir}`);

  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    sshHost: host,
    sshPort: ssh.port,
    vmDir: (vmId) => vms.vmRoot(vmId),
    close: () => {
      closing ??= (async () => {
        await Promise.all([http.close(), ssh.close()]);
        await vms.close();
        save();
      })();
      return closing;
    },
  };
}
