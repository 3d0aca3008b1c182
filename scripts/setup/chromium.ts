/**
 * Setup module: Debian's chromium, which the report test drives through playwright-core to check
 * that report.html renders every chart. Never a browser download of Playwright's own
 * (`npx playwright install` fetches from a CDN this project does not use): the distribution's
 * package, installed with apt-get like Prometheus.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM_BIN = process.env.CHROMIUM_BIN || "/usr/bin/chromium";

/** Flags for a headless, quiet, sandbox-less run (root in a container has no user namespace). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

function apt(args: string[]): { ok: boolean; output: string } {
  const prefix = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  const cmd = [...prefix, "apt-get", ...args];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 15 * 60_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-1)[0] ?? "" };
}

/** Installs Debian's chromium when CHROMIUM_BIN is not there; throws with what to do otherwise. */
export async function ensure(): Promise<void> {
  if (existsSync(CHROMIUM_BIN)) {
    console.log(`chromium: already there (${CHROMIUM_BIN})`);
    return;
  }
  const manual = "install Debian's chromium package (sudo apt-get install chromium), or set CHROMIUM_BIN";
  const update = apt(["update"]);
  if (!update.ok) fail(`apt-get update failed (${update.output}): ${manual}`);
  const install = apt(["install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600", "chromium"]);
  if (!install.ok || !existsSync(CHROMIUM_BIN)) fail(`apt-get install chromium failed (${install.output}): ${manual}`);
  console.log(`chromium: installed (${CHROMIUM_BIN})`);
}

/** Setup's contract: one line saying what to install, exit 4 (environment missing). */
function fail(message: string): never {
  console.error(`setup failed: ${message}`);
  process.exit(4);
}
