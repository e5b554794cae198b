import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startVmHost, type VmHost } from "@cw/local/vm-host/index";
import { Freestyle } from "freestyle-sandboxes";
import ssh2 from "ssh2";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runSshBridge } from "../src/ssh-bridge/bridge.ts";
import { generateHostKey } from "../src/ssh-bridge/host-key.ts";
import { memoryKnownHosts } from "../src/ssh-bridge/known-hosts.ts";

const API_KEY = "keepalive-test-key";
let tmp: string;
let host: VmHost;
const servers: Server[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "cw-bridge-keepalive-"));
  host = await startVmHost({ dataDir: join(tmp, "vm-host"), apiKey: API_KEY });
});

afterAll(async () => {
  // The frozen relay's sockets would keep the VM host's SSH server from closing.
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
  await host?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

/** A TCP relay to the gateway that can go silent, as a network does when a laptop sleeps. */
async function freezableRelay(targetPort: number) {
  const pairs: [Socket, Socket][] = [];
  const port = await listen((inbound) => {
    const outbound = tcpConnect(targetPort, "127.0.0.1");
    inbound.pipe(outbound).pipe(inbound);
    pairs.push([inbound, outbound]);
    sockets.push(inbound, outbound);
  });
  return {
    port,
    freeze: () => {
      for (const [a, b] of pairs) {
        a.unpipe();
        b.unpipe();
        a.pause();
        b.pause();
      }
    },
  };
}

it("ends the local connection with one line when the gateway stops answering keepalives", async () => {
  const freestyle = new Freestyle({ apiKey: API_KEY, baseUrl: host.url });
  const { vmId } = await freestyle.vms.create({});
  const { identity } = await freestyle.identities.create();
  await identity.permissions.vms.grant({ vmId });
  const { token } = await identity.tokens.create();
  const relay = await freezableRelay(host.sshPort);

  const said: string[] = [];
  let bridge!: Promise<void>;
  const port = await listen((socket) => {
    bridge = runSshBridge({
      local: socket,
      hostKey: generateHostKey(),
      credentials: async () => ({ host: "127.0.0.1", port: relay.port, username: `${vmId}:${token}` }),
      knownHosts: memoryKnownHosts(),
      keepaliveMs: 200,
      say: (line) => said.push(line),
    });
  });

  const client = new ssh2.Client();
  const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
  client.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    client.once("ready", () => resolve()).once("error", reject);
    client.connect({ host: "127.0.0.1", port, username: "cw", readyTimeout: 30_000 });
  });
  relay.freeze();

  await expect(bridge).rejects.toThrow("lost the connection to the workspace: Keepalive timeout");
  expect(said).toEqual(["lost the connection to the workspace: Keepalive timeout"]);
  await closed;
});
