import { execFileSync } from "node:child_process";

/**
 * `ps` state letters of a pid, or "" once it is gone. A zombie counts as gone: orphans are
 * reparented to PID 1, which in a container may never reap them.
 */
export function procState(pid: number): string {
  try {
    const stat = execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).trim();
    return stat.startsWith("Z") ? "" : stat;
  } catch {
    return "";
  }
}

/** Polls `check` until it holds or `timeoutMs` passes; returns its last answer. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
