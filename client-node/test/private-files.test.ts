import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writePrivateFile, writePrivateFileSync } from "../src/private-files.ts";

const tmp = mkdtempSync(join(tmpdir(), "cw-private-files-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("the owner-only file writer", () => {
  for (const [name, write] of [
    ["writePrivateFile", writePrivateFile],
    ["writePrivateFileSync", writePrivateFileSync],
  ] as const) {
    it(`${name}: 0600 in a new 0700 folder, replacing an older world-readable file whole`, async () => {
      const dir = join(tmp, name, "nested");
      const file = join(dir, "secret");
      await write(file, "first");
      expect([modeOf(file), modeOf(dir), readFileSync(file, "utf8")]).toEqual([0o600, 0o700, "first"]);

      rmSync(file);
      writeFileSync(file, "loose", { mode: 0o644 });
      expect(modeOf(file)).toBe(0o644);
      await write(file, "second");
      expect([modeOf(file), readFileSync(file, "utf8")]).toEqual([0o600, "second"]);
      expect(readdirSync(dir)).toEqual(["secret"]);
    });
  }

  it("leaves no temporary file behind when the write fails", () => {
    const dir = join(tmp, "failing");
    // A folder where the file should be: the rename over it fails.
    writePrivateFileSync(join(dir, "keep"), "x");
    expect(() => writePrivateFileSync(dir, "y")).toThrow();
    expect(readdirSync(tmp).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });
});
