import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleSyncedWorkspace } from "@cw/contracts/test-support";
import type { ConnectedUser, Hold } from "@cw/contracts/types";
import { afterAll, describe, expect, it } from "vitest";
import { planAutoStopWarnings, warningText } from "../src/core/auto-stop-warning.ts";
import type { DesktopBackend } from "../src/core/backend/desktop-backend.ts";
import { createIpcHandlers } from "../src/core/ipc-handlers.ts";
import { parseSettings, SettingsError, saveSettings } from "../src/core/settings.ts";
import {
  fileHostKeyStore,
  fingerprintOf,
  HostKeyMismatchError,
  hostIdOf,
  judgeHostKey,
  verifyHostKey,
} from "../src/core/ssh/host-keys.ts";
import { OutputBatcher } from "../src/core/ssh/output-batcher.ts";
import { emptyState, stateWriter } from "../src/core/sync/persisted-state.ts";
import { chooseTokenStore } from "../src/core/token-store.ts";
import {
  TOOLTIP_MAX_WORKSPACES,
  TRAY_MAX_LISTED,
  TRAY_MAX_WORKSPACES,
  trayMenuModel,
  trayTooltip,
} from "../src/core/tray-menu.ts";
import type { StoreSnapshot, WorkspaceRow } from "../src/core/workspace-store.ts";
import { invokeChannels } from "../src/shared/ipc.ts";
import { uiActions } from "../src/shared/workspace-actions.ts";
import { chromiumCandidates, findChromium } from "./support/chromium.ts";

