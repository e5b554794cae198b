import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { workspaceStatusValues } from "@cw/contracts/enums";
import { afterAll, describe, expect, it } from "vitest";
import { type CommandName, type CommandSpec, commandSpecs } from "../src/commands/specs.ts";
import { runCw } from "../src/testing.ts";

/** Help needs no login and no API: the built `cw`, run as a user in an empty HOME. */
const home = mkdtempSync(join(tmpdir(), "cw-help-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const specs = Object.entries(commandSpecs) as [CommandName, CommandSpec][];

describe("cw <command> --help", () => {
  it.each(specs)(
    "cw %s --help: exit 0, its summary, usage and every option on stdout",
    async (name, spec) => {
      for (const help of ["--help", "-h"]) {
        const result = await runCw(home, [...name.split(" "), help]);
        expect(result, help).toMatchObject({ code: 0, stderr: "" });
        expect(result.stdout.startsWith(`cw ${name}: ${spec.summary}\n`), result.stdout).toBe(true);
        expect(result.stdout).toContain(`usage: cw ${name} ${spec.usage}`.trimEnd());
        for (const option of Object.keys(spec.options)) expect(result.stdout).toContain(`--${option}`);
      }
    },
  );

  it("lists every command but the hidden ones in cw --help, and ls's statuses from the contract", async () => {
    const result = await runCw(home, ["--help"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const listed = new Map(
      result.stdout.split("\n").flatMap((line) => {
        const [, name, summary] = /^ {2}(\S+(?: \S+)?) {2,}(.+)$/.exec(line) ?? [];
        return name ? [[name, summary]] : [];
      }),
    );
    for (const [name, spec] of specs)
      expect(listed.get(name), name).toBe(spec.hidden ? undefined : spec.summary);
    const ls = await runCw(home, ["ls", "--help"]);
    expect(ls.stdout).toContain(`(${workspaceStatusValues.join(", ")})`);
  });
});
