import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { commit, git, originAndClone, startTestStack, type TestStack, waitFor } from "@cw/testing/node";
import { build } from "esbuild";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRenderer } from "../scripts/build.ts";
import { type ApiClient, createApiClient } from "../src/core/api-client.ts";
import { type Caller, createDesktopBackend, type DesktopBackend } from "../src/core/desktop-backend.ts";
import { createIpcHandlers, type IpcHandler } from "../src/core/ipc-handlers.ts";
import { parseSettings } from "../src/core/settings.ts";
import { memoryHostKeyStore } from "../src/core/ssh/host-keys.ts";
import { createWorkspaceSync } from "../src/core/sync/index.ts";
import { plainFileTokenStore } from "../src/core/token-store.ts";
import { type EventChannel, eventChannels, type InvokeChannel } from "../src/shared/ipc.ts";

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

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const rendererDir = join(tmp, "renderer");
  const [s] = await Promise.all([startTestStack("cw-desktop-renderer-stack-"), buildRenderer(rendererDir)]);
  stack = s;
  api = createApiClient({ baseUrl: stack.workerUrl, token: stack.token });
  demoRepoId = (await api.listRepositories()).find((r) => r.name === "demo")!.id;

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
    ui: { openTerminalWindow: () => {}, chooseFolder: async () => null },
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
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await backend?.close();
  server?.close();
  await stack?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

