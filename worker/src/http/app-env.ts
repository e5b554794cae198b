import type { Caller, Deps } from "../services/deps.ts";

export interface AppEnv {
  Bindings: Record<string, unknown>;
  Variables: {
    deps: Deps;
    caller: Caller;
    /** Work that continues after the response (provisioning); the request's pool outlives it. */
    defer: (work: Promise<unknown>) => void;
  };
}
