import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { fingerprint } from "../../src/domain/fingerprint.ts";
import { decodeCursor, encodeCursor } from "../../src/domain/pagination.ts";
import { databaseUnavailable, sqlStateOf } from "../../src/safe-log.ts";
import { sshCommand } from "../../src/services/ssh-access.ts";

describe("pure helpers", () => {
  it("round-trips page cursors and rejects forged ones", () => {
    const c = { createdAt: new Date("2026-02-03T04:05:06.789Z"), id: "5f1f6a8e-9d0b-4d6c-8c86-6f0f2f6d3b11" };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor("garbage")).toBeNull();
    expect(decodeCursor(btoa(JSON.stringify({ t: "yesterday", id: "x" })))).toBeNull();
  });

  it("fingerprints bodies independently of key order", async () => {
    expect(await fingerprint({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(
      await fingerprint({ b: [1, { d: 3, c: 2 }], a: 1 }),
    );
    expect(await fingerprint({ a: 1 })).not.toBe(await fingerprint({ a: 2 }));
  });

  it("writes a pasteable ssh command, with -p only off port 22", () => {
    expect(sshCommand("vm:tok", "vm-ssh.freestyle.sh", 22)).toBe("ssh vm:tok@vm-ssh.freestyle.sh");
    expect(sshCommand("vm:tok", "127.0.0.1", 2222)).toBe("ssh vm:tok@127.0.0.1 -p 2222");
  });

  it("parses configuration with defaults and names missing variables without their values", () => {
    const key = `k1:${btoa(String.fromCharCode(...new Uint8Array(32).fill(1)))}`;
    const required = {
      DATABASE_URL: "postgres://x",
      FREESTYLE_API_KEY: "k",
      PUBLIC_URL: "https://cw.example.test/",
      GIT_CREDENTIAL_KEYS: key,
    };
    const config = parseConfig(required);
    expect(config).toMatchObject({
      FREESTYLE_SSH_HOST: "vm-ssh.freestyle.sh",
      FREESTYLE_SSH_PORT: 22,
      SSH_TOKEN_TTL_SECONDS: 900,
      PUBLIC_URL: "https://cw.example.test",
      GIT_CREDENTIAL_KEYS: [{ id: "k1", raw: new Uint8Array(32).fill(1) }],
    });
    expect(parseConfig({ ...required, PUBLIC_URL: "http://127.0.0.1:8787" }).PUBLIC_URL).toBe(
      "http://127.0.0.1:8787",
    );
    // VMs send their credential there: plain http only on this machine.
    expect(() => parseConfig({ ...required, PUBLIC_URL: "http://cw.example.test" })).toThrow(/PUBLIC_URL/);
    for (const bad of ["k1:c2hvcnQ=", "no-key", `${key},${key}`, "bad id!:AAAA"]) {
      expect(() => parseConfig({ ...required, GIT_CREDENTIAL_KEYS: bad })).toThrow(
        /^worker misconfigured: check GIT_CREDENTIAL_KEYS$/,
      );
    }
    expect(() => parseConfig({ ...required, FREESTYLE_API_KEY: undefined })).toThrow(/FREESTYLE_API_KEY/);
    expect(() => parseConfig({ ...required, DATABASE_URL: undefined, PROVIDER_TIMEOUT_MS: "-1" })).toThrow(
      /check DATABASE_URL, PROVIDER_TIMEOUT_MS$/,
    );
  });
});

describe("a database that is unavailable is not the request's fault", () => {
  const pgError = (code: string) => Object.assign(new Error("boom"), { severity: "FATAL", code });
  it("reads the SQLSTATE anywhere in the chain, and tells resource and connection failures apart", () => {
    const tooMany = new Error("query failed", { cause: pgError("53300") });
    expect(sqlStateOf(tooMany)).toBe("53300");
    expect(databaseUnavailable(tooMany)).toBe(true);
    expect(databaseUnavailable(pgError("08006"))).toBe(true);
    expect(databaseUnavailable(pgError("57P01"))).toBe(true);
    expect(databaseUnavailable(pgError("23505"))).toBe(false);
    expect(databaseUnavailable(new Error("not a database error"))).toBe(false);
    expect(sqlStateOf(new Error("plain"))).toBeNull();
  });
});
