/**
 * Nightly CI: the whole catalog on both meshes, and the benchmark against the baseline too, so a
 * regression in a mesh release or in meshproof shows the next morning.
 */
import { BOTH_MESHES, defineSuite, WITH_BASELINE } from "./suite.js";

export const nightly = defineSuite({
  name: "nightly",
  description: "Nightly CI: every policy scenario on Istio and Linkerd, the benchmark against no mesh, and an upgrade rehearsal",
  scenarios: [
    { name: "canary", meshes: BOTH_MESHES },
    { name: "header-routing", meshes: BOTH_MESHES },
    { name: "fault-injection", meshes: BOTH_MESHES },
    { name: "retries", meshes: BOTH_MESHES },
    { name: "timeouts", meshes: BOTH_MESHES },
    { name: "circuit-breaking", meshes: BOTH_MESHES },
    { name: "mtls", meshes: BOTH_MESHES },
    { name: "authz", meshes: BOTH_MESHES },
    { name: "rate-limit", meshes: BOTH_MESHES },
    { name: "benchmark", meshes: WITH_BASELINE },
    { name: "upgrade", meshes: BOTH_MESHES },
  ],
});
