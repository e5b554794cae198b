import { readFileSync } from "node:fs";
import { writePrivateFile } from "@cw/client-node/private-files";
import { z } from "zod";
import { connectHintsFile } from "./config-dir.ts";

/**
 * What the last connection to a workspace learned, kept so the next one starts sooner: which
 * workspace id a name meant (fresh credentials are then asked for while the name is checked
 * again, not after) and where its gateway was (the SSH handshake with it runs meanwhile too).
 * Hints only: the name is always checked and the credentials always decide the gateway. In cw's
 * cache folder, owner-only; a damaged or foreign file is ignored.
 */
const KEPT = 50;

const Hint = z.object({
  api: z.string(),
  ref: z.string(),
  workspaceId: z.string(),
  gateway: z.object({ host: z.string(), port: z.number().int().min(1).max(65535) }),
});
export type ConnectHint = z.infer<typeof Hint>;
const Hints = z.array(Hint).max(KEPT);

function readAll(dir: string): ConnectHint[] {
  try {
    const parsed = Hints.safeParse(JSON.parse(readFileSync(connectHintsFile(dir), "utf8")));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export function readHint(dir: string, api: string, ref: string): ConnectHint | null {
  return readAll(dir).find((h) => h.api === api && h.ref === ref) ?? null;
}

/** Records `hint` as the latest (concurrent connections may each write; the last one wins). */
export async function saveHint(dir: string, hint: ConnectHint): Promise<void> {
  const others = readAll(dir).filter((h) => !(h.api === hint.api && h.ref === hint.ref));
  await writePrivateFile(connectHintsFile(dir), JSON.stringify([hint, ...others].slice(0, KEPT)));
}
