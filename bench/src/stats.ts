export { percentile } from "@cw/testing";

export async function timeRequests(n: number, run: (i: number) => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await run(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

export const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
