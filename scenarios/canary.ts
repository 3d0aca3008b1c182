/**
 * Progressive canary delivery: shift the canary's share step by step, judge each step's split and
 * SLOs, and roll every request back to stable the moment a step breaches them.
 */
import type { CheckSpecInput } from "../src/analysis/index.js";
import type { Step } from "../src/plan/steps.js";
import { defineScenario, type ScenarioContext, type StepFactory } from "../src/engine/scenario.js";
import { SCENARIO_SUMMARIES } from "./catalog.js";
import { errorRateCheck, latencyCheck, shareCheck } from "./checks.js";
import { applyPolicy } from "./policy-steps.js";
import { ALL_STABLE, CANARY, CANARY_HEADER_OVERRIDE, canarySplit } from "./policies.js";
import { plannedConverge, plannedMeasure } from "./sizing.js";
import { CANARY_SLO } from "./slo.js";

/** Canary weights, in percent, after the 0% start; each must be judged before the next. */
export const CANARY_STEPS = [10, 25, 50, 100] as const;

/** A window's band must stop short of the previous weight, so old traffic cannot look converged. */
const SEPARATION = 0.9;

function canaryShare(id: string, percent: number): CheckSpecInput & { type: "proportion" } {
  return shareCheck(id, `${percent}% of requests reach the canary`, { version: CANARY }, percent / 100);
}

function sloChecks(prefix: string, percent: number): CheckSpecInput[] {
  const at = `with ${percent}% on the canary`;
  return [
    canaryShare(`${prefix}-canary-share`, percent),
    errorRateCheck(`${prefix}-error-rate`, `${at}, at most ${CANARY_SLO.maxErrorRate * 100}% of requests fail`, CANARY_SLO.maxErrorRate),
    latencyCheck(`${prefix}-p99`, `${at}, p99 end-to-end latency is at most ${CANARY_SLO.e2eP99Ms} ms`, "e2e", 0.99, CANARY_SLO.e2eP99Ms),
    latencyCheck(`${prefix}-ttft-p99`, `${at}, p99 time to first token is at most ${CANARY_SLO.ttftP99Ms} ms`, "ttft", 0.99, CANARY_SLO.ttftP99Ms),
  ];
}

/** Apply a weight and wait until traffic shows it: the wait is the time the shift took to converge. */
function shiftTo(ctx: ScenarioContext, steps: StepFactory, percent: number, previous: number, id: string, name: string): Step[] {
  const checkId = `${id}-converged-share`;
  return [
    ...applyPolicy(ctx, steps, id, name, [CANARY_HEADER_OVERRIDE, canarySplit(percent)]),
    plannedConverge(ctx, steps, `${id}-converge`, `wait until about ${percent}% of requests reach the canary`, [canaryShare(checkId, percent)], {
      requires: ["split"],
      maxTolerance: { [checkId]: Math.abs(percent - previous) / 100 * SEPARATION },
    }),
  ];
}

export const canary = defineScenario({
  name: "canary",
  description:
    `${SCENARIO_SUMMARIES.canary} ` +
    "Each shift is applied (with the seed stacks' x-canary: true override in place) and traffic is probed until it shows " +
    "the new weight, which times how long the shift took to converge; then the step measures the observed split, the " +
    "error rate, p99 latency and p99 time to first token of streamed completions sent without the override header. A " +
    "step that breaches its SLOs rolls every request back to stable and ends the scenario.",
  claims: [
    "Each canary weight (10, 25, 50, 100%) is the share of requests the canary serves.",
    "A weight change shows in traffic within the convergence limit.",
    `At every step the error rate stays at most ${CANARY_SLO.maxErrorRate * 100}%, p99 latency at most ${CANARY_SLO.e2eP99Ms} ms and p99 time to first token at most ${CANARY_SLO.ttftP99Ms} ms.`,
    "A step that breaches its SLOs is rolled back: every request returns to stable.",
  ],
  requires: ["split", "route"],
  baseline: false,
  clusters: ["kind", "gke", "current", "host"],
  defaultLoad: { name: "canary", executor: "constant-arrival-rate", rate: 20, durationSeconds: 60, mode: "stream", maxTokens: 16 },
  build(ctx, steps) {
    // Before any policy the Service balances over both versions' pods: about half reach the canary.
    const setup = shiftTo(ctx, steps, 0, 50, "start-on-stable", "send every request to stable, keeping the x-canary: true override");
    const assess: Step[] = [
      plannedMeasure(ctx, steps, "measure-0", "measure the SLOs with every request on stable (the baseline the canary is held to)", sloChecks("at-0", 0), { requires: ["split"] }),
    ];
    let previous = 0;
    for (const percent of CANARY_STEPS) {
      const measureId = `measure-${percent}`;
      assess.push(
        ...shiftTo(ctx, steps, percent, previous, `shift-${percent}`, `shift ${percent}% of traffic to the canary`),
        plannedMeasure(ctx, steps, measureId, `measure the split and the SLOs with ${percent}% on the canary`, sloChecks(`at-${percent}`, percent), { requires: ["split"] }),
        steps.gate(`gate-${percent}`, measureId, "roll back: send every request to stable", [
          ...applyPolicy(ctx, steps, `rollback-${percent}`, "roll back: send every request to stable", [CANARY_HEADER_OVERRIDE, ALL_STABLE]),
          plannedConverge(ctx, steps, `rollback-${percent}-converge`, "wait until no request reaches the canary", [canaryShare(`rollback-${percent}-share`, 0)], {
            requires: ["split"],
            maxTolerance: { [`rollback-${percent}-share`]: (percent / 100) * SEPARATION },
          }),
        ]),
      );
      previous = percent;
    }
    return { setup, assess };
  },
});
