import { mkdtempSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Freestyle } from "freestyle-sandboxes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAX_BODY_BYTES = 1024 * 1024;

import { startVmHost, type VmHost } from "../src/vm-host/index.ts";

/**
 * The VM host runs every VM as the developer's own user, so its edges are what keeps other local
 * users (a laptop is a shared machine too) from running commands as the developer.
 */
const API_KEY = "boundaries-test-key";
let tmp: string;
let host: VmHost;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "vm-host-edges-"));
  host = await startVmHost({ dataDir: join(tmp, "data"), apiKey: API_KEY });
});

afterAll(async () => {
  await host?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * Sends a request whose body is declared (or streamed) but not all sent: resolves with the answer
 * the server gives without waiting for the rest. A server that reads the body first never answers.
 */
function answerBeforeBody(opts: {
  path: string;
  headers: Record<string, string | number>;
  send: number;
}): Promise<{ status: number; body: unknown }> {
  const url = new URL(host.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: "POST", path: opts.path, headers: opts.headers },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    // The server may close the connection once it has answered; that is the point.
    req.on("error", (err) => (req.destroyed ? undefined : reject(err)));
    req.write(Buffer.alloc(opts.send, "x"));
  });
}

describe("VM host boundaries", () => {
  it("answers 401 before reading the body of an unauthenticated request", async () => {
    const answer = await answerBeforeBody({
      path: "/v1/vms",
      headers: { "content-type": "application/json", "content-length": 300_000_000 },
      send: 64 * 1024,
    });
    expect(answer).toEqual({
      status: 401,
      body: expect.objectContaining({ code: "UNAUTHORIZED", message: expect.any(String) }),
    });
  });

  it("refuses a body over the cap with 413, declared or streamed", async () => {
    const auth = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };
    const declared = await answerBeforeBody({
      path: "/v1/vms",
      headers: { ...auth, "content-length": MAX_BODY_BYTES + 1 },
      send: 1024,
    });
    expect(declared).toEqual({ status: 413, body: expect.objectContaining({ code: "PAYLOAD_TOO_LARGE" }) });
    const streamed = await answerBeforeBody({
      path: "/v1/vms",
      headers: { ...auth, "transfer-encoding": "chunked" },
      send: MAX_BODY_BYTES + 1024,
    });
    expect(streamed).toEqual({ status: 413, body: expect.objectContaining({ code: "PAYLOAD_TOO_LARGE" }) });
  });

  it("writes its state file (live SSH tokens) owner-only", async () => {
    const freestyle = new Freestyle({ apiKey: API_KEY, baseUrl: host.url });
    const { identity } = await freestyle.identities.create();
    await identity.tokens.create();
    expect(statSync(join(tmp, "data", "state.json")).mode & 0o777).toBe(0o600);
  });

  it("refuses to listen beyond loopback, and to start without a key", async () => {
    for (const address of ["0.0.0.0", "::", "localhost.example"]) {
      await expect(
        startVmHost({ dataDir: join(tmp, "wide"), apiKey: API_KEY, host: address }),
      ).rejects.toThrow(/loopback/);
    }
    await expect(startVmHost({ dataDir: join(tmp, "keyless"), apiKey: "" })).rejects.toThrow(/API key/);
  });
});
