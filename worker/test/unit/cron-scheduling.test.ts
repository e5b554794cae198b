import { safeTextOf } from "@cw/contracts";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { roundRobinBy } from "../../src/domain/fair-batch.ts";
import { parseSyncReport } from "../../src/domain/git-sync.ts";
import { capOutput, MESSAGE_MAX, messageText } from "../../src/domain/vm-text.ts";
import { ConnectionGate } from "../../src/jobs/connection-gate.ts";
import { fanOut, type JobBudget } from "../../src/jobs/fan-out.ts";
import { cappedBodyFetch } from "../../src/providers/capped-body-fetch.ts";
import { ProviderError } from "../../src/providers/index.ts";
import { LANES } from "../../src/scheduled.ts";

/** Lets every promise callback that is ready run. */
const settle = () => new Promise<void>((r) => setTimeout(r, 0));

/** A job's work item that finishes when the test says so. */
function controllable() {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const work = (id: string) =>
    new Promise<void>((resolve) => {
      started.push(id);
      finishers.set(id, resolve);
    });
  const finish = async (id: string) => {
    finishers.get(id)!();
    await settle();
  };
  return { started, work, finish };
}

function budget(overrides: Partial<JobBudget> & { now?: { t: number } } = {}): JobBudget {
  const now = overrides.now ?? { t: 0 };
  return {
    deadline: 1_000,
    clock: () => now.t,
    concurrency: 2,
    slot: async () => () => {},
    ...overrides,
  };
}

describe("fanOut: a job's items within its budget", () => {
  it("runs at most `concurrency` at once, in order", async () => {
    const c = controllable();
    const done = fanOut(["a", "b", "c", "d"], c.work, budget({ concurrency: 2 }));
    await settle();
    expect(c.started).toEqual(["a", "b"]);
    await c.finish("b");
    expect(c.started).toEqual(["a", "b", "c"]);
    await c.finish("a");
    await c.finish("c");
    await c.finish("d");
    expect(await done).toMatchObject({ done: 4, failed: 0, left: 0 });
  });

  it("starts nothing once the deadline has passed, waits for what runs, and leaves the rest in order", async () => {
    const now = { t: 0 };
    const c = controllable();
    const done = fanOut(["a", "b", "c", "d", "e"], c.work, budget({ now, concurrency: 2, deadline: 100 }));
    await settle();
    await c.finish("a");
    expect(c.started).toEqual(["a", "b", "c"]);
    now.t = 100;
    await c.finish("b");
    expect(c.started).toEqual(["a", "b", "c"]);
    await c.finish("c");
    expect(await done).toEqual({ done: 3, failed: 0, left: 2, unstarted: ["d", "e"] });
  });

  it("one key never holds more than perKey, and the others go on beside it in their order", async () => {
    const c = controllable();
    const items = ["A1", "A2", "A3", "B1", "C1", "B2"];
    const done = fanOut(items, c.work, budget({ concurrency: 3 }), { keyOf: (i) => i[0]!, perKey: 1 });
    await settle();
    // A1 hangs: the other organizations are not held up behind A2 and A3.
    expect(c.started).toEqual(["A1", "B1", "C1"]);
    await c.finish("B1");
    expect(c.started).toEqual(["A1", "B1", "C1", "B2"]);
    await c.finish("C1");
    await c.finish("B2");
    expect(c.started).toHaveLength(4);
    await c.finish("A1");
    expect(c.started.at(-1)).toBe("A2");
    await c.finish("A2");
    await c.finish("A3");
    expect(await done).toMatchObject({ done: 6, left: 0 });
  });

  it("isolates a failing item, and gives its slot back", async () => {
    let held = 0;
    const slot = async () => {
      held++;
      return () => {
        held--;
      };
    };
    const result = await fanOut(
      [1, 2, 3],
      async (n) => {
        if (n === 2) throw new Error("boom");
      },
      budget({ slot }),
    );
    expect(result).toMatchObject({ done: 2, failed: 1, left: 0 });
    expect(held).toBe(0);
  });

  it("checks the deadline again after waiting for a slot", async () => {
    const now = { t: 0 };
    let grant: (release: () => void) => void = () => {};
    const slot = () => new Promise<() => void>((r) => (grant = r));
    const c = controllable();
    const done = fanOut(["a"], c.work, budget({ now, slot, deadline: 10 }));
    await settle();
    now.t = 10;
    let released = false;
    grant(() => {
      released = true;
    });
    expect(await done).toMatchObject({ done: 0, left: 1 });
    expect(c.started).toEqual([]);
    expect(released).toBe(true);
  });
});

