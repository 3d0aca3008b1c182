/**
 * The part of the catalog `npm test` judges on the real meshes of the host cluster, each
 * scenario followed by its mutants on the same install (`suite host-ci --mutants`), sized to the
 * CI budget from measured costs (scenario plus its mutants, one install, the shared 2-core
 * machine with the other mesh's run beside it): header-routing 2-2.5 min, retries 2.7 min on
 * Istio (9 min on Linkerd: 5 requests/s keep its retry budget from binding), circuit-breaking
 * about 4, mtls 2-3, authz about 3, upgrade nothing (not supported with the host cluster's single
 * builds), fault-injection 4.2 on Istio, rate-limit seconds on Linkerd (not supported there).
 * Each mesh's file then takes about 20-23 min, side by side. The rest runs nightly
 * (`suite nightly --mutants`): canary (8.5 min with its mutant), timeouts (15 min or more), the
 * benchmark against the baseline, Linkerd's fault-injection (10 min: its fault backend took
 * 2.5 min to show in traffic) and Istio's rate-limit (over 10 min: its over-the-limit step sends
 * load for 300 s).
 */
import { BOTH_MESHES, defineSuite, on } from "./suite.js";

export const hostCi = defineSuite({
  name: "host-ci",
  description: "npm test on the host cluster's real meshes: the policy scenarios that fit the CI budget, each with its mutants (the rest is nightly)",
  scenarios: [...on(BOTH_MESHES, ["header-routing", "retries", "circuit-breaking", "mtls", "authz", "upgrade"]), ...on(["istio"], ["fault-injection"]), ...on(["linkerd"], ["rate-limit"])],
});
