import { z } from "zod";
import { badRequest } from "./errors.ts";
import { persistenceSchema, vmUserSchema } from "./state-file.ts";

/**
 * Request bodies as the SDK sends them. Plain `z.object` strips unknown keys, which is the point:
 * the real API accepts many fields (ports, systemd, template…) this host has no use for.
 */
const repoSpecSchema = z.object({
  repo: z.string().min(1),
  path: z.string().min(1),
  rev: z.string().nullish(),
});

export const createVmBodySchema = z.object({
  // Absent means Freestyle's default of 300 s; explicit null means never suspend.
  idleTimeoutSeconds: z.number().int().min(0).nullable().optional(),
  workdir: z.string().min(1).nullish(),
  persistence: persistenceSchema.nullish(),
  users: z.array(vmUserSchema).nullish(),
  git: z
    .object({
      repos: z.array(repoSpecSchema).nullish(),
      config: z.unknown().optional(),
    })
    .nullish(),
  /** @deprecated by the API in favour of git.repos, still accepted. */
  gitRepos: z.array(repoSpecSchema).nullish(),
  /** Files written into the VM at create, by absolute path. */
  additionalFiles: z
    .record(
      z.string().min(1),
      z.object({
        content: z.string(),
        encoding: z.string().nullish(),
        executable: z.boolean().nullish(),
      }),
    )
    .nullish(),
});

export const startVmBodySchema = z
  .object({ idleTimeoutSeconds: z.number().int().min(0).nullable().optional() })
  .optional();

export const execBodySchema = z.object({
  command: z.string(),
  terminal: z.string().nullish(),
  timeoutMs: z.number().int().min(0).nullish(),
});

export const vmPermissionBodySchema = z.object({ allowedUsers: z.array(z.string()).nullish() }).optional();

export const stateOverrideBodySchema = z.object({ state: z.string().nullable() });

export function parseBody<S extends z.ZodType>(schema: S, body: unknown, code = "BAD_REQUEST"): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw badRequest(`invalid request body: ${z.prettifyError(parsed.error)}`, code);
  return parsed.data;
}