const tmp = mkdtempSync(join(tmpdir(), "cw-desktop-units-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A synced row named "api" on branch "feature", running, nobody connected. */
const row = (over: Partial<WorkspaceRow> = {}): WorkspaceRow =>
  sampleSyncedWorkspace({ id: "ws-1", branch: "feature", ...over });

const snapshot = (
  workspaces: WorkspaceRow[],
  connection: StoreSnapshot["connection"] = "live",
): StoreSnapshot => ({
  workspaces,
  connection,
  lastUpdatedAt: null,
  links: [],
});

/** Built from local date parts, so the expectations hold in whatever time zone the tests run. */
const now = new Date(2026, 0, 1, 17, 33);
const minutesFromNow = (n: number) => new Date(now.getTime() + n * 60_000).toISOString();
const alice: ConnectedUser = {
  sessionId: "s1",
  userId: "u1",
  name: "alice",
  email: "alice@acme.dev",
  clientType: "desktop",
  since: minutesFromNow(-12),
};
const nightly: Hold = {
  id: "h1",
  userId: "u2",
  name: "bob",
  reason: "nightly build",
  until: new Date(2026, 0, 1, 18, 0).toISOString(),
  createdAt: minutesFromNow(-60),
};
/** Running, last active 18 minutes ago, auto-pause after 30: idle until 17:45. */
const idle = (over: Partial<WorkspaceRow> = {}) =>
  row({ name: "my-feature", lastActiveAt: minutesFromNow(-18), ...over });

describe("tray menu model", () => {
  it("lists each workspace with status, branch and connected count, and actions allowed by its status", () => {
    const items = trayMenuModel(
      {
        configured: true,
        problem: null,
        store: snapshot([
          row({
            id: "a",
            name: "api",
            status: "running",
            connectedCount: 2,
            presence: { sessions: [alice, { ...alice, sessionId: "s2", clientType: "cli" }], holds: [] },
          }),
          row({ id: "b", name: "web", branch: "main", status: "paused" }),
        ]),
      },
      now,
    );
    const subs = items.filter((i) => i.kind === "submenu");
    expect(subs.map((s) => s.label)).toEqual([
      "● api — feature · Running · 2 connected",
      "◐ web — main · Paused",
    ]);
    const actions = (i: number) =>
      subs[i]!.kind === "submenu"
        ? subs[i]!.items.flatMap((x) => (x.kind === "action" ? [`${x.label}:${x.enabled}`] : []))
        : [];
    expect(actions(0)).toEqual(["Open terminal:true", "Pause:true", "Stop:true"]);
    expect(actions(1)).toEqual(["Open terminal:false", "Resume:true", "Stop:true"]);
    const running = subs[0]!.kind === "submenu" ? subs[0]!.items.find((i) => i.kind === "action") : null;
    expect(running).toMatchObject({ command: { type: "workspace", action: "terminal", workspaceId: "a" } });
    expect(items.filter((i) => i.kind === "action").map((i) => (i.kind === "action" ? i.label : ""))).toEqual(
      ["New cloud workspace…", "Enable cloud for a folder…", "Open window", "Quit"],
    );
  });

  it("offers nothing on a workspace with an operation in flight, and shows errors' messages", () => {
    const items = trayMenuModel(
      {
        configured: true,
        problem: null,
        store: snapshot([
          row({ id: "a", operation: "stopping" }),
          row({ id: "b", status: "error", statusMessage: "VM failed to boot" }),
        ]),
      },
      now,
    );
    const [busy, broken] = items.filter((i) => i.kind === "submenu");
    expect(busy!.label).toContain("(stopping…)");
    if (busy!.kind !== "submenu" || broken!.kind !== "submenu") throw new Error("submenus expected");
    expect(busy!.items.filter((i) => i.kind === "action" && i.enabled)).toEqual([]);
    expect(broken!.items).toContainEqual({ kind: "label", label: "VM failed to boot" });
  });

  it("caps the list, and says when it is not set up, offline or empty", () => {
    const many = Array.from({ length: TRAY_MAX_WORKSPACES + 3 }, (_, i) =>
      row({ id: `w${i}`, name: `w${i}` }),
    );
    const capped = trayMenuModel({ configured: true, problem: null, store: snapshot(many) }, now);
    expect(capped.filter((i) => i.kind === "submenu")).toHaveLength(TRAY_MAX_WORKSPACES);
    expect(capped).toContainEqual(expect.objectContaining({ label: "3 more… (open window)" }));

    const notSetUp = trayMenuModel({ configured: false, problem: null, store: null }, now);
    expect(notSetUp[0]).toEqual({ kind: "label", label: "Not set up: add the API URL and a token" });
    expect(notSetUp).toContainEqual(
      expect.objectContaining({ label: "New cloud workspace…", enabled: false }),
    );

    expect(
      trayMenuModel({ configured: true, problem: null, store: snapshot([row()], "offline") }, now)[0],
    ).toEqual({
      kind: "label",
      label: "Offline — last known state",
    });
    expect(trayMenuModel({ configured: true, problem: null, store: snapshot([]) }, now)[0]).toEqual({
      kind: "label",
      label: "No workspaces yet",
    });
  });
});

describe("tray tooltip and the activity in the menu", () => {
  const configured = (workspaces: WorkspaceRow[], connection: StoreSnapshot["connection"] = "live") => ({
    configured: true,
    problem: null,
    store: snapshot(workspaces, connection),
  });
  const tooltipLines = (workspaces: WorkspaceRow[], at = now) =>
    trayTooltip(configured(workspaces), at).split("\n");
  const submenu = (w: WorkspaceRow, at = now) => {
    const item = trayMenuModel(configured([w]), at).find((i) => i.kind === "submenu");
    if (item?.kind !== "submenu") throw new Error("a submenu expected");
    return { label: item.label, labels: item.items.flatMap((i) => (i.kind === "label" ? [i.label] : [])) };
  };

  it("says who and what keeps each running workspace running, as the issue words it", () => {
    const held = idle({ connectedCount: 1, presence: { sessions: [alice], holds: [nightly] } });
    expect(tooltipLines([held])).toEqual([
      "Cloud workspaces — 1 running of 1",
      "my-feature: running because alice (desktop, 12 min) and a hold 'nightly build' until 18:00",
    ]);
    expect(submenu(held)).toEqual({
      label: "● my-feature — feature · Running · 1 connected · 1 hold",
      labels: [
        "running because alice (desktop, 12 min) and a hold 'nightly build' until 18:00",
        "alice (desktop, since 17:21)",
        "Hold 'nightly build' by bob until 18:00",
      ],
    });
    // The same row a few minutes on: the words age with `now`.
    expect(tooltipLines([held], new Date(now.getTime() + 10 * 60_000))[1]).toBe(
      "my-feature: running because alice (desktop, 22 min) and a hold 'nightly build' until 18:00",
    );
  });

  it("says when an idle workspace stops, what a hold alone holds it until, and when auto-stop is off", () => {
    expect(tooltipLines([idle()])[1]).toBe("my-feature: idle: auto-pause at 17:45 (in 12 min)");
    const holdOnly = idle({ autoStopAction: "stop", presence: { sessions: [], holds: [nightly] } });
    expect(tooltipLines([holdOnly])[1]).toBe(
      "my-feature: running because of a hold 'nightly build' until 18:00; then auto-stop at 18:30 (in 57 min)",
    );
    expect(submenu(holdOnly).labels).toEqual([
      "running because of a hold 'nightly build' until 18:00; then auto-stop at 18:30 (in 57 min)",
      "Hold 'nightly build' by bob until 18:00",
    ]);
    // A hold that has ended is not shown and holds nothing…
    const ended = idle({ presence: { sessions: [], holds: [{ ...nightly, until: minutesFromNow(-1) }] } });
    // …though the idle countdown started at its end.
    expect(submenu(ended)).toEqual({
      label: "● my-feature — feature · Running",
      labels: ["idle: auto-pause at 18:02 (in 29 min)"],
    });
    expect(tooltipLines([idle({ autoStopMinutes: 0 })])[1]).toBe("my-feature: running; auto-stop is off");
  });

  it("leaves out workspaces that are not running, caps the list, and says when offline, failing or not set up", () => {
    const paused = idle({ name: "asleep", status: "paused" });
    expect(tooltipLines([paused, idle()])).toEqual([
      "Cloud workspaces — 1 running of 2",
      "my-feature: idle: auto-pause at 17:45 (in 12 min)",
    ]);
    expect(submenu(paused).labels).toEqual([]);
    const many = Array.from({ length: TOOLTIP_MAX_WORKSPACES + 2 }, (_, i) =>
      idle({ id: `w${i}`, name: `w${i}` }),
    );
    const lines = tooltipLines(many);
    expect(lines).toHaveLength(TOOLTIP_MAX_WORKSPACES + 2);
    expect(lines.at(-1)).toBe("2 more…");
    expect(trayTooltip(configured([idle()], "offline"), now).split("\n")[0]).toBe(
      "Cloud workspaces — 1 running of 1 (offline: last known state)",
    );
    expect(
      trayTooltip({ configured: true, problem: "the API refused the token", store: snapshot([]) }, now),
    ).toBe("Cloud workspaces — ⚠ the API refused the token");
    expect(trayTooltip({ configured: false, problem: null, store: null }, now)).toBe("Cloud workspaces");
  });

  it("lists at most a few people and holds in a submenu, with how many more", () => {
    const people = Array.from({ length: TRAY_MAX_LISTED + 1 }, (_, i) => ({
      ...alice,
      sessionId: `s${i}`,
      name: `p${i}`,
    }));
    const labels = submenu(
      idle({ connectedCount: people.length, presence: { sessions: people, holds: [] } }),
    ).labels;
    expect(labels.slice(1)).toEqual([
      ...people.slice(0, TRAY_MAX_LISTED).map((p) => `${p.name} (desktop, since 17:21)`),
      "1 more…",
    ]);
  });
});

describe("auto-stop warning timing", () => {
  const at = "2026-01-01T10:30:00.000Z";
  const now = (iso: string) => new Date(iso);

  it("warns once, lead minutes before autoStopAt, and schedules the next check until then", () => {
    const rows = [row({ autoStopAt: at })];
    const early = planAutoStopWarnings(rows, new Map(), now("2026-01-01T10:20:00.000Z"), 5);
    expect(early.warnings).toEqual([]);
    expect(early.nextCheckAt?.toISOString()).toBe("2026-01-01T10:25:00.000Z");

    const due = planAutoStopWarnings(rows, early.warned, now("2026-01-01T10:25:00.000Z"), 5);
    expect(due.warnings).toEqual([
      { workspaceId: "ws-1", name: "api", autoStopAt: at, action: "pause", minutesLeft: 5 },
    ]);
    expect(warningText(due.warnings[0]!).title).toBe("api will pause in 5 minutes");

    const again = planAutoStopWarnings(rows, due.warned, now("2026-01-01T10:27:00.000Z"), 5);
    expect(again.warnings).toEqual([]);
    expect(again.warned.get("ws-1")).toBe(at);
  });

  it("re-arms when activity moves autoStopAt, and ignores rows without one or long past", () => {
    const warned = new Map([["ws-1", at]]);
    const moved = "2026-01-01T11:00:00.000Z";
    const plan = planAutoStopWarnings(
      [row({ autoStopAt: moved })],
      warned,
      now("2026-01-01T10:56:00.000Z"),
      5,
    );
    expect(plan.warnings.map((w) => w.minutesLeft)).toEqual([4]);

    const none = planAutoStopWarnings(
      [
        row({ id: "connected", autoStopAt: null, connectedCount: 1 }),
        row({ id: "paused", status: "paused", autoStopAt: at }),
        row({ id: "past", autoStopAt: "2026-01-01T10:00:00.000Z" }),
      ],
      new Map(),
      now("2026-01-01T10:29:00.000Z"),
      5,
    );
    expect(none.warnings).toEqual([]);
    expect(none.nextCheckAt).toBeNull();
    // Just past the moment (the cron has not acted yet): still worth a warning.
    const late = planAutoStopWarnings(
      [row({ autoStopAt: at })],
      new Map(),
      now("2026-01-01T10:30:20.000Z"),
      5,
    );
    expect(late.warnings[0]?.minutesLeft).toBe(0);
    expect(warningText(late.warnings[0]!).title).toBe("api will pause any moment now");
  });
});

describe("settings schema", () => {
  it("fills defaults and normalizes the API URL", () => {
    const s = parseSettings({ apiUrl: "https://cw.example.com/" });
    expect(s.apiUrl).toBe("https://cw.example.com");
    expect(s.terminal).toEqual({
      fontSize: 13,
      fontFamily: expect.any(String),
      scrollback: 5000,
    });
    expect(s.autoStopWarningMinutes).toBe(5);
    expect(parseSettings(undefined).apiUrl).toBeNull();
  });

  it("names every bad field, and lets CW_API_URL override the file", () => {
    expect(() => parseSettings({ apiUrl: "ftp://x", terminal: { fontSize: 2 } })).toThrow(SettingsError);
    expect(() => parseSettings({ apiUrl: "ftp://x", terminal: { fontSize: 2 } })).toThrow(
      /apiUrl: must start with https:\/\/ \(or http:\/\/ to this machine\); terminal\.fontSize: /,
    );
    expect(parseSettings({ apiUrl: "https://a" }, { CW_API_URL: "https://b:8787" }).apiUrl).toBe(
      "https://b:8787",
    );
  });

  it("takes plain http only to this machine: the token must not cross a network in clear", () => {
    for (const local of [
      "http://127.0.0.1:8787",
      "http://localhost:8787/",
      "http://[::1]:8787",
      "http://127.1.2.3",
    ])
      expect(parseSettings({ apiUrl: local }).apiUrl).toBe(local.replace(/\/$/, ""));
    for (const remote of ["http://cw.example.com", "http://10.0.0.5:8787", "http://localhost.evil.example"])
      expect(() => parseSettings({ apiUrl: remote })).toThrow(
        "Invalid settings: apiUrl: must use https:// (plain http:// only to this machine: localhost, 127.0.0.1 or [::1])",
      );
    expect(() => parseSettings({}, { CW_API_URL: "http://cw.example.com" })).toThrow(
      /apiUrl: must use https/,
    );
  });
});

describe("output batcher", () => {
  it("decodes a UTF-8 character split across chunks intact", async () => {
    const out: string[] = [];
    const b = new OutputBatcher((t) => out.push(t), { intervalMs: 0 });
    const bytes = Buffer.from("a€b😀c", "utf8");
    // One byte at a time: every multi-byte character is split.
    for (const byte of bytes) b.push(Uint8Array.of(byte));
    await new Promise((r) => setImmediate(r));
    b.end();
    expect(out.join("")).toBe("a€b😀c");
    expect(out.join("")).not.toContain("\uFFFD");
  });

  it("coalesces a burst into one flush and sends a lone keystroke echo without waiting", async () => {
    const out: string[] = [];
    const b = new OutputBatcher((t) => out.push(t), { intervalMs: 20 });
    for (let i = 0; i < 100; i++) b.push(Buffer.from("x"));
    expect(out).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(out).toEqual(["x".repeat(100)]);
    // Right after a flush, more output waits for the interval...
    b.push(Buffer.from("y"));
    await new Promise((r) => setImmediate(r));
    expect(out).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(out).toEqual(["x".repeat(100), "y"]);
    // ...but after a quiet period a single echo goes out within the same turn.
    await new Promise((r) => setTimeout(r, 30));
    b.push(Buffer.from("z"));
    await new Promise((r) => setImmediate(r));
    expect(out.at(-1)).toBe("z");
  });

  it("ends with the final multi-byte character whole, in the same message as the text before it", () => {
    const out: string[] = [];
    const b = new OutputBatcher((t) => out.push(t), { intervalMs: 1_000 });
    const euro = Buffer.from("€", "utf8");
    b.push(Buffer.from("total: 5"));
    b.push(euro.subarray(0, 1));
    b.push(euro.subarray(1));
    // The stream ends before the batch's turn comes: end() must send it, character and all.
    b.end();
    expect(out).toEqual(["total: 5€"]);
    b.push(Buffer.from("late"));
    expect(out).toEqual(["total: 5€"]);
  });

  it("ends a stream cut inside a character with one replacement character, keeping what came before", () => {
    const out: string[] = [];
    const b = new OutputBatcher((t) => out.push(t), { intervalMs: 1_000 });
    b.push(Buffer.from("ok 😀", "utf8").subarray(0, 5));
    b.end();
    expect(out).toEqual(["ok \uFFFD"]);
  });

  it("flushes at once at the size cap", () => {
    const out: string[] = [];
    const b = new OutputBatcher((t) => out.push(t), { maxChars: 10 });
    b.push(Buffer.from("0123456789ab"));
    expect(out).toEqual(["0123456789ab"]);
  });
});

describe("host key pinning", () => {
  const a = fingerprintOf(Buffer.from("key-a"));
  const b = fingerprintOf(Buffer.from("key-b"));
  const gateway = hostIdOf("vm-ssh.example", 22);

  it("pins host and VM on first use, accepts the same key, refuses a changed one with a clear error", async () => {
    const file = join(tmp, "pins", "host-keys.json");
    const store = fileHostKeyStore(file);
    await verifyHostKey(store, { host: gateway, vm: "freestyle:vm-1", fingerprint: a });
    await verifyHostKey(store, { host: gateway, vm: "freestyle:vm-1", fingerprint: a });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp, "pins")).mode & 0o777).toBe(0o700);
    // A fresh store reads the pins back from the file.
    expect(await fileHostKeyStore(file).read()).toEqual({
      hosts: { [gateway]: a },
      vms: { "freestyle:vm-1": { host: gateway, fingerprint: a } },
    });
    const err = await verifyHostKey(fileHostKeyStore(file), { host: gateway, fingerprint: b }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect(err.message).toContain(
      `The SSH host key of vm-ssh.example:22 has changed (pinned ${a}, now ${b})`,
    );
    expect(err.offer).toEqual({ host: gateway, fingerprint: b });
    expect(hostIdOf("::1", 2222)).toBe("[::1]:2222");
    expect(a).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it("puts a known VM answering from another host, or with another key, to the user", () => {
    const pins = {
      hosts: { [gateway]: a },
      vms: { "freestyle:vm-1": { host: gateway, fingerprint: a } },
    };
    const elsewhere = hostIdOf("attacker.example", 22);
    // The API alone cannot move a known VM: a new host that is trusted on first use for others…
    expect(judgeHostKey(pins, { host: elsewhere, fingerprint: b })).toEqual({ kind: "new" });
    // …is a change for this VM, even with the key it always had.
    expect(judgeHostKey(pins, { host: elsewhere, vm: "freestyle:vm-1", fingerprint: a })).toEqual({
      kind: "changed",
      pinned: { host: gateway, fingerprint: a },
    });
    expect(judgeHostKey(pins, { host: gateway, vm: "freestyle:vm-1", fingerprint: b }).kind).toBe("changed");
    // A new VM behind the known gateway: the gateway's key decides.
    expect(judgeHostKey(pins, { host: gateway, vm: "freestyle:vm-2", fingerprint: a })).toEqual({
      kind: "trusted",
    });
    expect(judgeHostKey(pins, { host: gateway, vm: "freestyle:vm-2", fingerprint: b }).kind).toBe("changed");
    expect(judgeHostKey(pins, { host: gateway, vm: "freestyle:vm-1", fingerprint: a })).toEqual({
      kind: "trusted",
    });
    expect(
      new HostKeyMismatchError(
        { host: elsewhere, vm: "freestyle:vm-1", fingerprint: a },
        pins.vms["freestyle:vm-1"],
      ).message,
    ).toContain(
      `The VM freestyle:vm-1 answered at ${gateway} with key ${a}; the API now sends it to ${elsewhere}, with key ${a}.`,
    );
  });

  it("keeps the host pins of a file written before VMs were pinned", async () => {
    const file = join(tmp, "v1.json");
    writeFileSync(file, JSON.stringify({ version: 1, hosts: { [gateway]: a } }));
    await expect(verifyHostKey(fileHostKeyStore(file), { host: gateway, fingerprint: b })).rejects.toThrow(
      HostKeyMismatchError,
    );
  });

  it("refuses to trust anything when the pin file is corrupt", async () => {
    const file = join(tmp, "corrupt.json");
    writeFileSync(file, JSON.stringify({ version: 1, hosts: { x: 5 } }));
    await expect(
      verifyHostKey(fileHostKeyStore(file), { host: "x", fingerprint: "SHA256:abc" }),
    ).rejects.toThrow(/not valid/);
    writeFileSync(file, "{ not json");
    await expect(
      verifyHostKey(fileHostKeyStore(file), { host: "x", fingerprint: "SHA256:abc" }),
    ).rejects.toThrow(/not valid/);
  });
});

describe("files the app writes", () => {
  it("are owner-only, in owner-only folders, even over an older world-readable file", async () => {
    const dir = join(tmp, "user-data", "nested");
    const settingsFile = join(dir, "settings.json");
    await saveSettings(settingsFile, parseSettings({ apiUrl: "https://cw.example.com" }));
    const token = chooseTokenStore(dir, null);
    await token.write("cwk_secret");
    const store = join(dir, "workspaces.json");
    writeFileSync(store, "{}", { mode: 0o644 });
    await stateWriter(store).write(emptyState("https://cw.example.com"));
    for (const file of [settingsFile, join(dir, "token.txt"), store])
      expect({ file, mode: statSync(file).mode & 0o777 }).toEqual({ file, mode: 0o600 });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(tmp, "user-data")).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir).sort()).toEqual(["settings.json", "token.txt", "workspaces.json"]);
  });
});

