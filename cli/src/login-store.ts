import { readFileSync, rmSync } from "node:fs";
import { writePrivateFile } from "@cw/client-node/private-files";
import { z } from "zod";
import { loginFile } from "./config-dir.ts";
import { CliError } from "./errors.ts";
import { chooseLogin, type Login } from "./login-choice.ts";

/**
 * The API URL and token `cw login` stores: one owner-only JSON file in cw's config folder
 * (0600 in a 0700 folder, as `gh` and `coder` keep theirs). `CW_URL` and `CW_TOKEN` override
 * each part, so CI and scripts need no file at all.
 */
const StoredLogin = z.object({ url: z.string(), token: z.string().min(1) }) satisfies z.ZodType<Login>;

/** What is stored, or null when nothing is (a file that does not parse is an error, naming it). */
export function readStoredLogin(dir: string): Login | null {
  const file = loginFile(dir);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const parsed = StoredLogin.safeParse(json);
  if (!parsed.success) throw new CliError(`${file} is damaged; run cw login again`);
  return parsed.data;
}

/** The login to use: the environment's parts over the stored ones. */
export function currentLogin(dir: string, env: NodeJS.ProcessEnv = process.env): Login {
  const chosen = chooseLogin(env, () => readStoredLogin(dir));
  if ("problem" in chosen) throw new CliError(chosen.problem);
  return chosen.login;
}

export function saveLogin(dir: string, login: Login): Promise<void> {
  return writePrivateFile(loginFile(dir), `${JSON.stringify(login, null, 2)}\n`);
}

/** Forgets the stored login; false when there was none. */
export function removeLogin(dir: string): boolean {
  const file = loginFile(dir);
  try {
    readFileSync(file);
  } catch {
    return false;
  }
  rmSync(file, { force: true });
  return true;
}
