/**
 * Before upgrading a mesh in production: rehearse the upgrade under load, then confirm the
 * policies production leans on still behave, and that the data path costs no more than before.
 */
import { BOTH_MESHES, defineSuite, WITH_BASELINE } from "./suite.js";

export const preUpgrade = defineSuite({
  name: "pre-upgrade",
  description: "Before a mesh upgrade: the upgrade under steady load, then canary, retries, timeouts, mTLS, authorization and the benchmark",
  scenarios: [
    { name: "upgrade", meshes: BOTH_MESHES },
    { name: "canary", meshes: BOTH_MESHES },
    { name: "retries", meshes: BOTH_MESHES },
    { name: "timeouts", meshes: BOTH_MESHES },
    { name: "mtls", meshes: BOTH_MESHES },
    { name: "authz", meshes: BOTH_MESHES },
    { name: "benchmark", meshes: WITH_BASELINE },
  ],
});
