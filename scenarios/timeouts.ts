/**
 * Per-route timeouts: the 60 s inference route cuts what runs past it, at 60 s, and nothing
 * shorter (no proxy default) cuts a long completion, streamed or not.
 */
import { defineScenario } from "../src/engine/scenario.js";
import type { LoadProfileInput } from "../src/load/profile.js";
import { SCENARIO_SUMMARIES } from "./catalog.js";
import { shareCheck, slowShareCheck } from "./checks.js";
import { applyPolicy } from "./policy-steps.js";
import { HEALTH_TIMEOUT, HEALTH_TIMEOUT_MS, INFERENCE_TIMEOUT, INFERENCE_TIMEOUT_MS } from "./policies.js";
import { DELAY_HEADER, plannedConverge, plannedMeasure } from "./sizing.js";

/** Server-side delays (x-llm-delay-ms, before the response headers) on either side of the limit. */
export const PAST_TIMEOUT_DELAY_MS = INFERENCE_TIMEOUT_MS + 5_000;
export const WITHIN_TIMEOUT_DELAY_MS = INFERENCE_TIMEOUT_MS - 15_000;
/** A cut may land this much after the limit (proxy timers, connection set-up) and still count as "at 60 s". */
export const CUT_SLACK_MS = 2_000;
/** Gateway timeout: what Envoy and Linkerd answer when a route timeout fires. */
const GATEWAY_TIMEOUT = 504;

/**
 * Each request here holds a connection for about a minute, so the rate is low and the client may
 * hold rate x duration requests at once; its own timeout stays well past the route's.
 */
const SLOW_RATE = 2;
/**
 * Most requests/s --rate may ask for here: each holds a connection through both proxies for
 * about a minute, so this many times 95 s of requests are open at once.
 */
export const SLOW_RATE_CAP = 10;
/** Each sample costs a minute of a connection: a 5-point band halves the samples a 2-point band needs. */
const SLOW_TOLERANCE = 0.05;
/**
 * How the cut is timed: from when the request was sent (the generator's own lateness is not the
 * mesh's), over every response whatever its outcome, since every request of the step is held past
 * the limit. So the cuts, the 504s, are timed where latency of successes alone would see none;
 * a 504 at 30 s breaks "not before", and a request still running at the limit plus the slack
 * breaks "not after" whether it ends in a late 504, in a 200 (a timeout ten times too long, or
 * none) or in the client's own timeout. Judged on the 504s alone, a mesh that never cuts would
 * leave "not before" without samples, drawing batch after batch of minute-long requests.
 */
const CUT_TIMING = { metric: "e2eFromSend", responses: "all", toleranceAbsolute: SLOW_TOLERANCE } as const;

function slowLoadAt(rate: number, delayMs: number, mode: "plain" | "stream"): Partial<LoadProfileInput> {
  return {
    rate,
    mode,
    headers: { [DELAY_HEADER]: String(delayMs) },
    maxVUs: Math.ceil(rate * ((delayMs + 30_000) / 1000) * 1.5),
    requestTimeoutMs: PAST_TIMEOUT_DELAY_MS + 30_000,
  };
}

