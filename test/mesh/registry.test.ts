import { describe, expect, it } from "vitest";
import { PINS } from "../../src/cli/options.js";
import { toolNamed } from "../../src/core/tools.js";
import type { InstallOptions } from "../../src/mesh/driver.js";
import { MESHES, MeshRegistry, versionOptionKey } from "../../src/mesh/registry.js";
import { walkSteps } from "../../src/plan/steps.js";

const install = (version: string, method: "cli" | "helm"): InstallOptions => ({ version, method, gatewayApiVersion: PINS.gatewayApi! });

describe("the mesh registry", () => {
  it("lists istio, linkerd and the baseline, in the order comparisons use; both means the two meshes", () => {
    expect(MESHES.names).toEqual(["istio", "linkerd", "none"]);
    expect(MESHES.compared).toEqual(["istio", "linkerd"]);
    expect(MESHES.choices).toEqual(["istio", "linkerd", "none", "both"]);
    expect(MESHES.named("both")).toEqual(["istio", "linkerd"]);
    expect(MESHES.meshesFor({ baseline: true })).toEqual(["none", "istio", "linkerd"]);
    expect(MESHES.meshesFor({ baseline: false })).toEqual(["istio", "linkerd"]);
  });

  it("pins each mesh's version where its driver does, under a flag the CLI parser names the option after", async () => {
    expect(PINS).toEqual({ istio: "1.30.3", linkerd: "version-2.20", gatewayApi: "v1.5.1" });
    for (const mesh of MESHES.versioned) expect(mesh.version.pin, mesh.name).toBe((await MESHES.driver(mesh.name)).defaultVersion);
    expect(MESHES.versioned.map((m) => [versionOptionKey(m), m.version.env])).toEqual([
      ["istioVersion", "MESHPROOF_ISTIO_VERSION"],
      ["linkerdVersion", "MESHPROOF_LINKERD_VERSION"],
    ]);
  });

  it("names every tool each mesh's install, checks and removal call", async () => {
    for (const mesh of MESHES.entries) {
      const driver = await MESHES.driver(mesh.name);
      for (const method of ["cli", "helm"] as const) {
        const opts = install(mesh.version?.pin ?? "n/a", method);
        const steps = [...walkSteps([...driver.install(opts), ...driver.verifyReady(opts), ...driver.uninstall(opts)])];
        const used = new Set(steps.flatMap((s) => (s.kind === "command" ? [toolNamed(s.argv[0]!)] : s.kind === "wait" && s.condition.type === "command" ? [toolNamed(s.condition.argv[0]!)] : [])).filter((t) => t !== undefined));
        for (const tool of used) expect(mesh.tools, `${mesh.name} (${method}) calls ${tool}`).toContain(tool);
      }
    }
  });

  it("gives each mesh the identity form of its driver: what identityOf reads back", async () => {
    expect(MESHES.entry("istio").workloadIdentity("ns", "sa")).toBe("spiffe://cluster.local/ns/ns/sa/sa");
    expect((await MESHES.driver("istio")).identityOf({ "x-forwarded-client-cert": 'By=spiffe://cluster.local/ns/x/sa/y;Hash=00;Subject="";URI=spiffe://cluster.local/ns/ns/sa/sa' })).toBe("spiffe://cluster.local/ns/ns/sa/sa");
    expect(MESHES.entry("linkerd").workloadIdentity("ns", "sa")).toBe("sa.ns.serviceaccount.identity.linkerd.cluster.local");
    expect((await MESHES.driver("linkerd")).identityOf({ "l5d-client-id": "sa.ns.serviceaccount.identity.linkerd.cluster.local" })).toBe("sa.ns.serviceaccount.identity.linkerd.cluster.local");
    expect(MESHES.entry("none").workloadIdentity("ns", "sa")).toBeUndefined();
  });

  it("knows which build each cluster runs: the host cluster's variants, the official release elsewhere", () => {
    expect(MESHES.variantOn("istio", "host")?.variant.name).toBe("upstream-envoy");
    expect(MESHES.variantOn("linkerd", "host")?.variant.name).toBe("built-from-source");
    for (const cluster of ["kind", "gke", "current", "local"]) for (const mesh of MESHES.names) expect(MESHES.variantOn(mesh, cluster), `${mesh} on ${cluster}`).toBeUndefined();
  });

  it("refuses a second mesh of one name, a registry without the baseline, a mesh called both, and a driver of another name", async () => {
    const istio = MESHES.entry("istio");
    expect(() => MESHES.with(istio)).toThrow(/names istio twice/);
    expect(() => new MeshRegistry([istio])).toThrow(/exactly one baseline/);
    expect(() => MESHES.with({ ...istio, name: "both" })).toThrow(/not "both"/);
    // The driver is only loaded when asked for, so its name is checked then.
    const other = MESHES.with({ ...istio, name: "other" });
    await expect(other.driver("other")).rejects.toThrow(/its driver calls itself istio/);
    await expect(other.createDriver("other", { cluster: "kind", routing: "native", stackNamespace: "x", out: "reports" })).rejects.toThrow(/its driver calls itself istio/);
  });
});