describe("ConnectionGate: the tick's provider connections by lane", () => {
  const rules = {
    grants: { reserve: 1, max: 2 },
    lifecycle: { reserve: 0, max: 6 },
    git: { reserve: 0, max: 2 },
  };

  it("keeps a reserved slot free for its lane, whatever the others want", async () => {
    const gate = new ConnectionGate(4, rules);
    const lifecycle = await Promise.all([gate.acquire("lifecycle"), gate.acquire("lifecycle")]);
    let third = false;
    void gate.acquire("lifecycle").then(() => (third = true));
    await settle();
    // A third still leaves grants its slot; a fourth would take it.
    expect(gate.inUse("lifecycle")).toBe(3);
    expect(third).toBe(true);
    let fourth = false;
    void gate.acquire("lifecycle").then(() => (fourth = true));
    await settle();
    expect(fourth).toBe(false);
    const grant = await gate.acquire("grants");
    expect(gate.inUse()).toBe(4);
    grant();
    lifecycle[0]!();
    await settle();
    expect(fourth).toBe(true);
  });

  it("never lets a lane hold more than its max", async () => {
    const gate = new ConnectionGate(5, rules);
    await gate.acquire("git");
    await gate.acquire("git");
    let third = false;
    void gate.acquire("git").then(() => (third = true));
    await settle();
    expect(third).toBe(false);
    // The rest stays for everyone else.
    await gate.acquire("lifecycle");
    await gate.acquire("grants");
    expect(gate.inUse()).toBe(4);
  });

  it("gives a freed slot to the first lane listed, and a closed lane's reserve lapses", async () => {
    const gate = new ConnectionGate(4, rules);
    const held = await Promise.all([gate.acquire("lifecycle"), gate.acquire("lifecycle")]);
    await gate.acquire("git");
    const order: string[] = [];
    void gate.acquire("git").then(() => order.push("git"));
    void gate.acquire("lifecycle").then(() => order.push("lifecycle"));
    await settle();
    expect(order).toEqual([]);
    // Grants is done: its slot is free for the others, and lifecycle is listed before git.
    gate.close("grants");
    await settle();
    expect(order).toEqual(["lifecycle"]);
    held[0]!();
    await settle();
    expect(order).toEqual(["lifecycle", "git"]);
  });

  it("refuses reserves that leave nothing over, and the tick's own lanes fit the smallest capacity", () => {
    expect(() => new ConnectionGate(1, rules)).toThrow(/reserved/);
    expect(() => new ConnectionGate(4, LANES)).not.toThrow();
    expect(() => new ConnectionGate(3, LANES)).toThrow(/reserved/);
  });
});

describe("fair git batch", () => {
  const row = (org: string, n: number) => ({ org, id: `${org}${n}` });

  it("takes round-robin by organization in order of each one's oldest, keeping each one's order", () => {
    const candidates = [
      row("A", 1),
      row("A", 2),
      row("A", 3),
      row("A", 4),
      row("B", 1),
      row("C", 1),
      row("B", 2),
    ];
    expect(roundRobinBy(candidates, (r) => r.org, 5).map((r) => r.id)).toEqual([
      "A1",
      "B1",
      "C1",
      "A2",
      "B2",
    ]);
  });

  it("lets an organization alone fill the batch, and never exceeds it", () => {
    const candidates = Array.from({ length: 10 }, (_, i) => row("A", i));
    expect(roundRobinBy(candidates, (r) => r.org, 4).map((r) => r.id)).toEqual(["A0", "A1", "A2", "A3"]);
    expect(roundRobinBy([], (r: { org: string }) => r.org, 4)).toEqual([]);
  });

  it("gives another organization its place in the batch however many the first has", () => {
    const candidates = [...Array.from({ length: 300 }, (_, i) => row("A", i)), row("B", 0)];
    const batch = roundRobinBy(candidates, (r) => r.org, 100);
    expect(batch).toHaveLength(100);
    expect(batch[1]).toEqual(row("B", 0));
  });
});

