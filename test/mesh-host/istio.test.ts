/**
 * Istio for real on the host cluster: the upstream-envoy variant setup builds (istiod and
 * pilot-agent from source, stock Envoy). What fits the test budget runs here; the whole catalog
 * runs in `npm run suite -- nightly --mesh istio --cluster host` (see the README for its figures).
 */
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { describeRealMesh } from "./real-mesh.js";

describeRealMesh({
  mesh: "istio",
  missing: () => {
    const builds = readMeshBuilds();
    return builds.istio && builds.envoy ? undefined : "run `npm run setup` first: it builds Istio's upstream-envoy variant";
  },
  scenarios: ["mtls", "authz"],
  mutants: ["mtls-permissive"],
  rate: 60,
});
