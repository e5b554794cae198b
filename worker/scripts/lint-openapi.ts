import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Lints the API's OpenAPI document with Redocly CLI's recommended ruleset (`redocly.yaml`), offline:
 * the document is printed by `print-openapi.ts` (run under the same tsx as this script, no server),
 * written to a temporary file and linted there. Exits with Redocly's status.
 */
const here = dirname(fileURLToPath(import.meta.url));
const printed = spawnSync(process.execPath, [...process.execArgv, join(here, "print-openapi.ts")], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
if (printed.status !== 0) {
  console.error("could not build the OpenAPI document");
  process.exit(printed.status ?? 1);
}

const dir = mkdtempSync(join(tmpdir(), "cw-openapi-"));
try {
  const file = join(dir, "openapi.json");
  writeFileSync(file, printed.stdout);
  const redocly = join(
    dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")),
    "bin/cli.js",
  );
  const lint = spawnSync(
    process.execPath,
    [redocly, "lint", file, "--config", join(here, "..", "redocly.yaml"), "--format", "codeframe"],
    {
      stdio: "inherit",
      // No telemetry and no update check: the test command runs offline.
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    },
  );
  process.exitCode = lint.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
