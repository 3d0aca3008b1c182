import { describe, expect, it } from "vitest";
import { parseRunOptions } from "../../src/cli/options.js";
import { driversFor, installOptions, meshVariantsFor } from "../../src/cli/wiring.js";
import type { ClusterProvider } from "../../src/cluster/index.js";
import { ISTIO_HOST_VERSION, UPSTREAM_ENVOY_VARIANT } from "../../src/mesh/istio/index.js";

const provider = (name: "host" | "kind") => ({ name, context: `${name}-meshproof` }) as unknown as ClusterProvider;

async function installArgv(name: "host" | "kind"): Promise<string[][]> {
  const opts = parseRunOptions({ cluster: name, mesh: "istio" });
  const steps = (await driversFor(opts, provider(name))).istio!.install(installOptions(opts).istio!);
  return steps.flatMap((s) => (s.kind === "command" ? [s.argv] : []));
}

describe("--cluster host and Istio", () => {
  it("installs the upstream-envoy variant at the version built here, rendered by istioctl and applied server-side", async () => {
    const opts = parseRunOptions({ cluster: "host", mesh: "istio" });
    expect(installOptions(opts).istio!.version).toBe(ISTIO_HOST_VERSION);
    const argvs = await installArgv("host");
    expect(argvs.some((a) => a[0] === "istioctl" && a.includes("generate"))).toBe(true);
    expect(argvs.some((a) => a.includes("--server-side"))).toBe(true);
    expect(argvs.some((a) => a.includes("install"))).toBe(false);
  });

  it("mutant: any other cluster installs the official release with istioctl install", async () => {
    const opts = parseRunOptions({ cluster: "kind", mesh: "istio" });
    expect(installOptions(opts).istio!.version).toBe(opts.istioVersion);
    expect((await installArgv("kind")).some((a) => a[0] === "istioctl" && a.includes("install"))).toBe(true);
  });

  it("records the variant, with what it cannot show, only on the host cluster", async () => {
    expect(meshVariantsFor({ cluster: "host" }).istio).toBe(UPSTREAM_ENVOY_VARIANT);
    expect(UPSTREAM_ENVOY_VARIANT.proxy).toEqual({ name: "envoy", version: "1.40.0" });
    expect(UPSTREAM_ENVOY_VARIANT.limitations.join(" ")).toMatch(/istio_requests_total/);
    expect(meshVariantsFor({ cluster: "kind" })).toEqual({});
  });
});
