import { execFileSync } from "node:child_process";
import { waitFor as pollUntil } from "@cw/testing";

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

/** Whether `check` holds within `timeoutMs` (polled every 50 ms), for `expect(…).toBe(true)`. */
export function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  return pollUntil("a process state", check, timeoutMs, 50).then(
    () => true,
    () => false,
  );
}
