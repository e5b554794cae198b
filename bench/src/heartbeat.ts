import { runWorkerdBench } from "./workerd-bench.ts";

/**
 * `pnpm bench heartbeat`: heartbeats per second through one workspace's presence object, measured
 * inside workerd beside the same harness's ceiling, and how long after a session's expiry Postgres
 * reflects it (worker/bench/heartbeat.bench.ts). Over `wrangler dev` the harness itself was the
 * limit (a trivial route served fewer requests than the object could take).
 */
export const benchHeartbeat = () => runWorkerdBench("heartbeat");
