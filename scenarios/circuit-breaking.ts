/**
 * Circuit breaking by outlier ejection: a replica that fails every request is taken out of
 * rotation after 5 consecutive errors, and clients stop seeing its errors.
 */
import type { ApplyStep, WaitStep } from "../src/plan/steps.js";
import { defineScenario } from "../src/engine/scenario.js";
import { TIMEOUTS } from "../src/core/timeouts.js";
import { simDeploymentName } from "../src/stack/index.js";
import { SCENARIO_SUMMARIES } from "./catalog.js";
import { errorRateCheck, shareCheck } from "./checks.js";
import { applyPolicy } from "./policy-steps.js";
import { FAULTY_STATUS, FAULTY_VERSION, faultyReplica } from "./faulty-replica.js";
import { CONSECUTIVE_ERRORS_TO_EJECT, OUTLIER_DETECTION } from "./policies.js";
import { plannedConverge, plannedMeasure } from "./sizing.js";

/** Errors clients may still see once the breaker works: each return of the ejected replica costs a few. */
export const MAX_ERROR_RATE_AFTER = 0.02;
/**
 * Before ejection, how much traffic the bad replica draws depends on the balancer (least-request
 * and latency-aware balancers favour a replica that fails fast), so the claim is only that its
 * errors reach clients at all: a band from 5% to 95%.
 */
const IN_ROTATION = { expected: 0.5, tolerance: 0.45 } as const;

export const circuitBreaking = defineScenario({
  name: "circuit-breaking",
  description:
    `${SCENARIO_SUMMARIES["circuit-breaking"]} ` +
    "The reference stack has one healthy replica per version; " +
    `the scenario adds one more reference server (Deployment ${simDeploymentName(FAULTY_VERSION)}) that answers every completion with ${FAULTY_STATUS}, ` +
    "labelled with the Service's selector so the Service balances over it like any replica, and with its own version label " +
    "so its responses are identifiable. It is applied in setup and removed with the scenario. The error rate is measured " +
    "before and after the seed stacks' outlier policy (5 consecutive errors, 30 s interval, 30 s base ejection, at most " +
    "50% ejected, 100 connections and 50 pending requests). No split is applied, so traffic reaches every endpoint.",
  claims: [
    "Without a circuit breaker the bad replica's errors reach clients (between 5% and 95% of requests fail).",
    `After ${CONSECUTIVE_ERRORS_TO_EJECT} consecutive errors the bad replica is ejected: at most ${MAX_ERROR_RATE_AFTER * 100}% of requests fail.`,
  ],
  requires: ["outlier"],
  baseline: false,
  clusters: ["kind", "gke", "current", "host"],
  defaultLoad: { name: "circuit-breaking", executor: "constant-arrival-rate", rate: 20, durationSeconds: 60, mode: "plain", maxTokens: 4 },
  build(ctx, steps) {
    const manifest = faultyReplica(ctx.target, { podAnnotations: ctx.driver.podAnnotations() });
    const addReplica: ApplyStep = {
      kind: "apply",
      id: "add-faulty-replica",
      name: `add a replica that fails every request with ${FAULTY_STATUS} behind the ${ctx.target.service} Service`,
      timeoutMs: TIMEOUTS.apply,
      manifests: [manifest],
    };
    const replicaReady: WaitStep = {
      kind: "wait",
      id: "faulty-replica-ready",
      name: "wait until the failing replica is ready and in the Service's endpoints",
      timeoutMs: TIMEOUTS.rollout,
      condition: { type: "rollout", namespace: ctx.target.namespace, kind: "Deployment", name: manifest.metadata.name },
      consecutive: 1,
      intervalMs: 2_000,
    };
    return {
      setup: [addReplica, replicaReady],
      assess: [
        plannedMeasure(ctx, steps, "before-ejection", "measure errors with the failing replica in rotation and no circuit breaker", [
          shareCheck("errors-before", "without a circuit breaker the failing replica's errors reach clients (5% to 95% of requests fail)", { status: "error" }, IN_ROTATION.expected, {
            toleranceAbsolute: IN_ROTATION.tolerance,
          }),
        ], { requires: [] }),
        ...applyPolicy(ctx, steps, "circuit-breaker", `eject a replica after ${CONSECUTIVE_ERRORS_TO_EJECT} consecutive errors`, [OUTLIER_DETECTION]),
        plannedConverge(ctx, steps, "ejection-converge", "wait until clients stop seeing the failing replica's errors", [
          shareCheck("ejection-converged", "clients see almost no errors", { status: "error" }, 0),
        ], {
          requires: ["outlier"],
          // Before ejection at least 5% fail (the check above): the band stays well below that.
          maxTolerance: { "ejection-converged": 0.04 },
        }),
        plannedMeasure(ctx, steps, "after-ejection", "measure errors with the circuit breaker in place", [
          errorRateCheck("errors-after", `with the failing replica ejected at most ${MAX_ERROR_RATE_AFTER * 100}% of requests fail`, MAX_ERROR_RATE_AFTER),
          shareCheck("faulty-share-after", `at most ${MAX_ERROR_RATE_AFTER * 100}% of requests still reach the failing replica`, { version: FAULTY_VERSION }, 0, { toleranceAbsolute: MAX_ERROR_RATE_AFTER }),
        ], { requires: ["outlier"] }),
      ],
    };
  },
});
