/**
 * Injected faults hit the share of requests the policy states: 503 to 5%, a 500 ms delay to 10%.
 */
import { defineScenario } from "../src/engine/scenario.js";
import { SCENARIO_SUMMARIES } from "./catalog.js";
import { latencyCheck, shareCheck, slowShareCheck } from "./checks.js";
import { applyPolicy } from "./policy-steps.js";
import { FAULTS, INJECTED_ABORT, INJECTED_DELAY } from "./policies.js";
import { plannedConverge, plannedMeasure } from "./sizing.js";

/**
 * Premise of the delay check: without injection, p99 end-to-end latency stays below this, so a
 * request slower than DELAYED_THRESHOLD_MS was delayed. The threshold sits half the delay above
 * it (the analysis module's advice), keeping undelayed stragglers out of the count. A delayed
 * request takes the delay plus the server's own time to first token (100 ms in the reference
 * stack), so it lies past the threshold. 300 ms leaves room for a busy 2-core node: through two
 * Envoys at 100 requests/s the reference stack's one-token completions took 104 ms at p50 and
 * 150-350 ms at p99 per batch there, with nothing injected.
 */
export const UNDELAYED_P99_MS = 300;
export const DELAYED_THRESHOLD_MS = UNDELAYED_P99_MS + INJECTED_DELAY.ms / 2;

const abortShare = INJECTED_ABORT.percent / 100;
const delayShare = INJECTED_DELAY.percent / 100;

export const faultInjection = defineScenario({
  name: "fault-injection",
  description:
    `${SCENARIO_SUMMARIES["fault-injection"]} ` +
    "The policy is the seed stacks' chaos policy. Plain one-token " +
    `completions keep undelayed requests fast; a measurement before the faults confirms that premise (p99 under ${UNDELAYED_P99_MS} ms), ` +
    `so a request slower than ${DELAYED_THRESHOLD_MS} ms counts as delayed. Delays and aborts are drawn independently, as ` +
    "Envoy's fault filter does, so the delayed share is of all requests, aborted ones included.",
  claims: [
    `Without injected faults, p99 end-to-end latency is under ${UNDELAYED_P99_MS} ms (the premise of the delay check).`,
    `${INJECTED_ABORT.percent}% of requests are aborted with ${INJECTED_ABORT.status}.`,
    `${INJECTED_DELAY.percent}% of requests are delayed by ${INJECTED_DELAY.ms} ms.`,
  ],
  requires: ["fault"],
  baseline: false,
  clusters: ["kind", "gke", "current", "host"],
  defaultLoad: { name: "fault-injection", executor: "constant-arrival-rate", rate: 20, durationSeconds: 60, mode: "plain", maxTokens: 1 },
  build(ctx, steps) {
    return {
      assess: [
        plannedMeasure(ctx, steps, "before-faults", "measure latency before any fault is injected", [
          latencyCheck("undelayed-p99", `without injected faults, p99 end-to-end latency is at most ${UNDELAYED_P99_MS} ms`, "e2e", 0.99, UNDELAYED_P99_MS),
        ], { requires: [] }),
        // Aborts and delays are separate claims: a mesh that can abort but not delay (Linkerd
        // emulates aborts with an error backend) is still judged on its aborts.
        ...applyPolicy(ctx, steps, "inject-faults", `abort ${INJECTED_ABORT.percent}% of requests with ${INJECTED_ABORT.status} and delay ${INJECTED_DELAY.percent}% by ${INJECTED_DELAY.ms} ms`, [FAULTS], [
          { part: [{ kind: "fault", abort: { ...INJECTED_ABORT } }], checks: ["faults-converged-aborts", "abort-share"] },
          { part: [{ kind: "fault", delay: { ...INJECTED_DELAY } }], checks: ["delay-share"] },
        ]),
        plannedConverge(ctx, steps, "faults-converge", `wait until about ${INJECTED_ABORT.percent}% of requests are aborted`, [
          shareCheck("faults-converged-aborts", `about ${INJECTED_ABORT.percent}% of requests are aborted`, { status: INJECTED_ABORT.status }, abortShare),
        ], {
          requires: ["fault"],
          // Before the policy no request is aborted: the band must not reach down to zero.
          maxTolerance: { "faults-converged-aborts": abortShare * 0.9 },
        }),
        plannedMeasure(ctx, steps, "measure-faults", "measure the share of aborted and of delayed requests", [
          shareCheck("abort-share", `${INJECTED_ABORT.percent}% of requests are aborted with ${INJECTED_ABORT.status}`, { status: INJECTED_ABORT.status }, abortShare),
          slowShareCheck("delay-share", `${INJECTED_DELAY.percent}% of requests are delayed by ${INJECTED_DELAY.ms} ms (slower than ${DELAYED_THRESHOLD_MS} ms)`, DELAYED_THRESHOLD_MS, delayShare),
        ], { requires: ["fault"] }),
      ],
    };
  },
});