describe("token storage", () => {
  it("encrypts with the keychain cipher, and falls back to a flagged owner-only plain file", async () => {
    const cipher = {
      encrypt: (s: string) => Buffer.from([...Buffer.from(s)].map((c) => c ^ 0x5a)),
      decrypt: (b: Buffer) => Buffer.from([...b].map((c) => c ^ 0x5a)).toString(),
    };
    const enc = chooseTokenStore(join(tmp, "k"), cipher);
    expect(enc.kind).toBe("keychain");
    await enc.write("cwk_secret");
    expect(readFileSync(join(tmp, "k", "token.enc")).toString()).not.toContain("cwk_secret");
    expect(await enc.read()).toBe("cwk_secret");

    const plain = chooseTokenStore(join(tmp, "p"), null);
    expect(plain.kind).toBe("plain-file");
    expect(await plain.read()).toBeNull();
    await plain.write("cwk_plain");
    expect(statSync(join(tmp, "p", "token.txt")).mode & 0o777).toBe(0o600);
    expect(await plain.read()).toBe("cwk_plain");
    await plain.clear();
    expect(await plain.read()).toBeNull();
  });
});

describe("IPC handlers", () => {
  it("validate arguments before anything runs, and carry errors as messages", async () => {
    const calls: unknown[][] = [];
    const backend = new Proxy(
      {},
      {
        get:
          (_t, name) =>
          (...args: unknown[]) => {
            calls.push([name, ...args]);
            if (name === "lifecycle") throw new Error("Not allowed now");
            return { id: "x" };
          },
      },
    ) as DesktopBackend;
    const handlers = createIpcHandlers(backend);
    expect([...handlers.keys()].sort()).toEqual(Object.values(invokeChannels).sort());
    const caller = { id: 1, emit: () => {} };

    const bad = await handlers.get(invokeChannels.terminalResize)!(caller, ["not-a-uuid", 80, 24]);
    expect(bad).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^Invalid terminalResize request/) },
    });
    expect(bad).toMatchObject({ error: { fields: [{ field: "argument 1" }] } });
    const repositoryId = "7f0c0d3e-8a51-4a39-9d59-1c1f1b8e0a11";
    const create = (input: object) => handlers.get(invokeChannels.createWorkspace)!(caller, [input]);
    const extra = await create({
      repositoryId,
      name: "n",
      branch: "b",
      autoStopMinutes: 5,
      providerType: "fly",
    });
    expect(extra.ok).toBe(false);
    // The contract's limits, named as the form's fields.
    expect(await create({ repositoryId, name: "n", branch: "bad..branch", autoStopMinutes: 5 })).toEqual({
      ok: false,
      error: {
        message: "Invalid createWorkspace request: branch: not a valid git branch name",
        fields: [{ field: "branch", message: "not a valid git branch name" }],
      },
    });
    const tooMuch = await create({
      repositoryId,
      name: "n".repeat(101),
      branch: "b",
      autoStopMinutes: 10_081,
    });
    expect(tooMuch.ok === false && tooMuch.error.fields?.map((f) => f.field)).toEqual([
      "name",
      "autoStopMinutes",
    ]);
    const addRepository = handlers.get(invokeChannels.addRepository)!;
    expect(await addRepository(caller, [{ cloneUrl: "not a url" }])).toMatchObject({
      ok: false,
      error: { fields: [{ field: "cloneUrl", message: "must be an https or ssh URL, or user@host:path" }] },
    });
    expect(calls).toEqual([]);

    expect(await addRepository(caller, [{ cloneUrl: " https://git.example.com/a.git\n" }])).toEqual({
      ok: true,
      value: { id: "x" },
    });

    const good = await create({ repositoryId, name: " n ", branch: "b", autoStopMinutes: 5 });
    expect(good).toEqual({ ok: true, value: { id: "x" } });
    expect(await handlers.get(invokeChannels.pauseWorkspace)!(caller, ["w"])).toEqual({
      ok: false,
      error: { message: "Not allowed now" },
    });
    expect(calls).toEqual([
      ["addRepository", { cloneUrl: "https://git.example.com/a.git" }],
      ["createWorkspace", { repositoryId, name: "n", branch: "b", autoStopMinutes: 5 }],
      ["lifecycle", "pause", "w"],
    ]);
  });
});

