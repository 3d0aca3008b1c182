/**
 * Conformance: does each mesh do what its policies promise? Every policy scenario, once per mesh;
 * no benchmark and no upgrade, whose numbers are measurements rather than promises.
 */
import { MESHES_ONLY, defineSuite, on, POLICY_SCENARIOS } from "./suite.js";

export const conformance = defineSuite({
  name: "conformance",
  description: "Conformance: every traffic-policy scenario on Istio and Linkerd, for the conformance report",
  scenarios: on(MESHES_ONLY, POLICY_SCENARIOS),
});
