import { isIPv4, isIPv6, connect as tcpConnect } from "node:net";
import type { AcceptConnection, RejectConnection, ServerChannel, TcpipRequestInfo } from "ssh2";
import type { VmRegistry } from "./vm-registry.ts";

/**
 * The VM's loopback is the host's here. Only loopback destinations are served: anything else
 * would make the VM host an open TCP relay into whatever network it sits on.
 */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost" || h === "ip6-localhost") return true;
  if (isIPv4(h)) return h.startsWith("127.");
  return isIPv6(h) && (h === "::1" || /^::ffff:127\./.test(h));
}

/**
 * `direct-tcpip` (`ssh -L`, editors' port forwarding): a TCP connection from the VM's loopback to
 * `destIP:destPort`, piped to the channel. Traffic counts as VM activity, like any SSH traffic.
 */
export function forwardToLoopback(
  accept: AcceptConnection<ServerChannel>,
  reject: RejectConnection,
  info: TcpipRequestInfo,
  vmId: string,
  vms: VmRegistry,
  log: (line: string) => void,
): void {
  if (!isLoopback(info.destIP)) {
    log(`ssh: vm ${vmId} refused forwarding to ${info.destIP}:${info.destPort} (loopback only)`);
    reject();
    return;
  }
  const socket = tcpConnect({ host: info.destIP, port: info.destPort });
  socket.once("error", (e) => {
    log(`ssh: vm ${vmId} forwarding to ${info.destIP}:${info.destPort} failed: ${e.message}`);
    reject();
  });
  socket.once("connect", () => {
    socket.removeAllListeners("error");
    const channel = accept();
    vms.touch(vmId);
    const touch = () => vms.touch(vmId);
    socket.on("data", touch);
    channel.on("data", touch);
    socket.pipe(channel);
    channel.pipe(socket);
    socket.on("error", () => channel.close());
    channel.on("error", () => socket.destroy());
    channel.on("close", () => socket.destroy());
    socket.on("close", () => channel.end());
  });
}
