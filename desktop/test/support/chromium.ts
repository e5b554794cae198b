import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * Where the renderer tests find a browser: `CHROME_PATH`, else a Chromium or Chrome where it
 * usually lives on Linux, macOS and Windows. None found is a failure that says how to install one,
 * never a skipped test.
 */
export function chromiumCandidates(
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
): string[] {
  if (platform === "darwin")
    return [
      "/Applications/Chromium.app/Contents/MacOS/Chromium",
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    ];
  if (platform === "win32")
    return [env.PROGRAMFILES, env["PROGRAMFILES(X86)"], env.LOCALAPPDATA].flatMap((root) =>
      root
        ? [
            join(root, "Google", "Chrome", "Application", "chrome.exe"),
            join(root, "Chromium", "Application", "chrome.exe"),
          ]
        : [],
    );
  return [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/snap/bin/chromium",
  ];
}

export function findChromium(
  platform: NodeJS.Platform = process.platform,
  env: Record<string, string | undefined> = process.env,
  exists: (path: string) => boolean = existsSync,
): string {
  if (env.CHROME_PATH) {
    if (exists(env.CHROME_PATH)) return env.CHROME_PATH;
    throw new Error(
      `CHROME_PATH is ${env.CHROME_PATH}, which does not exist: point it at a Chromium or Chrome`,
    );
  }
  const found = chromiumCandidates(platform, env).find(exists);
  if (found) return found;
  throw new Error(
    "No Chromium or Chrome found for the renderer tests: install one (Debian/Ubuntu: sudo apt install chromium; macOS: brew install --cask chromium; Windows: install Chrome) or set CHROME_PATH to its executable",
  );
}
