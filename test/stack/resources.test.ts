import { describe, expect, it } from "vitest";
import { noneDriver } from "../../src/mesh/none/index.js";
import { referenceStack } from "../../src/stack/index.js";
import { stackResources } from "../../src/stack/resources.js";

/** Millicores of a Kubernetes CPU quantity ("500m", "2"). */
function millicores(quantity: string): number {
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}

function requestedCpu(profile: "reference" | "compact"): number {
  const stack = referenceStack({ namespace: "meshproof-none", runId: "r1", driver: noneDriver, versions: ["stable", "canary"], simImage: "sim", loadgenImage: "lg", resources: profile });
  let total = 0;
  for (const object of stack.manifests) {
    const spec = (object as { spec?: { replicas?: number; template?: { spec?: { containers?: { resources?: { requests?: { cpu?: string } } }[] } }; containers?: { resources?: { requests?: { cpu?: string } } }[] } }).spec;
    const containers = spec?.template?.spec?.containers ?? spec?.containers ?? [];
    const replicas = spec?.template ? (spec.replicas ?? 1) : 1;
    for (const c of containers) total += replicas * millicores(c.resources?.requests?.cpu ?? "0");
  }
  return total;
}

describe("stack resources", () => {
  it("keeps the seed stacks' requests and limits by default", () => {
    const reference = stackResources();
    expect(reference.sim).toEqual({ requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "2Gi" } });
  });

  it("leaves room on one 2-CPU node for both control planes and ten stacks when compact", () => {
    // The reference stack alone asks for most of a 2-CPU node; the host cluster could not
    // schedule its Prometheus. Ten compact stacks (the real-mesh tests' lanes) must leave at
    // least 1 CPU for the control planes and sidecars.
    expect(requestedCpu("reference")).toBeGreaterThan(1500);
    expect(10 * requestedCpu("compact")).toBeLessThanOrEqual(1000);
  });

  it("changes only what is reserved, not what a pod may use", () => {
    const reference = stackResources("reference");
    const compact = stackResources("compact");
    expect(compact.sim.limits).toEqual(reference.sim.limits);
    expect(compact.loadgen.limits).toEqual(reference.loadgen.limits);
    expect(compact.prometheus.limits).toEqual(reference.prometheus.limits);
  });
});
