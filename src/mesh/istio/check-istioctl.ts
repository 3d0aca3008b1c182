/**
 * Exits non-zero unless the istioctl on PATH is the expected version. Run by the install plan
 * before `istioctl install`, because istioctl installs the charts built into it: the CLI must
 * match the control plane it installs (istio.io/latest/docs/setup/install/istioctl/).
 *
 *   tsx src/mesh/istio/check-istioctl.ts --expect 1.30.3 [--istioctl /path/to/istioctl]
 *
 * Without --istioctl it checks $ISTIOCTL_BIN, else the istioctl on PATH.
 *
 * `istioctl version --remote=false -o json` prints {"clientVersion":{"version":"1.30.3",...}}
 * (istio pkg/version BuildInfo) without contacting a cluster.
 */
import { pathToFileURL } from "node:url";
import { EnvironmentError, errorMessage } from "../../core/errors.js";
import { run } from "../../core/process.js";

export function parseIstioctlClientVersion(json: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const client = (parsed as { clientVersion?: { version?: unknown } }).clientVersion;
    return typeof client?.version === "string" ? client.version : undefined;
  } catch {
    return undefined;
  }
}

export type CheckResult = { ok: true; version: string } | { ok: false; message: string };

export async function checkIstioctl(expected: string, istioctl = "istioctl"): Promise<CheckResult> {
  const argv = [istioctl, "version", "--remote=false", "-o", "json"];
  let stdout: string;
  try {
    const result = await run(argv, { timeoutMs: 20_000 });
    if (result.exitCode !== 0) return { ok: false, message: `running "${argv.join(" ")}" failed (exit code ${result.exitCode}): ${result.stderr.trim()}` };
    stdout = result.stdout;
  } catch (err) {
    return {
      ok: false,
      message:
        err instanceof EnvironmentError
          ? `istioctl not found on PATH: install ${expected} (https://istio.io/latest/docs/setup/additional-setup/download-istio-release/) ` +
            `or install with the Helm method (InstallOptions.method "helm")`
          : `running "${argv.join(" ")}" failed: ${errorMessage(err)}`,
    };
  }
  const found = parseIstioctlClientVersion(stdout);
  if (!found) return { ok: false, message: `could not read a client version from istioctl's output: ${stdout.slice(0, 200)}` };
  if (found !== expected) {
    return {
      ok: false,
      message:
        `istioctl ${found} is on PATH but Istio ${expected} is to be installed; istioctl installs the charts built into it, ` +
        `so download istioctl ${expected}, or ask for Istio ${found} instead`,
    };
  }
  return { ok: true, version: found };
}

async function main(argv: string[]): Promise<number> {
  const expected = valueOf(argv, "--expect");
  if (!expected) {
    process.stderr.write("usage: check-istioctl.ts --expect <version> [--istioctl <path>]\n");
    return 2;
  }
  // ISTIOCTL_BIN is how a user points meshproof's executor at a specific istioctl; check that one.
  const result = await checkIstioctl(expected, valueOf(argv, "--istioctl") ?? process.env.ISTIOCTL_BIN ?? "istioctl");
  if (!result.ok) {
    process.stderr.write(`${result.message}\n`);
    return 1;
  }
  process.stdout.write(`istioctl ${result.version} matches\n`);
  return 0;
}

function valueOf(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
