/**
 * Istio for real on the host cluster: the upstream-envoy variant setup builds (istiod and
 * pilot-agent from source, stock Envoy). One run on one install of the part of the catalog that fits
 * the CI budget, every scenario followed by its mutants (`suite host-ci --mutants --mesh istio`);
 * the whole catalog with its mutants is `suite nightly --mutants`.
 */
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { catalogOf } from "./catalog.js";
import { describeRealMesh } from "./real-mesh.js";

/** What fits the CI budget (suites/host-ci.ts); the whole catalog with its mutants runs nightly. */
const SUITE = "host-ci";

describeRealMesh({
  mesh: "istio",
  missing: () => {
    const builds = readMeshBuilds();
    return builds.istio && builds.envoy ? undefined : "run `npm run setup` first: it builds Istio's upstream-envoy variant";
  },
  suite: SUITE,
  ...catalogOf(SUITE, "istio"),
  rate: 60,
  budgetMs: 45 * 60_000,
});