describe("small pure helpers", () => {
  it("offer UI actions per status", () => {
    expect(uiActions(row({ status: "running" }))).toEqual(["pause", "stop", "delete", "terminal"]);
    expect(uiActions(row({ status: "provisioning" }))).toEqual(["delete"]);
    expect(uiActions(row({ status: "stopped" }))).toEqual(["resume", "delete"]);
    expect(uiActions(row({ status: "running", operation: "pausing" }))).toEqual([]);
  });
});

describe("the renderer tests' browser", () => {
  it("is CHROME_PATH, else the first usual place that exists, else a one-line failure saying how to install one", () => {
    const at =
      (...paths: string[]) =>
      (p: string) =>
        paths.includes(p);
    expect(findChromium("linux", {}, at("/usr/bin/google-chrome", "/snap/bin/chromium"))).toBe(
      "/usr/bin/google-chrome",
    );
    expect(
      findChromium("linux", { CHROME_PATH: "/opt/c/chrome" }, at("/opt/c/chrome", "/usr/bin/chromium")),
    ).toBe("/opt/c/chrome");
    expect(() => findChromium("linux", { CHROME_PATH: "/nope" }, at("/usr/bin/chromium"))).toThrow(
      /^CHROME_PATH is \/nope, which does not exist/,
    );
    const none = (() => {
      try {
        findChromium("darwin", {}, at());
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(none).toMatch(/^No Chromium or Chrome found .*install one .*set CHROME_PATH/);
    expect(none).not.toContain("\n");
    expect(chromiumCandidates("darwin", {})).toContain(
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    );
    expect(chromiumCandidates("win32", { PROGRAMFILES: "C:\\Program Files" })[0]).toMatch(/chrome\.exe$/);
  });
});
