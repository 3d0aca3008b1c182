/**
 * Retries keep their promise: a request whose first tries fail on the server succeeds, one that
 * keeps failing is given up on, and a stream is never replayed once the client has its first byte.
 */
import { defineScenario } from "../src/engine/scenario.js";
import { SCENARIO_SUMMARIES } from "./catalog.js";
import { shareCheck } from "./checks.js";
import { applyPolicy } from "./policy-steps.js";
import { ALL_STABLE, RETRY_POLICY, STABLE } from "./policies.js";
import { plannedConverge, plannedMeasure } from "./sizing.js";

/** Headers of the reference server's fault hooks (it counts attempts per x-request-id). */
const FAIL_ATTEMPTS = "x-llm-fail-attempts";
const ABORT_AFTER_TOKENS = "x-llm-abort-after-tokens";
const FAIL_STATUS = "x-llm-fail-status";

/**
 * The status of every injected failure: a 5xx the policy retries (`5xx`) but no mesh retries by
 * default. Istio retries 503 twice without any policy (and Envoy's default retriable codes are
 * 503 only), so with 503 a request failing twice would be recovered with the policy missing and
 * no check could tell the claimed attempts from Istio's default.
 */
export const FAILURE_STATUS = 500;

/**
 * Failing twice is recovered whether a mesh reads `attempts: 3` as three tries in all or as three
 * retries after the first try (what Istio, Gateway API and Linkerd document): either way the third
 * try succeeds. Failing four times exhausts both readings, so the client sees the failure.
 */
export const RECOVERABLE_FAILURES = 2;
export const EXHAUSTING_FAILURES = RETRY_POLICY.attempts + 1;
/** No reading of the policy allows a try beyond the first plus `attempts` retries. */
const BEYOND_ANY_READING = RETRY_POLICY.attempts + 2;

/**
 * Linkerd bounds retries by a budget (20% extra load, at least 10 retries/s). Recovering each
 * request costs two retries, so above (10 + 0.2 r) / 2 requests/s the budget, not the policy,
 * would decide. The retry steps stay below that whatever --rate says.
 */
export const RETRY_RATE_CAP = 5;

export const retries = defineScenario({
  name: "retries",
  description:
    `${SCENARIO_SUMMARIES.retries} ` +
    `The policy is the seed stacks' (${RETRY_POLICY.attempts} attempts, ` +
    `${(RETRY_POLICY.perTryTimeoutMs ?? 0) / 1000} s per try, on ${RETRY_POLICY.retryOn.join(", ")}). The reference server's fault hooks cause the failures ` +
    `(${FAIL_ATTEMPTS}: N fails the first N tries of a request id with ${FAILURE_STATUS}, a status no mesh retries without a policy; ` +
    `${ABORT_AFTER_TOKENS}: N cuts a stream after N tokens). ` +
    "Every request goes to stable, because the server counts tries per replica and a retry sent to another replica " +
    `would start its count again. Rates stay at or below ${RETRY_RATE_CAP} requests/s so a retry budget (Linkerd) never binds; Istio has none, so --rate applies there. ` +
    "Limit: a retry sent after the client had the first byte could only be seen by the server; the client-side check is that " +
    "every cut stream the client received came from the first try.",
  claims: [
    `A request whose first ${RECOVERABLE_FAILURES} tries fail with ${FAILURE_STATUS} succeeds, served on its third try.`,
    `A request that fails ${EXHAUSTING_FAILURES} times in a row reaches the client as a ${FAILURE_STATUS} and is not tried again beyond the policy.`,
    "A streamed request that fails before its first byte is retried and succeeds.",
    "A stream cut after its first tokens is not retried: what the client received came from the first try.",
  ],
  requires: ["retry", "split"],
  baseline: false,
  clusters: ["kind", "gke", "current", "host"],
  defaultLoad: { name: "retries", executor: "constant-arrival-rate", rate: RETRY_RATE_CAP, durationSeconds: 60, mode: "plain", maxTokens: 4 },
  build(ctx, steps) {
    // Istio has no retry budget (a fixed attempt count only), so nothing but the policy can bind there.
    const rate = ctx.mesh === "istio" ? steps.load().rate : Math.min(steps.load().rate, RETRY_RATE_CAP);
    const failing = (n: number) => ({ [FAIL_ATTEMPTS]: String(n), [FAIL_STATUS]: String(FAILURE_STATUS) });
    const failTwice = failing(RECOVERABLE_FAILURES);
    return {
      assess: [
        ...applyPolicy(ctx, steps, "retry-policy", `send every request to ${STABLE} and retry ${RETRY_POLICY.attempts} times on ${RETRY_POLICY.retryOn.join(", ")}`, [ALL_STABLE, RETRY_POLICY]),
        plannedConverge(ctx, steps, "retries-converge", `wait until requests failing their first ${RECOVERABLE_FAILURES} tries succeed`, [
          shareCheck("retries-converged-success", "requests failing their first tries succeed", { status: "2xx" }, 1),
        ], {
          probe: { rate, headers: failTwice },
          requires: ["retry", "split"],
          // Without retries every such request fails: any band short of zero tells them apart.
          maxTolerance: { "retries-converged-success": 0.5 },
        }),
        plannedMeasure(ctx, steps, "recovered-by-retries", `send requests that fail their first ${RECOVERABLE_FAILURES} tries`, [
          shareCheck("recovered-success", `every request whose first ${RECOVERABLE_FAILURES} tries fail succeeds`, { status: "2xx" }, 1),
          shareCheck("recovered-on-third-try", "every such success was served on the third try", { status: "2xx", minAttempt: RECOVERABLE_FAILURES + 1 }, 1, { denominator: { status: "2xx" } }),
        ], { load: { rate, headers: failTwice }, requires: ["retry", "split"] }),
        plannedMeasure(ctx, steps, "exhausted-retries", `send requests that fail ${EXHAUSTING_FAILURES} times in a row`, [
          shareCheck("exhausted-fail", `every request failing ${EXHAUSTING_FAILURES} times reaches the client as a ${FAILURE_STATUS}`, { status: FAILURE_STATUS }, 1),
          shareCheck("bounded-tries", `no request is tried a ${BEYOND_ANY_READING}th time`, { minAttempt: BEYOND_ANY_READING }, 0),
        ], { load: { rate, headers: failing(EXHAUSTING_FAILURES) }, requires: ["retry", "split"] }),
        plannedMeasure(ctx, steps, "stream-retried-before-first-byte", "send streamed requests whose first try fails before any byte", [
          shareCheck("stream-recovered", "every streamed request failing its first try before any byte succeeds", { status: "2xx" }, 1),
        ], { load: { rate, mode: "stream", headers: failing(1) }, requires: ["retry", "split"] }),
        plannedMeasure(ctx, steps, "stream-cut-not-retried", "send streamed requests that the server cuts after two tokens", [
          shareCheck("cut-stream-first-try", "every cut stream the client received came from its first try", { minAttempt: 2 }, 0),
        ], { load: { rate, mode: "stream", maxTokens: 16, headers: { [ABORT_AFTER_TOKENS]: "2" } }, requires: ["retry", "split"] }),
      ],
    };
  },
});
