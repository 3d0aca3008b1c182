/**
 * Setup module: actionlint (github.com/rhysd/actionlint, MIT), which `npm test` runs on the
 * GitHub Actions workflows. Built with `go install` at a pinned version into the tools cache, in
 * a folder named by that version, so a bump builds afresh and an unchanged pin costs nothing.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { lastLine, report, runCommand } from "./common.js";

export const ACTIONLINT_VERSION = "v1.7.12";
const MODULE = "github.com/rhysd/actionlint/cmd/actionlint";

/** Where setup puts it; ACTIONLINT_BIN overrides. */
export function actionlintPath(cacheDir: string): string {
  return process.env.ACTIONLINT_BIN || join(cacheDir, `actionlint-${ACTIONLINT_VERSION}`, "actionlint");
}

export async function ensure(cacheDir: string): Promise<void> {
  const bin = actionlintPath(cacheDir);
  const started = performance.now();
  if (existsSync(bin)) {
    report(`actionlint ${ACTIONLINT_VERSION}`, "already there", started, bin);
    return;
  }
  const r = await runCommand(["go", "install", "-trimpath", `${MODULE}@${ACTIONLINT_VERSION}`], {
    env: { GOBIN: join(cacheDir, `actionlint-${ACTIONLINT_VERSION}`), CGO_ENABLED: "0" },
    timeoutMs: 15 * 60_000,
  });
  if (r.code !== 0 || !existsSync(bin)) {
    const why = lastLine(r.output);
    fail(`building actionlint ${ACTIONLINT_VERSION} with go install failed (${why}): install Go 1.24 or later, or set ACTIONLINT_BIN`);
  }
  report(`actionlint ${ACTIONLINT_VERSION}`, "built", started, bin);
}

/** Setup's contract: one line saying what to install, exit 4 (environment missing). */
function fail(message: string): never {
  console.error(`setup failed: ${message}`);
  process.exit(4);
}
