/**
 * The istioctl version check as the install plan runs it: a real process (tsx on the script)
 * against stand-in istioctl executables that print what `istioctl version --remote=false -o json`
 * prints.
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { istioctlVersionCheck } from "../../../src/mesh/istio/commands.js";
import { checkIstioctl, parseIstioctlClientVersion } from "../../../src/mesh/istio/check-istioctl.js";

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TSX = path.join(REPO, "node_modules", ".bin", "tsx");

let dir: string;

/** An executable that prints the JSON istioctl 1.x prints for `version --remote=false -o json`. */
function fakeIstioctl(name: string, version: string): string {
  const file = path.join(dir, name);
  const out = JSON.stringify({ clientVersion: { version, revision: "abc", golang_version: "go1.25", status: "Clean", tag: version } });
  writeFileSync(file, `#!/usr/bin/env node\nprocess.stdout.write(${JSON.stringify(out)} + "\\n");\n`);
  chmodSync(file, 0o755);
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "meshproof-istioctl-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("istioctl version check", () => {
  it("reads the client version from istioctl's JSON", () => {
    expect(parseIstioctlClientVersion('{"clientVersion":{"version":"1.30.3"}}')).toBe("1.30.3");
    expect(parseIstioctlClientVersion("not json")).toBeUndefined();
    expect(parseIstioctlClientVersion('{"meshVersion":[]}')).toBeUndefined();
  });

  it("passes for the expected version and explains a mismatch", async () => {
    expect(await checkIstioctl("1.30.3", fakeIstioctl("istioctl-ok", "1.30.3"))).toEqual({ ok: true, version: "1.30.3" });
    const mismatch = await checkIstioctl("1.30.3", fakeIstioctl("istioctl-old", "1.29.2"));
    expect(mismatch).toEqual({ ok: false, message: expect.stringMatching(/istioctl 1\.29\.2 is on PATH but Istio 1\.30\.3 .* download istioctl 1\.30\.3/) });
  });

  it("says what to install when istioctl is missing", async () => {
    const missing = await checkIstioctl("1.30.3", path.join(dir, "no-such-istioctl"));
    expect(missing).toEqual({ ok: false, message: expect.stringContaining("istioctl not found") });
  });

  it("exits 0 or 1 when run as the plan runs it", { timeout: 60_000 }, async () => {
    const [, , script, ...args] = istioctlVersionCheck("1.30.3");
    const ok = await run(TSX, [script!, ...args, "--istioctl", fakeIstioctl("istioctl-run-ok", "1.30.3")], { cwd: REPO, timeout: 30_000 });
    expect(ok.stdout).toContain("istioctl 1.30.3 matches");

    const failed = await run(TSX, [script!, ...args, "--istioctl", fakeIstioctl("istioctl-run-old", "1.29.2")], { cwd: REPO, timeout: 30_000 }).then(
      () => undefined,
      (err: { code?: number; stderr?: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain("download istioctl 1.30.3");
  });
});
