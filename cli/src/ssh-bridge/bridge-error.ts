/** A failure the user can act on, said in one line (the ProxyCommand prints it as `cw: <message>`). */
export class BridgeError extends Error {
  override name = "BridgeError";
}
