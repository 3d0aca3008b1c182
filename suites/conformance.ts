/**
 * Conformance: does each mesh do what its policies promise? Every policy scenario, once per mesh;
 * no benchmark and no upgrade, whose numbers are measurements rather than promises.
 */
import { BOTH_MESHES, defineSuite } from "./suite.js";

export const conformance = defineSuite({
  name: "conformance",
  description: "Conformance: every traffic-policy scenario on Istio and Linkerd, for the conformance report",
  scenarios: [
    { name: "header-routing", meshes: BOTH_MESHES },
    { name: "canary", meshes: BOTH_MESHES },
    { name: "fault-injection", meshes: BOTH_MESHES },
    { name: "retries", meshes: BOTH_MESHES },
    { name: "timeouts", meshes: BOTH_MESHES },
    { name: "circuit-breaking", meshes: BOTH_MESHES },
    { name: "mtls", meshes: BOTH_MESHES },
    { name: "authz", meshes: BOTH_MESHES },
    { name: "rate-limit", meshes: BOTH_MESHES },
  ],
});
