/**
 * Istio for real on the host cluster: the upstream-envoy variant setup builds (istiod and
 * pilot-agent from source, stock Envoy). The smoke suite (suites/smoke.ts) and the upgrade
 * scenario, with their mutants, run here; the whole catalog runs in
 * `npm run suite -- nightly --mutants --mesh istio --cluster host` (see the README for its figures).
 */
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { describeRealMesh } from "./real-mesh.js";

describeRealMesh({
  mesh: "istio",
  missing: () => {
    const builds = readMeshBuilds();
    return builds.istio && builds.envoy ? undefined : "run `npm run setup` first: it builds Istio's upstream-envoy variant";
  },
  // The smoke suite, then the upgrade: it cannot run on this variant (one build), and must say
  // so as a verdict of its own rather than pass on nothing.
  runs: [{ suite: "smoke" }, { scenario: "upgrade" }],
  rate: 60,
});
