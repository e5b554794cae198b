import { readFileSync } from "node:fs";
import type { FetchLike } from "@cw/contracts/client";
import { connectHintsFile, loginFile } from "../config-dir.ts";
import { sendRequest } from "../http-fetch.ts";
import { chooseLogin, type Login } from "../login-choice.ts";
import { looksLikeId } from "../workspace-ref.ts";

type Answer = ReturnType<FetchLike>;

/**
 * Answers to API requests a command is about to make, asked for before its code is loaded.
 * `take` hands one over, once, to a request with the same method, URL and token.
 */
export interface EarlyRequests {
  /** Settles once every request is on the wire (or failed to get there), or after a second. */
  sent: Promise<void>;
  take(method: string, url: string, authorization: string | undefined): Answer | undefined;
}

/**
 * The most the entry waits for the requests to be on the wire before loading the commands: an API
 * that does not even take the connection is the requests' own deadline's business.
 */
const SEND_WAIT_MS = 1_000;

/** The commands that connect to a workspace by `connectCredentials` (`workspace-session.ts`). */
const CONNECTING = new Set(["ssh-proxy", "ssh"]);

const text = (v: unknown) => (typeof v === "string" ? v : undefined);

/** A JSON file's content, or undefined when it is missing or not JSON. */
function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function storedLogin(dir: string): Partial<Login> | null {
  const json = readJson(loginFile(dir)) as Record<string, unknown> | undefined;
  return json && typeof json === "object" ? { url: text(json.url), token: text(json.token) } : null;
}

/** The workspace id the last connection to `ref` found (`connect-hints.ts`). */
function hintedWorkspace(cache: string, api: string, ref: string): string | undefined {
  const hints = readJson(connectHintsFile(cache));
  if (!Array.isArray(hints)) return undefined;
  const hint = hints.find((h) => h && typeof h === "object" && h.api === api && h.ref === ref);
  return text(hint?.workspaceId);
}

/**
 * What `connectCredentials` asks first for `ref`: credentials for the workspace the hint names
 * (the slower request, so first), and the lookup that checks the name still means it
 * (`resolve-workspace.ts`: the workspace for an id, else the first page of the list).
 */
function connectRequests(ref: string, hinted: string | undefined): { method: string; path: string }[] {
  const lookup = looksLikeId(ref) ? `/v1/workspaces/${encodeURIComponent(ref)}` : "/v1/workspaces?limit=200";
  return [
    ...(hinted ? [{ method: "POST", path: `/v1/workspaces/${encodeURIComponent(hinted)}/ssh` }] : []),
    { method: "GET", path: lookup },
  ];
}

/**
 * Starts, from the entry, the API requests a connecting command (`cw ssh-proxy`, `cw ssh`) makes
 * first, so the API answers while the commands' code loads (compiling it, building the contract's
 * schemas, loading ssh2: tens of ms of CPU that a ProxyCommand's connect would otherwise spend
 * before asking anything). Nothing here decides anything: the command asks as it always does,
 * and a request identical to one started here (method, URL, token) takes its answer instead of
 * asking again; an answer nobody takes is dropped. So the login and the hint are read leniently,
 * without zod (loading it would cost about what this saves): a misread only costs a request
 * nobody uses. The token goes only where the command itself would send it (`chooseLogin`).
 */
export function startEarlyRequests(
  command: string,
  args: string[],
  dirs: { config: string; cache: string },
  env: NodeJS.ProcessEnv = process.env,
): EarlyRequests | undefined {
  const ref = args[0];
  if (!CONNECTING.has(command) || !ref) return undefined;
  const chosen = chooseLogin(env, () => storedLogin(dirs.config));
  if ("problem" in chosen) return undefined;
  const { url, token } = chosen.login;
  const authorization = `Bearer ${token}`;
  const pending = new Map<string, Answer>();
  const sent: Promise<void>[] = [];
  for (const { method, path } of connectRequests(ref, hintedWorkspace(dirs.cache, url, ref))) {
    const request = sendRequest(`${url}${path}`, {
      method,
      // What the API client sends (`@cw/contracts/client`).
      headers: { authorization, accept: "application/json" },
      signal: new AbortController().signal,
    });
    // Failures belong to whoever takes the answer; one left untaken must not end the process.
    request.answer.catch(() => {});
    pending.set(`${method} ${url}${path}`, request.answer);
    sent.push(request.sent);
  }
  const waited = new Promise<void>((resolve) => setTimeout(resolve, SEND_WAIT_MS).unref());
  return {
    sent: Promise.race([Promise.all(sent).then(() => {}), waited]),
    take(method, requestUrl, auth) {
      const key = `${method} ${requestUrl}`;
      const answer = auth === authorization ? pending.get(key) : undefined;
      pending.delete(key);
      return answer;
    },
  };
}

/**
 * `fetch`, except that a request started early (`startEarlyRequests`) takes that answer; the
 * request's own deadline still applies to it.
 */
export function withEarlyAnswers(fetch: FetchLike, early: EarlyRequests | undefined): FetchLike {
  if (!early) return fetch;
  return (url, init) => {
    const answer = early.take(init.method, url, init.headers.authorization);
    if (!answer) return fetch(url, init);
    const { signal } = init;
    return new Promise((resolve, reject) => {
      const abort = () => reject(signal.reason as Error);
      if (signal.aborted) return abort();
      signal.addEventListener("abort", abort, { once: true });
      answer.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
    });
  };
}
