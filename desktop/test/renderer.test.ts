import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { joinPresence } from "@cw/client-node/presence";
import { type ApiClient, createApiClient } from "@cw/contracts/client";
import { commit, git, originAndClone, startTestStack, type TestStack, waitFor } from "@cw/testing/node";
import { build } from "esbuild";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRenderer } from "../scripts/build.ts";
import type { Caller } from "../src/core/backend/caller.ts";
import { createDesktopBackend, type DesktopBackend } from "../src/core/backend/desktop-backend.ts";
import { createIpcHandlers, type IpcHandler } from "../src/core/ipc-handlers.ts";
import { parseSettings } from "../src/core/settings.ts";
import { memoryHostKeyStore } from "../src/core/ssh/host-keys.ts";
import { createWorkspaceSync } from "../src/core/sync/index.ts";
import { plainFileTokenStore } from "../src/core/token-store.ts";
import { type EventChannel, eventChannels, type InvokeChannel } from "../src/shared/ipc.ts";
import { findChromium } from "./support/chromium.ts";
import { PATIENCE_MS, TEST_TIMEOUT_MS } from "./support/patience.ts";

/**
 * The built renderer in real Chromium. The preload API is the real `createDesktopApi` over
 * Playwright bindings, and behind it the real backend (`core/`) against the real local stack —
 * the same IPC handlers main registers, with the Electric-synced store feeding the list.
 */
const artifacts = join(import.meta.dirname, "../../test-artifacts/desktop");
let stack: TestStack;
let api: ApiClient;
let backend: DesktopBackend;
let handlers: Map<InvokeChannel, IpcHandler>;
let browser: Browser;
let server: Server;
let baseUrl: string;
let shim: string;
let demoRepoId: string;
const callers = new Set<Caller>();
const tmp = mkdtempSync(join(tmpdir(), "cw-desktop-renderer-"));

/** Waits for real work (the stack, SSH, git) with the patience a busy machine needs. */
const eventually = <T>(what: string, probe: () => Promise<T | undefined | null | false>) =>
  waitFor(what, probe, PATIENCE_MS);
const patiently = { timeout: PATIENCE_MS };

beforeAll(async () => {
  // First: without a browser nothing here can run, and the failure says how to get one.
  const executablePath = findChromium();
  mkdirSync(artifacts, { recursive: true });
  const rendererDir = join(tmp, "renderer");
  const [s] = await Promise.all([startTestStack("cw-desktop-renderer-stack-"), buildRenderer(rendererDir)]);
  stack = s;
  api = createApiClient({ baseUrl: stack.workerUrl, token: stack.token });
  demoRepoId = (await api.listRepositories()).items.find((r) => r.name === "demo")!.id;

  shim = (
    await build({
      entryPoints: [join(import.meta.dirname, "support/preload-shim.ts")],
      bundle: true,
      write: false,
      format: "iife",
      platform: "browser",
    })
  ).outputFiles[0]!.text;

  backend = await createDesktopBackend({
    settings: parseSettings({ apiUrl: stack.workerUrl }),
    saveSettings: async () => {},
    tokens: { ...plainFileTokenStore(join(tmp, "token.txt")), read: async () => stack.token },
    hostKeys: memoryHostKeyStore(),
    // The Electric-synced store, as in the app.
    openStore: async ({ apiUrl, token }) => ({
      store: await createWorkspaceSync({ apiUrl, token, file: join(tmp, "workspaces.json"), log: () => {} }),
      source: "sync",
    }),
    ui: { openTerminalWindow: () => {}, chooseFolder: async () => null, confirmHostKey: async () => false },
    onState: (state) => {
      for (const c of callers) c.emit(eventChannels.appState, state);
    },
  });
  handlers = createIpcHandlers(backend);

  server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? "/", "http://x").pathname).replace(/^\/+/, "");
    try {
      const body = readFileSync(join(rendererDir, path || "index.html"));
      const types: Record<string, string> = {
        ".html": "text/html",
        ".js": "text/javascript",
        ".css": "text/css",
      };
      res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  browser = await chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await backend?.close();
  server?.close();
  await stack?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

let nextCallerId = 1;
/** Pages that get no state updates for now: they show the list as it was (see `withStaleList`). */
const stale = new Set<Page>();

/**
 * A page whose `window.cw` is the preload API, wired to the real backend like main wires a window;
 * `timezoneId` is the user's time zone as the page sees it.
 */
async function openPage(path: string, opts: { timezoneId?: string } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 600 }, ...opts });
  page.setDefaultTimeout(PATIENCE_MS);
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const caller: Caller = {
    id: nextCallerId++,
    emit(channel: EventChannel, payload: unknown) {
      if (channel === eventChannels.appState && stale.has(page)) return;
      page
        .evaluate(([ch, p]) => (window as any).__cwPush(ch, p), [channel, payload] as const)
        .catch(() => {});
    },
  };
  callers.add(caller);
  page.on("close", () => {
    callers.delete(caller);
    backend.releaseCaller(caller.id);
  });
  await page.exposeFunction("__cwInvoke", (channel: InvokeChannel, args: unknown[]) => {
    const handler = handlers.get(channel);
    if (!handler) return { ok: false, error: { message: `unknown channel ${channel}` } };
    return handler(caller, args);
  });
  await page.addInitScript({ content: shim });
  await page.goto(`${baseUrl}/${path}`);
  (page as Page & { errors: string[] }).errors = pageErrors;
  return page;
}

