/**
 * Setup module: Debian's chromium, which the report test drives through playwright-core to check
 * that report.html renders every chart. Never a browser download of Playwright's own
 * (`npx playwright install` fetches from a CDN this project does not use): the distribution's
 * package, installed with apt-get like Prometheus.
 */
import { existsSync } from "node:fs";
import { aptInstall, report } from "./common.js";
import { SetupError } from "./errors.js";

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

/** Installs Debian's chromium when CHROMIUM_BIN is not there; a SetupError (exit 4) says what to do otherwise. */
export async function ensure(): Promise<void> {
  const started = performance.now();
  if (existsSync(CHROMIUM_BIN)) {
    report("chromium", "already there", started, CHROMIUM_BIN);
    return;
  }
  const manual = "install Debian's chromium package (sudo apt-get install chromium), or set CHROMIUM_BIN";
  await aptInstall(["chromium"], manual);
  if (!existsSync(CHROMIUM_BIN)) throw new SetupError(`chromium was installed but ${CHROMIUM_BIN} is not there: ${manual}`);
  report("chromium", "installed", started, CHROMIUM_BIN);
}
