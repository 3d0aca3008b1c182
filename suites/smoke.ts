/**
 * A quick pass over the policies every mesh must hold, each scenario followed by its mutants on
 * the same install with `--mutants`: a header match, outlier ejection, STRICT mTLS and
 * deny-by-default authorization, each a few minutes at most. Scenarios that wait on the clock
 * (retries at Linkerd's 5 requests/s, minute-long timeouts, rate-limit windows) are left out;
 * `npm test` runs them beside this suite, in lanes of their own (test/mesh-host/real-mesh.ts).
 */
import { defineSuite, MESHES_ONLY, on } from "./suite.js";

export const smoke = defineSuite({
  name: "smoke",
  description: "A quick pass: header routing, circuit breaking, mTLS and authorization (with --mutants, each mutant on the same install)",
  scenarios: on(MESHES_ONLY, ["header-routing", "circuit-breaking", "mtls", "authz"]),
});