let nextCallerId = 1;
/** A page whose `window.cw` is the preload API, wired to the real backend like main wires a window. */
async function openPage(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const caller: Caller = {
    id: nextCallerId++,
    emit(channel: EventChannel, payload: unknown) {
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

describe("list window", () => {
  it("renders the workspaces and updates a row when its status changes", async () => {
    const ws = await api.createWorkspace({ repositoryId: demoRepoId, name: "listed", branch: "feature" });
    await waitFor("running", async () => (await api.getWorkspace(ws.id)).status === "running");
    const page = await openPage("index.html");
    await page.waitForSelector("body[data-ready=true]");
    await expect
      .poll(() => row(page, ws.id).getAttribute("data-status"), { timeout: 15_000 })
      .toBe("running");
    expect(await row(page, ws.id).locator(".name").textContent()).toBe("listed");
    expect(await row(page, ws.id).locator(".branch").textContent()).toBe("⎇ feature");
    // The token is in a plain file here (no keychain): the window says so.
    expect(await page.locator("#plain-token-warning").isVisible()).toBe(true);
    expect(await page.locator("#connection").textContent()).toBe("live");

    // Changed elsewhere (a script, another device): the row follows.
    await api.pause(ws.id);
    await expect.poll(() => row(page, ws.id).getAttribute("data-status"), { timeout: 15_000 }).toBe("paused");
    expect(await row(page, ws.id).locator(".status").textContent()).toBe("Paused");
    expect(await row(page, ws.id).locator("button[data-action=resume]").isVisible()).toBe(true);
    await page.screenshot({ path: join(artifacts, "list-paused.png") });

    // Acting from the window, and a refused action's message shown, not swallowed.
    await row(page, ws.id).locator("button[data-action=resume]").click();
    await expect
      .poll(() => row(page, ws.id).getAttribute("data-status"), { timeout: 15_000 })
      .toBe("running");
    await api.stop(ws.id);
    await row(page, ws.id).locator("button[data-action=pause]").click();
    await expect
      .poll(() => page.locator("#errors li").first().textContent())
      .toMatch(/^Pause listed: .*stopped/);

    // Delete asks first.
    await expect
      .poll(() => row(page, ws.id).getAttribute("data-status"), { timeout: 15_000 })
      .toBe("stopped");
    await row(page, ws.id).locator("button[data-action=delete]").click();
    await page.locator("#confirm-delete button[value=delete]").click();
    await expect.poll(() => row(page, ws.id).count(), { timeout: 15_000 }).toBe(0);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it("creates a workspace through the form: API errors shown in the form, then provisioning → running", async () => {
    const page = await openPage("index.html");
    await page.waitForSelector("body[data-ready=true]");
    await page.click("#new-workspace-button");
    await expect.poll(() => page.locator("#repo-select option").first().textContent()).toBe("demo");
    await page.selectOption("#repo-select", demoRepoId);
    expect(await page.inputValue("#branch")).toBe("main");
    await page.fill("#ws-name", "from-the-form");
    await page.fill("#branch", "bad..branch");
    await page.fill("#auto-stop", "45");
    await page.click("#new-workspace-form button[type=submit]");
    await expect
      .poll(() => page.locator("#new-workspace-form .form-error").textContent())
      .toMatch(/body\.branch: not a valid git branch name/);
    await page.screenshot({ path: join(artifacts, "create-error.png") });

    await page.fill("#branch", "feature");
    await page.click("#new-workspace-form button[type=submit]");
    await expect
      .poll(() => page.locator("#new-workspace").getAttribute("open"), { timeout: 15_000 })
      .toBeNull();
    const created = page.locator("tr", { has: page.locator(".name", { hasText: "from-the-form" }) });
    await expect.poll(() => created.getAttribute("data-status"), { timeout: 30_000 }).toBe("running");
    const id = (await created.getAttribute("data-id"))!;
    expect(await api.getWorkspace(id)).toMatchObject({ branch: "feature", autoStopMinutes: 45 });
    await page.close();
  });
});

describe("enable cloud window", () => {
  it("reads the folder's origin and branch, refuses an unpushed one with git's reason, enables a pushed one", async () => {
    const { clone } = originAndClone(join(tmp, "enable"));
    commit(clone, "wip.txt", "not pushed\n");
    const page = await openPage("index.html");
    await page.waitForSelector("body[data-ready=true]");
    await page.click("#enable-cloud-button");
    await page.fill("#folder", clone);
    await page.locator("#folder").dispatchEvent("change");
    const formError = page.locator("#enable-cloud-form .form-error");
    await expect
      .poll(() => formError.textContent())
      .toBe('1 commit is on "main" but not on origin; push first (git push origin main)');
    await page.screenshot({ path: join(artifacts, "enable-cloud-refused.png") });

    git(clone, "push", "-q", "origin", "main");
    await page.locator("#folder").dispatchEvent("change");
    await expect
      .poll(() => page.locator("#worktree-info").textContent())
      .toMatch(/^origin .*origin\.git · branch main · [0-9a-f]{8}$/);
    expect(await formError.isVisible()).toBe(false);
    await page.click("#enable-cloud-form button[type=submit]");
    await expect
      .poll(async () => (await page.locator("#enable-cloud").getAttribute("open")) ?? "closed", {
        timeout: 15_000,
      })
      .toBe("closed");
    const created = page.locator("tr", { has: page.locator(".name", { hasText: "work-main" }) });
    await expect.poll(() => created.getAttribute("data-status"), { timeout: 30_000 }).toBe("running");
    expect(backend.state().store?.links).toContainEqual({
      worktreePath: clone,
      cloudWorkspaceId: await created.getAttribute("data-id"),
      cloudSyncEnabled: true,
    });
    await page.close();
  });
});

describe("terminal window", () => {
  it("shows the output of a command typed into it", async () => {
    const ws = await api.createWorkspace({ repositoryId: demoRepoId, name: "term", branch: "main" });
    await waitFor("running", async () => (await api.getWorkspace(ws.id)).status === "running");
    const page = await openPage(`terminal.html?workspace=${ws.id}`);
    await expect.poll(() => page.locator("#term-state").textContent(), { timeout: 15_000 }).toBe("connected");
    expect(await page.title()).toBe("☁ term — main");
    await waitFor("presence joined", async () => (await api.getWorkspace(ws.id)).connectedCount === 1);

    const screen = () =>
      page.evaluate(() => {
        const buf = (window as any).__term.buffer.active;
        const lines: string[] = [];
        for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i).translateToString(true));
        return lines.join("\n");
      });
    await page.locator(".xterm-helper-textarea").focus();
    await page.keyboard.type("echo hello-$((6*7)) ünïcödé-€\n");
    await expect.poll(screen, { timeout: 15_000 }).toMatch(/^hello-42 ünïcödé-€$/m);
    await page.keyboard.type("exit\n");
    await expect.poll(screen, { timeout: 15_000 }).toMatch(/\[session ended: exited with code 0\]/);
    expect(await page.locator("#reconnect").isVisible()).toBe(true);
    await page.screenshot({ path: join(artifacts, "terminal.png") });
    await waitFor("presence left", async () => (await api.getWorkspace(ws.id)).connectedCount === 0);

    // Reconnect opens a fresh shell.
    await page.click("#reconnect");
    await expect.poll(() => page.locator("#term-state").textContent(), { timeout: 15_000 }).toBe("connected");
    await page.locator(".xterm-helper-textarea").focus();
    await page.keyboard.type("echo again-$((2+3))\n");
    await expect.poll(screen, { timeout: 15_000 }).toMatch(/^again-5$/m);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
    await waitFor(
      "closing the window leaves",
      async () => (await api.getWorkspace(ws.id)).connectedCount === 0,
    );
  });
});
