import { z } from "zod";
import { parseKeyRing } from "./domain/secret-box.ts";

/**
 * Everything the worker reads from its environment, validated once per request or event.
 * `.dev.vars.example` documents each variable.
 */
const flag = z
  .enum(["true", "false"])
  .default("false")
  .transform((v) => v === "true");
const limit = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
/** Where VMs reach this worker: https, except on this machine (the local stack, tests). */
const publicUrl = z
  .url()
  .refine((u) => {
    const url = new URL(u);
    return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.test(url.hostname));
  })
  .transform((u) => u.replace(/\/+$/, ""));

const keyRing = z.string().transform((text, ctx) => {
  const parsed = parseKeyRing(text);
  if (parsed.ok) return parsed.ring;
  ctx.addIssue({ code: "custom", message: parsed.message });
  return z.NEVER;
});

/**
 * Each cron job's time budget: past it, the job starts no more work. What it started still runs
 * to its end, which each provider call's own deadline bounds: hence budget + PROVIDER_TIMEOUT_MS
 * must stay within TICK_LIMIT_MS, so that a tick is over before the next one starts.
 */
export const CRON_BUDGET_VARIABLES = [
  "CRON_BUDGET_GRANTS_SECONDS",
  "CRON_BUDGET_JANITOR_SECONDS",
  "CRON_BUDGET_RECONCILE_SECONDS",
  "CRON_BUDGET_IDLE_STOP_SECONDS",
  "CRON_BUDGET_GIT_POLL_SECONDS",
] as const;
export type CronBudgetVariable = (typeof CRON_BUDGET_VARIABLES)[number];
const TICK_LIMIT_MS = 55_000;
const budgetSeconds = (fallback: number) => z.coerce.number().int().min(1).max(50).default(fallback);

const configSchema = z.object({
  DATABASE_URL: z.string().min(1),
  DATABASE_WS_PROXY: z.string().min(1).optional(),
  // This worker's own public URL: a workspace's VM asks it for git credentials there.
  PUBLIC_URL: publicUrl,
  // AES-256-GCM keys for git credentials at rest, `id:base64key[,…]`; the first one encrypts.
  GIT_CREDENTIAL_KEYS: keyRing,
  FREESTYLE_API_KEY: z.string().min(1),
  FREESTYLE_API_URL: z.url().optional(),
  FREESTYLE_SSH_HOST: z.string().min(1).default("vm-ssh.freestyle.sh"),
  FREESTYLE_SSH_PORT: z.coerce.number().int().min(1).max(65535).default(22),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  PROVIDER_CREATE_TIMEOUT_MS: z.coerce.number().int().positive().default(180_000),
  SSH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(900),
  PROVISIONING_DEADLINE_MINUTES: z.coerce.number().int().positive().default(10),
  // Sync (`GET /v1/shape`): Electric's shape endpoint, else the built-in source from Postgres.
  ELECTRIC_URL: z.url().optional(),
  ELECTRIC_SOURCE_ID: z.string().min(1).optional(),
  ELECTRIC_SOURCE_SECRET: z.string().min(1).optional(),
  SHAPE_LONG_POLL_MS: z.coerce.number().int().min(100).max(30_000).default(20_000),
  // How soon an organization's hub finds a change no writer told it about (its safety poll, one per
  // organization while anyone waits: live sync, event streams, waitFor).
  SHAPE_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(5_000),
  // Events (the audit log) older than this are deleted by the cron.
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  // An "auto-stop coming" event is recorded this many minutes before idle auto-stop acts (0 = never).
  AUTO_STOP_WARNING_MINUTES: z.coerce.number().int().min(0).max(60).default(5),
  PRESENCE_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
  // A presence WebSocket is closed after this long (the client reconnects, authenticating again).
  PRESENCE_SOCKET_MAX_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .default(12 * 3600),
  // Repository URLs: file://, http://, git:// and loopback or private hosts only when this is true.
  ALLOW_LOCAL_REPOSITORIES: flag,
  // DNS-over-HTTPS (JSON) resolver that repository hosts are checked through: Workers have no DNS API.
  DNS_RESOLVER_URL: z.url().default("https://cloudflare-dns.com/dns-query"),
  // The longest an API token may live, in days; unset = no maximum.
  TOKEN_MAX_LIFETIME_DAYS: z.coerce.number().int().min(1).optional(),
  MAX_WORKSPACES_PER_ORGANIZATION: limit(100),
  MAX_TOKENS_PER_ORGANIZATION: limit(100),
  MAX_SSH_GRANTS_PER_ORGANIZATION: limit(100),
  MAX_SESSIONS_PER_WORKSPACE: limit(20),
  MAX_HOLDS_PER_WORKSPACE: limit(20),
  MAX_GIT_CREDENTIALS_PER_ORGANIZATION: limit(100),
  // Webhook endpoints per organization, and how long a delivery waits for the receiver's answer.
  MAX_WEBHOOKS_PER_ORGANIZATION: limit(20),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // A VM tagged with this deployment's workspace that is gone or in error is deleted after this.
  ORPHAN_VM_GRACE_MINUTES: z.coerce.number().int().min(1).default(30),
  CRON_BUDGET_GRANTS_SECONDS: budgetSeconds(20),
  CRON_BUDGET_JANITOR_SECONDS: budgetSeconds(15),
  CRON_BUDGET_RECONCILE_SECONDS: budgetSeconds(20),
  CRON_BUDGET_IDLE_STOP_SECONDS: budgetSeconds(25),
  CRON_BUDGET_GIT_POLL_SECONDS: budgetSeconds(20),
  // Provider calls the tick has in flight at once: Cloudflare allows an invocation six connections
  // waiting for a response; the default leaves one for the database's and Durable Objects' own.
  // At least 4: grants, the janitor and reconcile each keep one (scheduled.ts).
  CRON_PROVIDER_CONNECTIONS: z.coerce.number().int().min(4).max(6).default(5),
});

/** The cross-variable rules: issues naming the variable to change. */
const configRules = configSchema.superRefine((config, ctx) => {
  for (const name of CRON_BUDGET_VARIABLES) {
    if (config[name] * 1000 + config.PROVIDER_TIMEOUT_MS > TICK_LIMIT_MS)
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: `with PROVIDER_TIMEOUT_MS, over ${TICK_LIMIT_MS / 1000} s`,
      });
  }
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/**
 * The variables as the environment holds them, unparsed. `Env` (from `wrangler types`) is one;
 * optional variables it cannot know about (they are not in `.dev.vars.example`) arrive here too.
 */
export type ConfigSource = { readonly [K in keyof Config]?: unknown };

export function parseConfig(env: ConfigSource): Config {
  const picked = Object.fromEntries(
    Object.keys(configSchema.shape).map((k) => {
      const value = env[k as keyof Config];
      return [k, value === "" ? undefined : value];
    }),
  );
  const parsed = configRules.safeParse(picked);
  if (!parsed.success) {
    // Names only: values may be secrets.
    const names = [...new Set(parsed.error.issues.map((i) => i.path.join(".")))].join(", ");
    throw new ConfigError(`worker misconfigured: check ${names}`);
  }
  return parsed.data;
}
