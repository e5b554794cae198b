import { closeSync } from "node:fs";
import { Socket } from "node:net";
import { Duplex, type Readable, type Writable } from "node:stream";

/**
 * Our own handle on descriptor 1 when it is a pipe (a ProxyCommand's always is), closing it when
 * ended: libuv never closes descriptors 0-2, not even with their handle, and ssh waits for EOF.
 * Use it instead of process.stdout, never beside it. Anything else (a terminal, a file) gets
 * process.stdout, which is fine where nobody waits for EOF.
 */
export function stdoutPipe(): Writable {
  let socket: Socket;
  try {
    socket = new Socket({ fd: 1, readable: false, writable: true });
  } catch {
    return process.stdout;
  }
  socket.once("close", () => closeSync(1));
  return socket;
}

/**
 * The ProxyCommand's stdin and stdout as one stream for ssh2, closing like a socket would once
 * both sides are done. Ending ours closes stdout, so ssh sees the connection end; the stream then
 * closes when ssh closes stdin (it exits). Exiting sooner would break the pipe under ssh's own
 * goodbye. `output` must be closable: process.stdout never closes its descriptor, `stdoutPipe()`
 * does.
 */
export function stdioStream(input: Readable, output: Writable): Duplex {
  const stream = new Duplex({
    read() {
      input.resume();
    },
    write(chunk: Buffer, _encoding, done) {
      if (output.write(chunk)) done();
      else output.once("drain", () => done());
    },
    final(done) {
      output.end(() => done());
    },
  });
  input.on("data", (d: Buffer) => {
    if (!stream.push(d)) input.pause();
  });
  input.once("end", () => {
    stream.push(null);
    stream.destroy();
  });
  // EPIPE and the like: ssh exited while we were writing.
  output.on("error", (e) => stream.destroy(e));
  input.on("error", (e) => stream.destroy(e));
  return stream;
}
