/**
 * Istio for real on the host cluster: the upstream-envoy variant setup builds (istiod and
 * pilot-agent from source, stock Envoy). Every scenario of the catalog runs here with its
 * mutants, in five lanes side by side on one install of Istio.
 */
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { describeRealMesh } from "./real-mesh.js";

describeRealMesh({
  mesh: "istio",
  missing: () => {
    const builds = readMeshBuilds();
    return builds.istio && builds.envoy ? undefined : "run `npm run setup` first: it builds Istio's upstream-envoy variant";
  },
  // The quick policies, then the upgrade (it cannot run on this variant, one build, and must say
  // so as a verdict of its own rather than pass on nothing) in the first lane; each lane after it
  // holds what waits longest on the clock, and the last the load-heavy rest.
  lanes: [
    [{ suite: "smoke" }, { scenario: "upgrade" }],
    [{ scenario: "retries" }],
    [{ scenario: "timeouts" }],
    [{ scenario: "rate-limit" }],
    [{ scenario: "canary" }, { scenario: "fault-injection" }, { scenario: "benchmark" }],
  ],
  // istiod rolled out and its injection webhook registered: what the install's own wait ends on.
  controlPlaneReady: ["-n", "istio-system", "rollout", "status", "deployment/istiod", "--timeout=5s"],
  rate: 60,
});
