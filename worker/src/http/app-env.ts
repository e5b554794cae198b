import type { Caller, Deps } from "../services/deps.ts";

export interface AppEnv {
  /** From `wrangler types` (worker-configuration.d.ts). */
  Bindings: Env;
  Variables: {
    deps: Deps;
    caller: Caller;
    /** Work that continues after the response (provisioning); the request's pool outlives it. */
    defer: (work: Promise<unknown>) => void;
  };
}
