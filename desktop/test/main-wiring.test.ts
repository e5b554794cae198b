import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { waitFor } from "@cw/testing";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invokeChannels } from "../src/shared/ipc.ts";
import type { fake as Fake } from "./support/fake-electron.ts";
import { PATIENCE_MS, TEST_TIMEOUT_MS } from "./support/patience.ts";

/**
 * The main process as built for Electron, loaded in Node with a recording stand-in for the
 * `electron` module: it must open a secure window, register every channel behind the sender
 * check, and build the tray menu. (Its types are checked against Electron's by tsc.)
 */
// Inside desktop/, so the bundle's external packages resolve from desktop/node_modules.
const tmp = mkdtempSync(join(import.meta.dirname, "../.test-main-"));
let fake: typeof Fake;

beforeAll(async () => {
  const out = join(tmp, "main.mjs");
  await build({
    entryPoints: [join(import.meta.dirname, "../src/main/index.ts")],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    alias: { electron: join(import.meta.dirname, "support/fake-electron.ts") },
    logLevel: "warning",
  });
  // Electron makes userData with the usual mode; the app must close it to others.
  chmodSync(tmp, 0o755);
  (globalThis as Record<string, unknown>).__fakeElectronUserData = tmp;
  process.env.CW_API_URL = "";
  await import(pathToFileURL(out).href);
  fake = (globalThis as Record<string, unknown>).__fakeElectron as typeof Fake;
  // main() runs on after the import resolves: wait for its start-up to build the first tray menu
  // (or to report an error, which the tests below then show).
  await waitFor(
    "the first tray menu",
    () => fake.menus.length > 0 || fake.errors.length > 0,
    PATIENCE_MS,
    20,
  );
}, TEST_TIMEOUT_MS);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("main process wiring", () => {
  it("opens the list window with the security defaults when not set up", () => {
    expect(fake.errors).toEqual([]);
    expect(fake.windows).toHaveLength(1);
    const win = fake.windows[0]!;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      preload: join(tmp, "preload.cjs"),
    });
    expect(win.loaded?.file).toBe(join(tmp, "renderer/index.html"));
    expect(statSync(tmp).mode & 0o777).toBe(0o700);
  });

  it("registers exactly the allowlisted channels and refuses other senders", async () => {
    expect([...fake.handlers.keys()].sort()).toEqual(Object.values(invokeChannels).sort());
    const handler = fake.handlers.get(invokeChannels.appState)!;
    const win = fake.windows[0]!;

    const stranger = { sender: { id: 999, once() {} }, senderFrame: { url: win.webContents.url } };
    expect(await handler(stranger)).toEqual({
      ok: false,
      error: { message: "Refused: not one of this app's windows" },
    });
    const foreignPage = { sender: win.webContents, senderFrame: { url: "https://evil.example/" } };
    expect(await handler(foreignPage)).toMatchObject({ ok: false });

    const ours = { sender: win.webContents, senderFrame: { url: win.webContents.url } };
    expect(await handler(ours)).toMatchObject({
      ok: true,
      value: { configured: false, tokenStorage: "plain-file", apiUrl: null },
    });
    // Arguments are validated in main too.
    const configure = fake.handlers.get(invokeChannels.configure)!;
    expect(await configure(ours, { apiUrl: "http://x" })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^Invalid configure request/) },
    });
  });

  it("builds the tray menu from the model", () => {
    const menu = fake.menus.at(-1) as { label?: string; enabled?: boolean; type?: string }[];
    expect(menu[0]).toEqual({ label: "Not set up: add the API URL and a token", enabled: false });
    expect(menu.map((m) => m.label ?? m.type)).toContain("Quit");
    expect(fake.tooltips.at(-1)).toBe("Cloud workspaces");
  });
});
