/**
 * Istio for real on the host cluster: the upstream-envoy variant setup builds (istiod and
 * pilot-agent from source, stock Envoy). One run of the whole nightly catalog on one install,
 * every scenario followed by its mutants (`suite nightly --mutants --mesh istio`).
 */
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { catalogOf } from "./catalog.js";
import { describeRealMesh } from "./real-mesh.js";

const SUITE = "nightly";

describeRealMesh({
  mesh: "istio",
  missing: () => {
    const builds = readMeshBuilds();
    return builds.istio && builds.envoy ? undefined : "run `npm run setup` first: it builds Istio's upstream-envoy variant";
  },
  suite: SUITE,
  ...catalogOf(SUITE, "istio"),
  rate: 60,
  budgetMs: 80 * 60_000,
});