const row = (page: Page, id: string) => page.locator(`tr[data-id="${id}"]`);

/**
 * Runs `fn` while the page's list stands still, then lets it catch up: how the window meets a
 * change it has not heard of yet (the action it offers is refused), without racing the update.
 */
async function withStaleList(page: Page, fn: () => Promise<void>): Promise<void> {
  stale.add(page);
  try {
    await fn();
  } finally {
    stale.delete(page);
    for (const c of callers) c.emit(eventChannels.appState, backend.state());
  }
}

describe("list window", { timeout: TEST_TIMEOUT_MS }, () => {
  it("renders the workspaces and updates a row when its status changes", async () => {
    const ws = await api.createWorkspace({ repositoryId: demoRepoId, name: "listed", branch: "feature" });
    await eventually("running", async () => (await api.getWorkspace(ws.id)).status === "running");
    const page = await openPage("index.html");
    await page.waitForSelector("body[data-ready=true]");
    await expect.poll(() => row(page, ws.id).getAttribute("data-status"), patiently).toBe("running");
    expect(await row(page, ws.id).locator(".name").textContent()).toBe("listed");
    expect(await row(page, ws.id).locator(".branch").textContent()).toBe("⎇ feature");
    // The token is in a plain file here (no keychain): the window says so.
    expect(await page.locator("#plain-token-warning").isVisible()).toBe(true);
    expect(await page.locator("#connection").textContent()).toBe("live");

    // An update that leaves a row's actions as they were keeps its very buttons: a click between
    // mouse down and up is never lost to a list update.
    const buttons = row(page, ws.id).locator("button");
    await buttons.evaluateAll((all) => {
      for (const [i, b] of all.entries()) Object.assign(b, { __kept: i });
    });
    const kept = () => buttons.evaluateAll((all) => all.map((b) => (b as any).__kept ?? "replaced"));
    const before = await kept();
    expect(before.length).toBeGreaterThanOrEqual(3);
    for (const name of ["listed-renamed", "listed"]) {
      await api.updateWorkspace(ws.id, { name });
      await expect.poll(() => row(page, ws.id).locator(".name").textContent(), patiently).toBe(name);
      expect(await kept()).toEqual(before);
    }

    // Changed elsewhere (a script, another device): the row follows.
    await api.pauseWorkspace(ws.id);
    await expect.poll(() => row(page, ws.id).getAttribute("data-status"), patiently).toBe("paused");
    expect(await row(page, ws.id).locator(".status").textContent()).toBe("Paused");
    expect(await row(page, ws.id).locator("button[data-action=resume]").isVisible()).toBe(true);
    await page.screenshot({ path: join(artifacts, "list-paused.png") });

    // Acting from the window, and a refused action's message shown, not swallowed.
    await row(page, ws.id).locator("button[data-action=resume]").click();
    await expect.poll(() => row(page, ws.id).getAttribute("data-status"), patiently).toBe("running");
    await withStaleList(page, async () => {
      await api.stopWorkspace(ws.id);
      await row(page, ws.id).locator("button[data-action=pause]").click();
      await expect
        .poll(() => page.locator("#errors li").first().textContent(), patiently)
        .toMatch(/^Pause listed: .*stopped/);
    });

    // Delete asks first.
    await expect.poll(() => row(page, ws.id).getAttribute("data-status"), patiently).toBe("stopped");
    await row(page, ws.id).locator("button[data-action=delete]").click();
    await page.locator("#confirm-delete button[value=delete]").click();
    await expect.poll(() => row(page, ws.id).count(), patiently).toBe(0);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it("shows who is connected and the holds (who, reason, until) in the user's time zone, and why it runs", async () => {
    const ws = await api.createWorkspace({ repositoryId: demoRepoId, name: "busy", branch: "feature" });
    await eventually("running", async () => (await api.getWorkspace(ws.id)).status === "running");
    const { user } = await api.getMe();
    // Not the machine's zone (the tests' is usually UTC): the page must use the one it is given.
    const timeZone = "Asia/Kolkata";
    const page = await openPage("index.html", { timezoneId: timeZone });
    await page.waitForSelector("body[data-ready=true]");
    const r = row(page, ws.id);
    await expect.poll(() => r.getAttribute("data-status"), patiently).toBe("running");
    expect(await r.locator(".who").textContent()).toBe("—");
    expect(await r.getAttribute("data-activity")).toBe("counting_down");
    expect(await r.locator(".activity").textContent()).toMatch(
      /^idle: auto-pause at (tomorrow )?\d\d:\d\d \(in \d+ min\)$/,
    );

    const presence = await joinPresence({ api, clientType: "web" }, ws.id);
    const hold = await api.createHold(ws.id, { minutes: 120, reason: "nightly build" });
    try {
      await expect.poll(() => r.locator(".person-name").allTextContents(), patiently).toEqual([user.name]);
      await expect
        .poll(() => r.locator(".hold-reason").allTextContents(), patiently)
        .toEqual(["'nightly build'"]);
      expect(await r.locator(".person").getAttribute("title")).toBe(user.email);
      expect(await r.locator(".person .muted").textContent()).toMatch(/^ web · since \d\d:\d\d$/);
      expect(await r.locator(".hold").getAttribute("data-hold-id")).toBe(hold.id);
      expect(await r.locator(".hold-by").textContent()).toBe(user.name);
      const until = new Intl.DateTimeFormat("en-GB", {
        timeZone,
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(new Date(hold.until));
      expect(await r.locator(".hold-until").textContent()).toMatch(new RegExp(`^(tomorrow )?${until}$`));
      await expect.poll(() => r.getAttribute("data-activity"), patiently).toBe("held_by_sessions");
      expect(await r.locator(".activity").textContent()).toMatch(
        new RegExp(
          `^running because ${user.name} \\(web, \\d+ min\\) and a hold 'nightly build' until (tomorrow )?${until}$`,
        ),
      );
      await page.screenshot({ path: join(artifacts, "list-activity.png") });
    } finally {
      await presence.leave();
      await api.deleteHold(ws.id, hold.id);
    }
    // Both gone: nobody and nothing holds it.
    await expect.poll(() => r.locator(".who").textContent(), patiently).toBe("—");
    await expect.poll(() => r.getAttribute("data-activity"), patiently).toBe("counting_down");
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it("deletes a workspace holding unsaved work only as the user chooses, showing what it holds", async () => {
    const ws = await api.createWorkspace({ repositoryId: demoRepoId, name: "unsaved", branch: "feature" });
    const vmId = await eventually("running", async () => {
      const now = await api.getWorkspace(ws.id);
      return now.status === "running" && now.providerVmId;
    });
    const checkout = join(stack.vmHost!.vmDir(vmId), "workspace");
    writeFileSync(join(checkout, "notes.txt"), "only here\n");
    writeFileSync(join(checkout, "feature.txt"), "edited in the VM\n");
    const page = await openPage("index.html");
    await page.waitForSelector("body[data-ready=true]");
    await expect.poll(() => row(page, ws.id).getAttribute("data-status"), patiently).toBe("running");

    const askDelete = async () => {
      await row(page, ws.id).locator("button[data-action=delete]").click();
      await page.locator("#confirm-delete button[value=delete]").click();
      await expect.poll(() => page.locator("#unsaved-work").getAttribute("open"), patiently).not.toBeNull();
    };
    await askDelete();
    expect(await page.locator("#unsaved-work-name").textContent()).toBe("unsaved");
    expect(await page.locator("#unsaved-work-list li").allTextContents()).toEqual([
      "1 file with uncommitted changes",
      "1 untracked file",
    ]);
    expect(await page.locator("#unsaved-work-detail").textContent()).toMatch(
      /^None of it is on the git host\./,
    );
    expect(
      await page
        .locator("#unsaved-work button")
        .evaluateAll((all) => all.map((b) => [b.textContent, b.hasAttribute("disabled")])),
    ).toEqual([
      ["Cancel", false],
      ["Delete anyway", false],
      ["Save to a branch, then delete", false],
    ]);
    await page.screenshot({ path: join(artifacts, "delete-unsaved-work.png") });

    // Cancel keeps everything.
    await page.locator("#unsaved-work button[value=cancel]").click();
    await expect
      .poll(() => row(page, ws.id).locator("button[data-action=delete]").isEnabled(), patiently)
      .toBe(true);
    expect((await api.getWorkspace(ws.id)).status).toBe("running");

    // Saved to a branch of the git host, then deleted; the window says where the work went.
    await askDelete();
    await page.locator("#unsaved-work button[value=preserve]").click();
    await expect.poll(() => row(page, ws.id).count(), patiently).toBe(0);
    const notice = (await page.locator("#errors li.notice").first().textContent()) ?? "";
    const wip = /pushed to (cw\/wip\/unsaved-\d{8}T\d{6}Z)/.exec(notice)?.[1];
    expect(wip, notice).toBeDefined();
    const bare = new URL((await api.listRepositories()).items.find((r) => r.id === demoRepoId)!.cloneUrl)
      .pathname;
    expect(git(bare, "show", `refs/heads/${wip}:notes.txt`)).toBe("only here");
    expect(git(bare, "show", `refs/heads/${wip}:feature.txt`)).toBe("edited in the VM");
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it("creates a workspace through the form: the contract's errors shown in the form, then provisioning → running", async () => {
    const page = await openPage("index.html");
    await page.waitForSelector("body[data-ready=true]");
    await page.click("#new-workspace-button");
    await expect
      .poll(() => page.locator("#repo-select option").first().textContent(), patiently)
      .toBe("demo");
    await page.selectOption("#repo-select", demoRepoId);
    expect(await page.inputValue("#branch")).toBe("main");
    await page.fill("#ws-name", "from-the-form");
    await page.fill("#branch", "bad..branch");
    await page.fill("#auto-stop", "45");
    await page.click("#new-workspace-form button[type=submit]");
    await expect
      .poll(() => page.locator("#new-workspace-form .form-error").textContent(), patiently)
      .toBe("Invalid createWorkspace request: branch: not a valid git branch name");
    await page.screenshot({ path: join(artifacts, "create-error.png") });

    await page.fill("#branch", "feature");
    await page.click("#new-workspace-form button[type=submit]");
    await expect.poll(() => page.locator("#new-workspace").getAttribute("open"), patiently).toBeNull();
    const created = page.locator("tr", { has: page.locator(".name", { hasText: "from-the-form" }) });
    await expect.poll(() => created.getAttribute("data-status"), patiently).toBe("running");
    const id = (await created.getAttribute("data-id"))!;
    expect(await api.getWorkspace(id)).toMatchObject({ branch: "feature", autoStopMinutes: 45 });
    await page.close();
  });
});

describe("enable cloud window", { timeout: TEST_TIMEOUT_MS }, () => {
  it("reads the folder's origin and branch, refuses an unpushed one with git's reason, enables a pushed one", async () => {
    const { clone } = originAndClone(join(tmp, "enable"));
    commit(clone, "wip.txt", "not pushed\n");
    const page = await openPage("index.html");
    await page.waitForSelector("body[data-ready=true]");
    await page.click("#enable-cloud-button");
    expect((await page.locator("#untrusted-git-config").textContent())?.replace(/\s+/g, " ").trim()).toMatch(
      /^The folder's own git settings \(\.git\/config\) are not trusted/,
    );
    expect(await page.locator("#untrusted-git-config").isVisible()).toBe(true);
    await page.fill("#folder", clone);
    await page.locator("#folder").dispatchEvent("change");
    const formError = page.locator("#enable-cloud-form .form-error");
    await expect
      .poll(() => formError.textContent(), patiently)
      .toBe('1 commit is on "main" but not on origin; push first (git push origin main)');
    await page.screenshot({ path: join(artifacts, "enable-cloud-refused.png") });

    git(clone, "push", "-q", "origin", "main");
    await page.locator("#folder").dispatchEvent("change");
    await expect
      .poll(() => page.locator("#worktree-info").textContent(), patiently)
      .toMatch(/^origin .*origin\.git · branch main · [0-9a-f]{8}$/);
    expect(await formError.isVisible()).toBe(false);
    await page.click("#enable-cloud-form button[type=submit]");
    await expect
      .poll(async () => (await page.locator("#enable-cloud").getAttribute("open")) ?? "closed", patiently)
      .toBe("closed");
    const created = page.locator("tr", { has: page.locator(".name", { hasText: "work-main" }) });
    await expect.poll(() => created.getAttribute("data-status"), patiently).toBe("running");
    expect(backend.state().store?.links).toContainEqual({
      worktreePath: clone,
      cloudWorkspaceId: await created.getAttribute("data-id"),
      cloudSyncEnabled: true,
    });
    await page.close();
  });
});

describe("terminal window", { timeout: TEST_TIMEOUT_MS }, () => {
  it("shows the output of a command typed into it", async () => {
    const ws = await api.createWorkspace({ repositoryId: demoRepoId, name: "term", branch: "main" });
    await eventually("running", async () => (await api.getWorkspace(ws.id)).status === "running");
    const page = await openPage(`terminal.html?workspace=${ws.id}`);
    await expect.poll(() => page.locator("#term-state").textContent(), patiently).toBe("connected");
    expect(await page.title()).toBe("☁ term — main");
    await eventually("presence joined", async () => (await api.getWorkspace(ws.id)).connectedCount === 1);

    const screen = () =>
      page.evaluate(() => {
        const buf = (window as any).__term.buffer.active;
        const lines: string[] = [];
        for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i).translateToString(true));
        return lines.join("\n");
      });
    await page.locator(".xterm-helper-textarea").focus();
    await page.keyboard.type("echo hello-$((6*7)) ünïcödé-€\n");
    await expect.poll(screen, patiently).toMatch(/^hello-42 ünïcödé-€$/m);
    await page.keyboard.type("exit\n");
    await expect.poll(screen, patiently).toMatch(/\[session ended: exited with code 0\]/);
    expect(await page.locator("#reconnect").isVisible()).toBe(true);
    await page.screenshot({ path: join(artifacts, "terminal.png") });
    await eventually("presence left", async () => (await api.getWorkspace(ws.id)).connectedCount === 0);

    // Reconnect opens a fresh shell.
    await page.click("#reconnect");
    await expect.poll(() => page.locator("#term-state").textContent(), patiently).toBe("connected");
    await page.locator(".xterm-helper-textarea").focus();
    await page.keyboard.type("echo again-$((2+3))\n");
    await expect.poll(screen, patiently).toMatch(/^again-5$/m);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
    await eventually(
      "closing the window leaves",
      async () => (await api.getWorkspace(ws.id)).connectedCount === 0,
    );
  });
});
