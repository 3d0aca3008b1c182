/**
 * A quick pass over the policies every mesh must hold, each scenario followed by its mutants on
 * the same install with `--mutants`: a header match, retries, outlier ejection, STRICT mTLS and
 * deny-by-default authorization. It is what `npm test` judges on each real mesh of the host
 * cluster, sized so both meshes fit the test budget side by side on a 2-core machine; the rest of
 * the catalog (canary, timeouts, fault injection, rate limits, the benchmark) is nightly.
 * Retries are the dearest here: on Linkerd they run at 5 requests/s, below its retry budget.
 */
import { defineSuite, MESHES_ONLY, on } from "./suite.js";

export const smoke = defineSuite({
  name: "smoke",
  description: "A quick pass: header routing, retries, circuit breaking, mTLS and authorization (with --mutants, each mutant on the same install)",
  scenarios: on(MESHES_ONLY, ["header-routing", "retries", "circuit-breaking", "mtls", "authz"]),
});
