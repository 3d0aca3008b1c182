/**
 * Nightly CI: the whole catalog on both meshes, and the benchmark against the baseline too, so a
 * regression in a mesh release or in meshproof shows the next morning.
 */
import { MESHES_ONLY, defineSuite, on, POLICY_SCENARIOS, WITH_BASELINE } from "./suite.js";

export const nightly = defineSuite({
  name: "nightly",
  description: "Nightly CI: every policy scenario on Istio and Linkerd, the benchmark against no mesh, and an upgrade rehearsal",
  scenarios: [...on(MESHES_ONLY, POLICY_SCENARIOS), ...on(WITH_BASELINE, ["benchmark"]), ...on(MESHES_ONLY, ["upgrade"])],
});