export const timeouts = defineScenario({
  name: "timeouts",
  description:
    `${SCENARIO_SUMMARIES.timeouts} ` +
    `The policy is the seed stacks': ${INFERENCE_TIMEOUT_MS / 1000} s on the inference route (/v1) and ${HEALTH_TIMEOUT_MS / 1000} s on /health. ` +
    `The reference server holds responses back by the x-llm-delay-ms header: a request held ${PAST_TIMEOUT_DELAY_MS / 1000} s must be cut with ${GATEWAY_TIMEOUT} ` +
    `close to ${INFERENCE_TIMEOUT_MS / 1000} s, not earlier and not much later; a completion held ${WITHIN_TIMEOUT_DELAY_MS / 1000} s, plain or streamed, must ` +
    "complete (no shorter proxy default, such as Envoy's 15 s route timeout, may cut it). How a mesh times a stream that is " +
    "still sending tokens at the limit differs between meshes and is not judged here. The health route's limit is applied " +
    "with the policy but not exercised: the load generator sends inference requests only. " +
    `--rate applies up to ${SLOW_RATE_CAP} requests/s, since every request holds a connection for about a minute.`,
  claims: [
    `A request running past ${INFERENCE_TIMEOUT_MS / 1000} s on the inference route is cut with ${GATEWAY_TIMEOUT}.`,
    `The cut comes at the limit: not before ${(INFERENCE_TIMEOUT_MS - CUT_SLACK_MS) / 1000} s and not after ${(INFERENCE_TIMEOUT_MS + CUT_SLACK_MS) / 1000} s.`,
    `A completion taking ${WITHIN_TIMEOUT_DELAY_MS / 1000} s is not cut, neither plain nor streamed.`,
  ],
  requires: ["timeout"],
  baseline: false,
  clusters: ["kind", "gke", "current", "host"],
  defaultLoad: { name: "timeouts", executor: "constant-arrival-rate", rate: SLOW_RATE, durationSeconds: 120, mode: "plain", maxTokens: 4 },
  build(ctx, steps) {
    const rate = Math.min(steps.load().rate, SLOW_RATE_CAP);
    const slowLoad = (delayMs: number, mode: "plain" | "stream") => slowLoadAt(rate, delayMs, mode);
    return {
      assess: [
        ...applyPolicy(ctx, steps, "route-timeouts", `limit the inference route to ${INFERENCE_TIMEOUT_MS / 1000} s and the health route to ${HEALTH_TIMEOUT_MS / 1000} s`, [INFERENCE_TIMEOUT, HEALTH_TIMEOUT]),
        plannedConverge(ctx, steps, "timeouts-converge", `wait until requests held ${PAST_TIMEOUT_DELAY_MS / 1000} s are cut`, [
          shareCheck("timeouts-converged-cut", "requests held past the limit are cut", { status: GATEWAY_TIMEOUT }, 1),
        ], {
          probe: slowLoad(PAST_TIMEOUT_DELAY_MS, "plain"),
          requires: ["timeout"],
          // Before the policy no such request is cut: any band short of zero tells them apart.
          maxTolerance: { "timeouts-converged-cut": 0.5 },
        }),
        plannedMeasure(ctx, steps, "past-the-limit", `send requests the server holds ${PAST_TIMEOUT_DELAY_MS / 1000} s`, [
          shareCheck("cut-with-504", `every request held past ${INFERENCE_TIMEOUT_MS / 1000} s is answered ${GATEWAY_TIMEOUT}`, { status: GATEWAY_TIMEOUT }, 1, { toleranceAbsolute: SLOW_TOLERANCE }),
          slowShareCheck("not-cut-early", `no such request is cut before ${(INFERENCE_TIMEOUT_MS - CUT_SLACK_MS) / 1000} s`, INFERENCE_TIMEOUT_MS - CUT_SLACK_MS, 1, CUT_TIMING),
          slowShareCheck("not-cut-late", `no such request is left running past ${(INFERENCE_TIMEOUT_MS + CUT_SLACK_MS) / 1000} s`, INFERENCE_TIMEOUT_MS + CUT_SLACK_MS, 0, CUT_TIMING),
        ], { load: slowLoad(PAST_TIMEOUT_DELAY_MS, "plain"), requires: ["timeout"] }),
        // The two checks below hold on any mesh, timeout policy or not: they judge that no shorter
        // default cuts a long completion, so they depend on no intent.
        plannedMeasure(ctx, steps, "within-the-limit", `send completions the server holds ${WITHIN_TIMEOUT_DELAY_MS / 1000} s`, [
          shareCheck("long-request-completes", `every completion taking ${WITHIN_TIMEOUT_DELAY_MS / 1000} s succeeds`, { status: "2xx" }, 1, { toleranceAbsolute: SLOW_TOLERANCE }),
        ], { load: slowLoad(WITHIN_TIMEOUT_DELAY_MS, "plain"), requires: [] }),
        plannedMeasure(ctx, steps, "long-stream-within-the-limit", `send streamed completions whose first token comes after ${WITHIN_TIMEOUT_DELAY_MS / 1000} s`, [
          shareCheck("long-stream-completes", `every streamed completion starting after ${WITHIN_TIMEOUT_DELAY_MS / 1000} s succeeds`, { status: "2xx" }, 1, { toleranceAbsolute: SLOW_TOLERANCE }),
        ], { load: slowLoad(WITHIN_TIMEOUT_DELAY_MS, "stream"), requires: [] }),
      ],
    };
  },
});
