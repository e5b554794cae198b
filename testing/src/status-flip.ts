/** The change the sync benchmarks make, over and over: pause a running workspace, resume a paused one. */
export const flip = (status: "running" | "paused"): ["pause", "paused"] | ["resume", "running"] =>
  status === "running" ? ["pause", "paused"] : ["resume", "running"];
