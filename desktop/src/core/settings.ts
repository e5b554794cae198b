import { readFile } from "node:fs/promises";
import { apiUrlProblem } from "@cw/client-node/api-url";
import { writePrivateFile } from "@cw/client-node/private-files";
import { z } from "zod";

/**
 * The desktop's settings: one zod schema, parsed once in main at start-up (and again on save).
 * The token is not here; it lives in the token store.
 */
const apiUrl = z
  .string()
  .trim()
  .url({ message: "must be a URL" })
  .superRefine((url, ctx) => {
    const problem = apiUrlProblem(url);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform((u) => u.replace(/\/+$/, ""));

export const SettingsSchema = z.object({
  /** The worker's base URL, e.g. https://cw.example.com; null until set up. */
  apiUrl: apiUrl.nullable().default(null),
  terminal: z
    .object({
      fontSize: z.number().int().min(8).max(32).default(13),
      fontFamily: z.string().min(1).max(200).default("ui-monospace, Menlo, 'DejaVu Sans Mono', monospace"),
      scrollback: z.number().int().min(0).max(100_000).default(5_000),
    })
    .prefault({}),
  /** How long before a workspace's auto-stop the tray warns. */
  autoStopWarningMinutes: z.number().int().min(1).max(60).default(5),
  /** How long "Keep alive" holds a presence session open. */
  keepAliveMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  /**
   * Where the list comes from: the Electric-synced local store (live, shows at once on start), or
   * polling `GET /v1/workspaces` for a control plane that does not serve `/v1/shape`.
   */
  listSource: z.enum(["sync", "polling"]).default("sync"),
  /** Refresh period of the polled list (listSource "polling" only). */
  pollIntervalSeconds: z.number().min(1).max(300).default(5),
});
export type Settings = z.infer<typeof SettingsSchema>;

export class SettingsError extends Error {
  override name = "SettingsError";
}

/** Parses settings, naming each bad field. `env.CW_API_URL` overrides the file's apiUrl. */
export function parseSettings(raw: unknown, env: Record<string, string | undefined> = {}): Settings {
  const base =
    raw && typeof raw === "object" && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : {};
  if (env.CW_API_URL) base.apiUrl = env.CW_API_URL;
  const parsed = SettingsSchema.safeParse(base);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new SettingsError(`Invalid settings: ${problems.join("; ")}`);
  }
  return parsed.data;
}

export async function loadSettings(
  file: string,
  env: Record<string, string | undefined> = {},
): Promise<Settings> {
  let raw: unknown = {};
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new SettingsError(`Cannot read settings from ${file}: ${(err as Error).message}`);
    }
  }
  return parseSettings(raw, env);
}

export async function saveSettings(file: string, settings: Settings): Promise<void> {
  const valid = parseSettings(settings);
  await writePrivateFile(file, `${JSON.stringify(valid, null, 2)}\n`);
}
