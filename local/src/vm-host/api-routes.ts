import type { IdentityStore } from "./identities.ts";
import { paging, type Route, route } from "./router.ts";
import {
  createVmBodySchema,
  execBodySchema,
  parseBody,
  startVmBodySchema,
  vmPermissionBodySchema,
} from "./schemas.ts";
import type { VmRegistry } from "./vm-registry.ts";

const DEFAULT_IDLE_TIMEOUT_SECONDS = 300;
const DEFAULT_WORKDIR = "/root";

/** Routes are looked up in order; all paths and bodies follow Freestyle's v1 API. */
export function apiRoutes(vms: VmRegistry, identities: IdentityStore): Route[] {
  const vmPermissionPath = "/identity/v1/identities/:identity/permissions/vm/:vmId";
  return [
    route("POST", "/v1/vms", async ({ body }) => {
      const b = parseBody(createVmBodySchema, body ?? {}, "CREATE_VM_BAD_REQUEST");
      const { id } = await vms.create({
        repos: [...(b.git?.repos ?? []), ...(b.gitRepos ?? [])],
        workdir: b.workdir ?? DEFAULT_WORKDIR,
        idleTimeoutSeconds:
          b.idleTimeoutSeconds === undefined ? DEFAULT_IDLE_TIMEOUT_SECONDS : b.idleTimeoutSeconds,
        persistence: b.persistence ?? { type: "sticky", priority: 5 },
        users: b.users ?? [],
        files: Object.entries(b.additionalFiles ?? {}).map(([path, f]) => ({
          path,
          content: Buffer.from(f.content, f.encoding === "base64" ? "base64" : "utf8"),
          executable: f.executable ?? false,
        })),
      });
      // The SDK calls `domains.filter`, so the array must always be present.
      return { id, domains: [], consoleUrl: null };
    }),
    route("GET", "/v1/vms", () => vms.list()),
    route("GET", "/v1/vms/:id", ({ params: [id] }) => vms.info(id!)),
    route("DELETE", "/v1/vms/:id", ({ params: [id] }) => vms.delete(id!)),
    route("POST", "/v1/vms/:id/suspend", ({ params: [id] }) => vms.suspend(id!)),
    route("POST", "/v1/vms/:id/start", ({ params: [id], body }) => {
      const b = parseBody(startVmBodySchema, body);
      return vms.start(id!, b?.idleTimeoutSeconds);
    }),
    route("POST", "/v1/vms/:id/stop", ({ params: [id] }) => vms.stop(id!)),
    route("POST", "/v1/vms/:id/kill", async ({ params: [id] }) => {
      await vms.stop(id!, 0);
      return { id };
    }),
    route("GET", "/v1/vms/:id/files/:path", ({ params: [id, path] }) => vms.readFile(id!, path!)),
    route("POST", "/v1/vms/:id/exec-await", async ({ params: [id], body }) => {
      const b = parseBody(execBodySchema, body);
      return vms.exec(id!, b.command, b.timeoutMs);
    }),

    route("POST", "/identity/v1/identities", () => identities.create()),
    route("GET", "/identity/v1/identities", ({ query }) => {
      const { offset, limit } = paging(query);
      const p = identities.list(offset, limit);
      return { identities: p.items, offset: p.offset, total: p.total };
    }),
    route("DELETE", "/identity/v1/identities/:identity", ({ params: [identity] }) => {
      identities.delete(identity!);
      return {};
    }),
    route("GET", "/identity/v1/identities/:identity/permissions/vm", ({ params: [identity], query }) => {
      const { offset, limit } = paging(query);
      const p = identities.listVm(identity!, offset, limit);
      return { permissions: p.items, offset: p.offset, total: p.total };
    }),
    route("POST", vmPermissionPath, ({ params: [identity, vmId], body }) => {
      const b = parseBody(vmPermissionBodySchema, body);
      return identities.grantVm(identity!, vmId!, b?.allowedUsers ?? null);
    }),
    route("PUT", vmPermissionPath, ({ params: [identity, vmId], body }) => {
      const b = parseBody(vmPermissionBodySchema, body);
      return identities.updateVm(identity!, vmId!, b?.allowedUsers ?? null);
    }),
    route("GET", vmPermissionPath, ({ params: [identity, vmId] }) => identities.getVm(identity!, vmId!)),
    route("DELETE", vmPermissionPath, ({ params: [identity, vmId] }) => {
      identities.revokeVm(identity!, vmId!);
      return {};
    }),
    route("POST", "/identity/v1/identities/:identity/tokens", ({ params: [identity] }) =>
      identities.createToken(identity!),
    ),
    route("GET", "/identity/v1/identities/:identity/tokens", ({ params: [identity] }) => ({
      tokens: identities.listTokens(identity!),
    })),
    route("DELETE", "/identity/v1/identities/:identity/tokens/:token", ({ params: [identity, token] }) => {
      identities.revokeToken(identity!, token!);
      return {};
    }),
  ];
}
