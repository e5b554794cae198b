import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { FetchLike } from "@cw/contracts/client";

/**
 * The API client's requests over `node:http`/`node:https` instead of the global `fetch`: Node 20
 * loads and compiles its fetch (undici and its WebAssembly parser) on first use, measured at
 * ~40 ms of CPU — paid by every `cw` run, `ssh cw-<name>` included, for one or two small JSON
 * requests. Only what the client uses: method, headers, a text body, an abort signal; the answer's
 * status and text.
 */
export const httpFetch: FetchLike = (url, init) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(target, { method: init.method, headers: init.headers, signal: init.signal });
    req.once("error", (e: Error) => reject(init.signal.aborted ? (init.signal.reason as Error) : e));
    req.once("response", (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.once("error", reject);
      res.once("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const status = res.statusCode ?? 0;
        resolve({
          ok: status >= 200 && status < 300,
          status,
          statusText: res.statusMessage ?? "",
          text: async () => text,
        });
      });
    });
    req.end(init.body);
  });
