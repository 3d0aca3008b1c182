import { describe, expect, it } from "vitest";
import { parseRunOptions } from "../../src/cli/options.js";
import { driversFor, installOptions, meshVariantsFor, outsiderNamespace, targetNamespace } from "../../src/cli/wiring.js";
import type { ClusterProvider } from "../../src/cluster/index.js";
import { BUILT_FROM_SOURCE_VARIANT, LINKERD_LOCAL_REGISTRY } from "../../src/mesh/linkerd/index.js";

const provider = (name: "host" | "kind") => ({ name, context: `${name}-meshproof` }) as unknown as ClusterProvider;

async function installArgv(name: "host" | "kind", runDir = "/tmp/run-1"): Promise<string[][]> {
  const opts = parseRunOptions({ cluster: name, mesh: "linkerd" });
  const steps = (await driversFor(opts, provider(name), runDir)).linkerd!.install(installOptions(opts).linkerd!);
  return steps.flatMap((s) => (s.kind === "command" ? [s.argv] : []));
}

describe("--cluster host and Linkerd", () => {
  it("installs the build from source: local images, an identity of the run's own, nothing fetched", async () => {
    const argvs = await installArgv("host");
    const render = argvs.find((a) => a[0] === "linkerd" && a.includes("install") && !a.includes("--crds"));
    expect(render).toContain(LINKERD_LOCAL_REGISTRY);
    expect(render).toContain("--disable-heartbeat");
    expect(render).toContain("/tmp/run-1/linkerd-identity/ca.crt");
    expect(argvs.some((a) => a[0] === "openssl")).toBe(true);
    // Gateway API from the CLI, never a download; no `check --pre` (needs the requestheader CA).
    expect(argvs.some((a) => a.includes("installGatewayAPI=true"))).toBe(true);
    expect(argvs.flat().some((x) => x.startsWith("https://"))).toBe(false);
    expect(argvs.some((a) => a.includes("--pre"))).toBe(false);
  });

  it("checks offline: linkerd check with the version under test as the expected one", async () => {
    const opts = parseRunOptions({ cluster: "host", mesh: "linkerd" });
    const steps = (await driversFor(opts, provider("host"), "/tmp/run-1")).linkerd!.verifyReady(installOptions(opts).linkerd!);
    const check = steps.flatMap((s) => (s.kind === "command" ? [s.argv] : [])).find((a) => a.includes("check"));
    expect(check).toEqual(expect.arrayContaining(["--expected-version", opts.linkerdVersion]));
  });

  it("mutant: any other cluster installs the official images with the CLI's own identity", async () => {
    const argvs = await installArgv("kind");
    expect(argvs.flat()).not.toContain(LINKERD_LOCAL_REGISTRY);
    expect(argvs.some((a) => a[0] === "openssl")).toBe(false);
    expect(argvs.some((a) => a.includes("--pre"))).toBe(true);
  });

  it("records the variant only on the host cluster", async () => {
    expect(meshVariantsFor({ cluster: "host" }).linkerd).toBe(BUILT_FROM_SOURCE_VARIANT);
    expect(meshVariantsFor({ cluster: "kind" }).linkerd).toBeUndefined();
  });
});

describe("namespaces on the shared host cluster", () => {
  it("gives the Istio and the Linkerd runs' baselines and outsiders namespaces of their own", async () => {
    expect(targetNamespace("none", "host", "linkerd")).toBe("meshproof-none-linkerd");
    expect(targetNamespace("none", "host", "istio")).toBe("meshproof-none-istio");
    expect(outsiderNamespace("linkerd", "host", "linkerd")).toBe("meshproof-linkerd-outsider");
    expect(outsiderNamespace("istio", "host", "istio")).not.toBe(outsiderNamespace("linkerd", "host", "linkerd"));
    expect(targetNamespace("linkerd", "host", "linkerd")).toBe("meshproof-linkerd");
  });

  it("mutant: a run of both meshes, and any other cluster, keep one baseline namespace", async () => {
    expect(targetNamespace("none", "host", "both")).toBe("meshproof-none");
    expect(targetNamespace("none", "kind", "linkerd")).toBe("meshproof-none");
    expect(outsiderNamespace("linkerd", "kind", "linkerd")).toBe("meshproof-linkerd-outsider");
  });
});
