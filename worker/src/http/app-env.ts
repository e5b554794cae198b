import type { Caller, Deps } from "../services/deps.ts";
import type { VmCaller } from "../services/vm-git-credential.ts";

export interface AppEnv {
  /** From `wrangler types` (worker-configuration.d.ts). */
  Bindings: Env;
  Variables: {
    deps: Deps;
    caller: Caller;
    /** On the routes a VM calls (`/v1/vm/…`): the workspace whose VM credential was presented. */
    vm: VmCaller;
    /** Work that continues after the response (provisioning); the request's pool outlives it. */
    defer: (work: Promise<unknown>) => void;
  };
}
