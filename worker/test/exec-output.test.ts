import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.ts";
import { MESSAGE_MAX, OUTPUT_MAX } from "../src/domain/vm-text.ts";
import { ProviderError, providerFactory } from "../src/providers/index.ts";
import { sharedDatabase } from "./support/database.ts";
import { vmHost } from "./support/vm-host.ts";

/** The VM host keeps this much of each stream (local/src/vm-host/vm-spawn.ts). */
const HOST_OUTPUT_MAX_BYTES = 1024 * 1024;

const provider = () => providerFactory(parseConfig({ ...env, ...sharedDatabase().env }))("freestyle");

afterEach(() => vmHost.clearFaults());

describe("what a VM prints is bounded", () => {
  it("the host stops collecting past its cap, and the provider keeps a head and a tail of that", async () => {
    const vmId = await vmHost.createVm("main");
    // 3 MB on stdout, a little on stderr: the command still completes (the host keeps reading).
    const out = await provider().exec(
      vmId,
      "printf START; head -c 3000000 /dev/zero | tr '\\0' x; echo; echo oops >&2",
      10_000,
    );
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toBe("oops\n");
    expect(out.stdout.startsWith("STARTxxx")).toBe(true);
    expect(out.stdout.length).toBeLessThan(OUTPUT_MAX + 100);
    // What was cut is what the host kept beyond the provider's cap: both caps held.
    expect(out.stdout).toContain(`[… ${HOST_OUTPUT_MAX_BYTES - OUTPUT_MAX} characters cut …]`);
  });

  it("a provider's error text becomes one capped line of displayable text", async () => {
    const vmId = await vmHost.createVm("main");
    await vmHost.addFault({
      method: "GET",
      path: `^/v1/vms/${vmId}$`,
      status: 500,
      code: "INTERNAL_ERROR",
      message: `disk\non\u202efire ${"z".repeat(2_000)}`,
    });
    const err = await provider()
      .status(vmId)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    const { message } = err as ProviderError;
    expect(message.length).toBeLessThanOrEqual(MESSAGE_MAX);
    expect(message).toMatch(/^Freestyle status failed: .*disk on fire z+…$/);
  });
});
