import { z } from "zod";
import { displayName, isSafeText, issuedId, itemsOf, SAFE_TEXT_MESSAGE, timestamp } from "./common.ts";

// Git's ref-name rules, minus the rarely-hit ones: no spaces, control characters or ~^:?*[\,
// no "..", "@{", leading "-" or "/", trailing "/" or ".lock"; and nothing a UI would misshow.
export const branchName = z
  .string()
  .min(1)
  .max(255)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what git forbids.
  .regex(/^(?![-/])(?!.*\.\.)(?!.*@\{)(?!.*\/\/)(?!.*\/$)(?!.*\.lock$)[^\s~^:?*[\\\x00-\x1f\x7f]+$/, {
    message: "not a valid git branch name",
  })
  // Git would take a bidirectional control in a name; a tray menu would show it reversed.
  .refine(isSafeText, SAFE_TEXT_MESSAGE);

/**
 * The URL forms git understands. Which of them a deployment accepts (production: https://, ssh://
 * and user@host:path to public hosts only) is the server's policy, checked after this.
 */
const cloneUrl = z
  .string()
  .max(2048)
  .regex(/^(https?|ssh|git|file):\/\/\S+$|^[\w.-]+@[\w.-]+:\S+$/, {
    message: "must be an https or ssh URL, or user@host:path",
  })
  .refine(isSafeText, SAFE_TEXT_MESSAGE);

export const CreateRepository = z
  .object({
    name: displayName,
    cloneUrl,
    defaultBranch: branchName.default("main"),
  })
  .strict()
  .meta({ id: "CreateRepository" });
export type CreateRepository = z.input<typeof CreateRepository>;

export const Repository = z
  .object({
    id: issuedId,
    name: z.string(),
    cloneUrl: z.string(),
    defaultBranch: z.string(),
    createdAt: timestamp,
  })
  .meta({ id: "Repository" });
export type Repository = z.infer<typeof Repository>;

export const RepositoryList = itemsOf(Repository).meta({ id: "RepositoryList" });
export type RepositoryList = z.infer<typeof RepositoryList>;
