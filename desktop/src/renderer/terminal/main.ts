import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import type { TerminalExitEvent } from "../../shared/ipc.ts";
import { byId, desktopApi, errorMessage } from "../dom.ts";

/**
 * A terminal window: xterm (fit addon, 256 colours, UTF-8) on an SSH shell run by main. The
 * workspace id comes in the URL; output arrives already decoded and batched.
 */
const api = desktopApi();
const workspaceId = new URLSearchParams(location.search).get("workspace") ?? "";
const stateLabel = byId("term-state");
const reconnectButton = byId<HTMLButtonElement>("reconnect");

let terminalId: string | null = null;
let unsubscribe: (() => void)[] = [];

async function start(): Promise<void> {
  const appState = await api.app.state().catch(() => null);
  const settings = appState?.terminal;
  const term = new Terminal({
    fontSize: settings?.fontSize ?? 13,
    fontFamily: settings?.fontFamily ?? "monospace",
    scrollback: settings?.scrollback ?? 5000,
    cursorBlink: true,
    allowProposedApi: false,
    theme: { background: "#101114" },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(byId("terminal"));
  fit.fit();
  (window as unknown as { __term?: Terminal }).__term = term;

  // Linux/Windows copy and paste (macOS uses the Edit menu's Cmd+C / Cmd+V, which xterm handles).
  term.attachCustomKeyEventHandler((ev) => {
    if (ev.type !== "keydown" || !ev.ctrlKey || !ev.shiftKey) return true;
    if (ev.code === "KeyC") {
      const selection = term.getSelection();
      if (selection) void navigator.clipboard.writeText(selection);
      return false;
    }
    if (ev.code === "KeyV") {
      void navigator.clipboard.readText().then((text) => term.paste(text));
      return false;
    }
    return true;
  });

  term.onData((data) => {
    if (terminalId) api.terminal.write(terminalId, data).catch(() => {});
  });
  term.onResize(({ cols, rows }) => {
    if (terminalId) api.terminal.resize(terminalId, cols, rows).catch(() => {});
  });
  new ResizeObserver(() => fit.fit()).observe(byId("terminal"));

  async function connect(): Promise<void> {
    reconnectButton.hidden = true;
    stateLabel.textContent = "connecting…";
    try {
      const info = await api.terminal.open({ workspaceId, cols: term.cols, rows: term.rows });
      terminalId = info.terminalId;
      document.title = `☁ ${info.workspace.name} — ${info.workspace.branch}`;
      byId("term-title").textContent = `${info.workspace.name} — ${info.workspace.branch}`;
      stateLabel.textContent = "connected";
      unsubscribe = [
        api.terminal.onData(info.terminalId, (data) => term.write(data)),
        api.terminal.onExit(info.terminalId, onExit),
      ];
      term.focus();
    } catch (err) {
      term.write(`\r\n\x1b[31m${errorMessage(err).replace(/\n/g, "\r\n")}\x1b[0m\r\n`);
      stateLabel.textContent = "not connected";
      reconnectButton.hidden = false;
    }
  }

  function onExit(exit: TerminalExitEvent): void {
    for (const u of unsubscribe) u();
    unsubscribe = [];
    terminalId = null;
    const why = exit.error
      ? exit.error
      : exit.signal
        ? `killed by signal ${exit.signal}`
        : `exited with code ${exit.code ?? "unknown"}`;
    term.write(`\r\n\x1b[2m[session ended: ${why}]\x1b[0m\r\n`);
    stateLabel.textContent = "ended";
    reconnectButton.hidden = false;
  }

  reconnectButton.addEventListener("click", () => void connect());
  window.addEventListener("beforeunload", () => {
    if (terminalId) void api.terminal.close(terminalId);
  });
  await connect();
}

if (!workspaceId) stateLabel.textContent = "no workspace given";
else void start();