describe("text out of a VM", () => {
  it("keeps the beginning and the end of a long output and says how much it cut", () => {
    const text = `first line\n${"x".repeat(10_000)}\nlast line`;
    const capped = capOutput(text, 1_000);
    expect(capped.length).toBeLessThan(1_100);
    expect(capped.startsWith("first line\n")).toBe(true);
    expect(capped.endsWith("\nlast line")).toBe(true);
    expect(capped).toMatch(/\[… 9\d\d\d characters cut …\]/);
    expect(capOutput("short", 1_000)).toBe("short");
  });

  it("never splits a surrogate pair", () => {
    const capped = capOutput("😀".repeat(1_000), 101);
    expect(capped).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it("makes a message one line of displayable text, capped", () => {
    expect(safeTextOf("a\u202eb\nc\u0000d\u2066e", 100)).toBe("a b c d e");
    expect(safeTextOf("x\ud800y", 100)).toBe("x\ufffdy");
    const long = messageText("y".repeat(5_000));
    expect(long).toHaveLength(MESSAGE_MAX);
    expect(long.endsWith("…")).toBe(true);
  });

  it("a branch name the VM reports cannot carry controls or length into the sync message", () => {
    const evil = `main\u202e${"z".repeat(10_000)}`;
    const outcome = parseSyncReport(`other_branch ${"a".repeat(40)} ${evil}`, "", 0);
    expect(outcome.status).toBe("error");
    expect(outcome.message!.length).toBeLessThanOrEqual(MESSAGE_MAX);
    expect(outcome.message).not.toMatch(/\u202e/);
    expect(outcome.message).toMatch(/^the checkout is on main z+…$/);
  });

  it("refuses a provider answer larger than the cap, as a provider error", async () => {
    const base = async () => new Response("x".repeat(5_000));
    const capped = cappedBodyFetch(1_000, base as typeof fetch);
    await expect((await capped("http://p.test")).text()).rejects.toBeInstanceOf(ProviderError);
    const withLength = async () => new Response("x".repeat(5_000), { headers: { "content-length": "5000" } });
    await expect(cappedBodyFetch(1_000, withLength as typeof fetch)("http://p.test")).rejects.toMatchObject({
      code: "RESPONSE_TOO_LARGE",
    });
    expect(await (await cappedBodyFetch(10_000, base as typeof fetch)("http://p.test")).text()).toHaveLength(
      5_000,
    );
  });
});

describe("cron configuration", () => {
  const required = {
    DATABASE_URL: "postgres://x",
    FREESTYLE_API_KEY: "k",
    PUBLIC_URL: "https://cw.example.test/",
    GIT_CREDENTIAL_KEYS: `k1:${btoa(String.fromCharCode(...new Uint8Array(32).fill(1)))}`,
  };

  it("has a budget per job whose sum with the provider's deadline stays inside the minute", () => {
    const config = parseConfig(required);
    expect(config).toMatchObject({ CRON_BUDGET_IDLE_STOP_SECONDS: 25, CRON_PROVIDER_CONNECTIONS: 5 });
    expect(parseConfig({ ...required, CRON_BUDGET_GIT_POLL_SECONDS: "2" }).CRON_BUDGET_GIT_POLL_SECONDS).toBe(
      2,
    );
    expect(() => parseConfig({ ...required, CRON_BUDGET_GRANTS_SECONDS: "30" })).toThrow(
      /^worker misconfigured: check CRON_BUDGET_GRANTS_SECONDS$/,
    );
    expect(() =>
      parseConfig({ ...required, CRON_BUDGET_JANITOR_SECONDS: "10", PROVIDER_TIMEOUT_MS: "50000" }),
    ).toThrow(/check CRON_BUDGET_GRANTS_SECONDS, CRON_BUDGET_JANITOR_SECONDS, CRON_BUDGET_RECONCILE_SECONDS/);
    for (const bad of ["0", "51", "x"]) {
      expect(() => parseConfig({ ...required, CRON_BUDGET_RECONCILE_SECONDS: bad })).toThrow(
        /CRON_BUDGET_RECONCILE_SECONDS/,
      );
    }
    for (const bad of ["3", "7"]) {
      expect(() => parseConfig({ ...required, CRON_PROVIDER_CONNECTIONS: bad })).toThrow(
        /CRON_PROVIDER_CONNECTIONS/,
      );
    }
  });
});
