/**
 * The part of the catalog `npm test` judges on the real meshes of the host cluster, each
 * scenario followed by its mutants on the same install (`suite host-ci --mutants`), sized to the
 * CI budget from measured costs (scenario plus its mutants, on the shared 2-core machine):
 * header-routing 2-2.5 min, retries 2.7 min on Istio (9 min on Linkerd: 5 requests/s keep its
 * retry budget from binding), circuit-breaking about 4, mtls 2-3, authz about 3, rate-limit about
 * 2.5, upgrade nothing (not supported on the host cluster's single builds), fault-injection 4.2
 * on Istio. The rest runs nightly (`suite nightly --mutants`): canary (8.5 min with its mutant),
 * timeouts (15 min or more), the benchmark against the baseline (4.5 min) and Linkerd's
 * fault-injection (10 min: its fault backend took 2.5 min to show in traffic).
 */
import { BOTH_MESHES, defineSuite, on } from "./suite.js";

export const hostCi = defineSuite({
  name: "host-ci",
  description: "npm test on the host cluster's real meshes: the policy scenarios that fit the CI budget, each with its mutants (the rest is nightly)",
  scenarios: [...on(BOTH_MESHES, ["header-routing", "retries", "circuit-breaking", "mtls", "authz", "rate-limit", "upgrade"]), ...on(["istio"], ["fault-injection"])],
});
