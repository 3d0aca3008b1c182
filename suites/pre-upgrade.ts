/**
 * Before upgrading a mesh in production: rehearse the upgrade under load, then confirm the
 * policies production leans on still behave, and that the data path costs no more than before.
 */
import { defineSuite, MESHES_ONLY, on, WITH_BASELINE } from "./suite.js";

export const preUpgrade = defineSuite({
  name: "pre-upgrade",
  description: "Before a mesh upgrade: the upgrade under steady load, then canary, retries, timeouts, mTLS, authorization and the benchmark",
  scenarios: [
    ...on(MESHES_ONLY, ["upgrade", "canary", "retries", "timeouts", "mtls", "authz"]),
    ...on(WITH_BASELINE, ["benchmark"]),
  ],
});
