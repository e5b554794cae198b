import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * A VM's processes are the sessions it started (every shell/exec we spawn is a session leader:
 * node-pty calls setsid, child_process uses `detached`). Tracking whole sessions rather than
 * process groups matters because an interactive bash puts each background job (`sleep 300 &`)
 * into its own process group, which signalling the shell's group would miss.
 */
interface ProcInfo {
  pid: number;
  ppid: number;
  /** -1 where the platform does not tell us (non-Linux fallback). */
  sid: number;
  zombie: boolean;
}

async function readProcStat(pid: number): Promise<ProcInfo | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // comm (field 2) may contain spaces and parentheses, so parse from the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [state, ppid, , sid] = rest;
    return { pid, ppid: Number(ppid), sid: Number(sid), zombie: state === "Z" || state === "X" };
  } catch {
    return null;
  }
}

async function listProcesses(): Promise<ProcInfo[]> {
  if (process.platform === "linux") {
    const entries = await readdir("/proc");
    const pids = entries.filter((e) => /^\d+$/.test(e)).map(Number);
    const infos = await Promise.all(pids.map(readProcStat));
    return infos.filter((p): p is ProcInfo => p !== null);
  }
  const { stdout } = await execFileAsync("ps", ["-A", "-o", "pid=,ppid=,stat="]);
  return stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 3)
    .map(([pid, ppid, stat]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      sid: -1,
      zombie: (stat ?? "").startsWith("Z"),
    }));
}

/**
 * Live members of the given sessions, parents before children, so that stopping in this order
 * freezes a shell before its jobs (it cannot react to them) and resuming in reverse wakes jobs
 * before their shell.
 */
export async function sessionMembers(sessions: ReadonlySet<number>): Promise<number[]> {
  if (sessions.size === 0) return [];
  const procs = (await listProcesses()).filter((p) => !p.zombie && p.pid !== process.pid);
  const children = new Map<number, number[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const roots = procs.filter((p) => sessions.has(p.pid) || sessions.has(p.sid)).map((p) => p.pid);
  const seen = new Set<number>();
  const ordered: number[] = [];
  // Breadth-first from the roots gives the parent-before-child order; descendants that left the
  // session (setsid daemons) are still included because they are reached via ppid.
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    ordered.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return ordered;
}

function sendSignal(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone: nothing to do.
    }
  }
}

export async function freezeSessions(sessions: ReadonlySet<number>): Promise<void> {
  // Two passes: something may have forked between listing and stopping its parent.
  sendSignal(await sessionMembers(sessions), "SIGSTOP");
  sendSignal(await sessionMembers(sessions), "SIGSTOP");
}

export async function thawSessions(sessions: ReadonlySet<number>): Promise<void> {
  sendSignal((await sessionMembers(sessions)).reverse(), "SIGCONT");
}

async function anyAlive(pids: readonly number[]): Promise<boolean> {
  if (process.platform === "linux") {
    const infos = await Promise.all(pids.map(readProcStat));
    return infos.some((p) => p !== null && !p.zombie);
  }
  return pids.some((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Graceful then forced termination. SIGHUP is what interactive bash honours (it ignores SIGTERM);
 * SIGCONT lets frozen processes act on the pending signals.
 */
export async function terminateSessions(sessions: ReadonlySet<number>, graceMs: number): Promise<void> {
  const members = await sessionMembers(sessions);
  if (members.length === 0) return;
  sendSignal(members, "SIGHUP");
  sendSignal(members, "SIGTERM");
  sendSignal(members, "SIGCONT");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (await anyAlive(members))) {
    await new Promise((r) => setTimeout(r, 25));
  }
  sendSignal(members, "SIGKILL");
  sendSignal(await sessionMembers(sessions), "SIGKILL");
}

/** Drops session ids that no longer have any live member, so pid reuse cannot hit us later. */
export async function liveSessions(sessions: ReadonlySet<number>): Promise<Set<number>> {
  if (sessions.size === 0) return new Set();
  const procs = (await listProcesses()).filter((p) => !p.zombie);
  const live = new Set<number>();
  for (const p of procs) {
    if (sessions.has(p.pid)) live.add(p.pid);
    if (sessions.has(p.sid)) live.add(p.sid);
  }
  return live;
}
