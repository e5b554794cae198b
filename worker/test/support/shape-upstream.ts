import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import type { RecordedRequest } from "../provided-context.ts";

/**
 * A stand-in for Electric's shape endpoint, run in Node by the global setup: it records every
 * request it receives (`GET /__recorded` returns and clears them) and answers like Electric would,
 * gzip-compressed, with Electric's headers. `handle=expired` answers 409 must-refetch.
 */
export const UPSTREAM_ROW = {
  id: "7f0c0d3e-8a51-4a39-9d59-1c1f1b8e0a11",
  organization_id: "00000000-0000-4000-8000-0000000000aa",
  name: "from-electric",
  connected_count: "2",
};

export async function startShapeUpstream() {
  let recorded: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://upstream");
    if (url.pathname === "/__recorded") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(recorded));
      recorded = [];
      return;
    }
    recorded.push({ url: req.url ?? "", headers: req.headers });
    if (url.searchParams.get("handle") === "expired") {
      res
        .writeHead(409, { "content-type": "application/json", "electric-handle": "fresh-handle" })
        .end(JSON.stringify([{ headers: { control: "must-refetch" } }]));
      return;
    }
    const live = url.searchParams.get("live") === "true";
    const body = gzipSync(
      JSON.stringify([
        {
          headers: { operation: "insert" },
          key: `"public"."cloud_workspaces"/"${UPSTREAM_ROW.id}"`,
          value: UPSTREAM_ROW,
        },
        { headers: { control: "up-to-date" } },
      ]),
    );
    res.writeHead(200, {
      "content-type": "application/json",
      "content-encoding": "gzip",
      "content-length": String(body.length),
      "set-cookie": "upstream=1",
      "cache-control": live
        ? "public, max-age=5, stale-while-revalidate=5"
        : "public, max-age=60, stale-while-revalidate=300",
      etag: '"up-handle:-1:0_0"',
      "electric-handle": "up-handle",
      "electric-offset": "0_0",
      "electric-up-to-date": "",
      ...(live
        ? { "electric-cursor": "4242" }
        : {
            "electric-schema": JSON.stringify({
              id: { type: "uuid", pk_index: 0, not_null: true },
              organization_id: { type: "uuid", not_null: true },
              name: { type: "text", not_null: true },
              connected_count: { type: "int4", not_null: true },
            }),
          }),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
