import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A private git host for tests: real git's smart-HTTP server (`git http-backend`, a CGI program)
 * behind a small `node:http` server that demands basic auth, as GitHub does for a private
 * repository. Anonymous requests get 401 with `WWW-Authenticate`, so git asks its credential
 * helper; a wrong password gets 401 again. Clone, fetch, ls-remote and push all work.
 */
export interface GitHttpServer {
  /** `http://127.0.0.1:<port>`: a repository `<root>/<name>.git` is at `${url}/<name>.git`. */
  url: string;
  /** `127.0.0.1:<port>`, as git names the host in its credential protocol. */
  host: string;
  /** Who may sign in (user → password); replace or clear it at any time. */
  users: Map<string, string>;
  /** Every request: method, path, the user it authenticated as (null: anonymous or refused), status. */
  requests: { method: string; path: string; user: string | null; status: number }[];
  close(): Promise<void>;
}

function credentialsOf(req: IncomingMessage): { user: string; password: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Runs http-backend for one request and relays its CGI answer (headers, a blank line, the body). */
function relay(
  root: string,
  user: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<number> {
  return new Promise((resolve) => {
    const cgi = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        // http-backend enables push for an authenticated user.
        REMOTE_USER: user,
        REMOTE_ADDR: "127.0.0.1",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? "GET",
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
        GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
      },
      stdio: ["pipe", "pipe", "ignore"],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let status = 200;
    let headersDone = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      const endLf = head.indexOf("\n\n");
      const cut = end >= 0 ? { at: end, len: 4 } : endLf >= 0 ? { at: endLf, len: 2 } : null;
      if (!cut) return;
      headersDone = true;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, cut.at).toString("latin1").split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(cut.at + cut.len));
    });
    cgi.on("close", () => {
      if (!headersDone) res.writeHead(502).end();
      else res.end();
      resolve(status);
    });
  });
}

export async function startGitHttpServer(opts: {
  /** Folder of bare repositories. */
  root: string;
  users?: Record<string, string>;
}): Promise<GitHttpServer> {
  const users = new Map(Object.entries(opts.users ?? {}));
  const requests: GitHttpServer["requests"] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://git.test");
    const creds = credentialsOf(req);
    const user = creds && users.get(creds.user) === creds.password ? creds.user : null;
    if (!user) {
      req.resume();
      res.writeHead(401, { "www-authenticate": 'Basic realm="private git"', "content-type": "text/plain" });
      res.end("authentication required\n");
      requests.push({ method: req.method ?? "", path: url.pathname, user: null, status: 401 });
      return;
    }
    const status = await relay(opts.root, user, req, res, url);
    requests.push({ method: req.method ?? "", path: url.pathname, user, status });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    users,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
