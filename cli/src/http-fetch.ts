import { request as httpRequest, type IncomingMessage } from "node:http";
import type { FetchLike } from "@cw/contracts/client";

type Init = Parameters<FetchLike>[1];
type Answer = Awaited<ReturnType<FetchLike>>;

/**
 * One request over `node:http`/`node:https`: `answer` is what `fetch` would give, `sent` settles
 * once the request is on the wire (or could not be sent), so a caller can let the API work while
 * it blocks the event loop itself (`entry/early-requests.ts`). `node:https` (TLS, ~10 ms to load)
 * is loaded only for an https URL.
 */
export function sendRequest(url: string, init: Init): { sent: Promise<void>; answer: Promise<Answer> } {
  let sent!: () => void;
  const onWire = new Promise<void>((resolve) => (sent = resolve));
  const target = new URL(url);
  const answer = (
    target.protocol === "https:"
      ? import("node:https").then((https) => https.request)
      : Promise.resolve(httpRequest)
  ).then(
    (request) =>
      new Promise<Answer>((resolve, reject) => {
        const req = request(target, { method: init.method, headers: init.headers, signal: init.signal });
        req.once("finish", sent);
        req.once("close", sent);
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
      }),
  );
  answer.catch(sent);
  return { sent: onWire, answer };
}

/**
 * The API client's requests over `node:http`/`node:https` instead of the global `fetch`: Node 20
 * loads and compiles its fetch (undici and its WebAssembly parser) on first use, measured at
 * ~40 ms of CPU — paid by every `cw` run, `ssh cw-<name>` included, for one or two small JSON
 * requests. Only what the client uses: method, headers, a text body, an abort signal; the answer's
 * status and text.
 */
export const httpFetch: FetchLike = (url, init) => sendRequest(url, init).answer;
