/**
 * A local rate limit of 100 requests per minute holds: traffic under it passes untouched, traffic
 * over it is admitted at the limit's pace and the rest refused with 429.
 */
import { planProportion } from "../src/analysis/index.js";
import { UsageError } from "../src/core/errors.js";
import { defineScenario } from "../src/engine/scenario.js";
import { SCENARIO_SUMMARIES } from "./catalog.js";
import { shareCheck } from "./checks.js";
import { applyPolicy } from "./policy-steps.js";
import { ALL_STABLE, RATE_LIMIT, RATE_LIMIT_INTERVAL_MS, RATE_LIMIT_REQUESTS, STABLE } from "./policies.js";
import { plannedConverge, plannedMeasure } from "./sizing.js";

const TOO_MANY_REQUESTS = 429;
const perMinute = (rps: number) => Math.round(rps * 60);
/** Offered rate of the under-the-limit step: 90 a minute, comfortably below 100. */
export const UNDER_LIMIT_RATE = 1.5;
/** Default offered rate over the limit: six times it, so the limit clearly binds. */
export const OVER_LIMIT_RATE = 10;
/** The over-limit batch must offer at least this many times what the limit admits, or the limit hardly shows. */
const MIN_OVERLOAD = 2;

/**
 * Bounds on the share of requests a token bucket admits when `rate` requests/s arrive for
 * `seconds`: refills within the window admit `limit` per interval, and the bucket may start
 * anywhere from empty to full (earlier steps drain it, idle gaps refill it), adding up to one
 * more bucket. Both a bucket refilled in one lump per interval and one refilled smoothly stay
 * within these bounds.
 */
export function admittedShareBounds(rate: number, seconds: number, limit = RATE_LIMIT_REQUESTS, intervalSeconds = RATE_LIMIT_INTERVAL_MS / 1000): { low: number; high: number } {
  const offered = rate * seconds;
  const low = (limit * Math.floor(seconds / intervalSeconds)) / offered;
  const high = Math.min(1, (limit * (Math.ceil(seconds / intervalSeconds) + 1)) / offered);
  return { low, high };
}

export const rateLimit = defineScenario({
  name: "rate-limit",
  description:
    `${SCENARIO_SUMMARIES["rate-limit"]} A local limit is counted per proxy, ` +
    `so every request is sent to ${STABLE} (one replica in the reference stack) and one proxy's bucket decides. Under the limit ` +
    `(${perMinute(UNDER_LIMIT_RATE)} requests a minute) every request passes. Over it (${perMinute(OVER_LIMIT_RATE)} a minute by default, or --rate), one batch ` +
    `of fixed length is sent and the share admitted must match what a ${RATE_LIMIT_REQUESTS}-per-minute bucket admits in that time, allowing ` +
    "for a bucket that starts anywhere from empty to full; the refused requests must get 429. The over-limit batch is not " +
    "extended sequentially, because the admitted share depends on the batch's length.",
  claims: [
    `Below ${RATE_LIMIT_REQUESTS} requests per minute every request passes.`,
    `Above it, requests are admitted at ${RATE_LIMIT_REQUESTS} per minute (plus at most one bucket).`,
    `Requests over the limit are refused with ${TOO_MANY_REQUESTS}.`,
  ],
  requires: ["rateLimit", "split"],
  baseline: false,
  clusters: ["kind", "gke", "current", "host"],
  defaultLoad: { name: "rate-limit", executor: "constant-arrival-rate", rate: OVER_LIMIT_RATE, durationSeconds: 300, mode: "plain", maxTokens: 1 },
  build(ctx, steps) {
    const over = steps.load({ name: "over-the-limit" });
    const offered = over.rate * over.durationSeconds;
    const limitPerSecond = RATE_LIMIT_REQUESTS / (RATE_LIMIT_INTERVAL_MS / 1000);
    if (over.rate < MIN_OVERLOAD * limitPerSecond || over.durationSeconds < RATE_LIMIT_INTERVAL_MS / 1000) {
      throw new UsageError(
        `rate-limit needs load well over ${RATE_LIMIT_REQUESTS} requests per minute for at least a minute; got ${over.rate} requests/s for ${over.durationSeconds} s`,
        `pass --rate ${Math.ceil(MIN_OVERLOAD * limitPerSecond)} or more and --duration 60s or more (defaults: --rate ${OVER_LIMIT_RATE}, --duration 300s)`,
      );
    }
    const bounds = admittedShareBounds(over.rate, over.durationSeconds);
    const expected = (bounds.low + bounds.high) / 2;
    // The band covers the bucket's phase plus what one batch of this size can resolve at the
    // check's error rates (the planner's narrowest band for that budget).
    const resolvable = planProportion(shareCheck("resolution", "", { status: "2xx" }, expected, { toleranceAbsolute: 1e-4, maxSamples: Math.floor(offered) })).tolerance;
    const tolerance = Math.round(((bounds.high - bounds.low) / 2 + resolvable) * 1e4) / 1e4;
    const refusedSamples = Math.max(1, Math.floor(offered * (1 - bounds.high)));
    const under = { rate: UNDER_LIMIT_RATE };
    return {
      assess: [
        // Every claim here rests on the exact limit: a mesh that can only approximate it (Linkerd
        // counts whole requests per second) is reported as not supporting it, not judged on another.
        ...applyPolicy(ctx, steps, "rate-limit-policy", `send every request to ${STABLE} and limit it to ${RATE_LIMIT_REQUESTS} requests per minute`, [ALL_STABLE, RATE_LIMIT], [
          { part: [RATE_LIMIT], checks: ["limit-converged", "refill-converged", "under-limit-pass", "admitted-at-limit", "refused-with-429"] },
        ]),
        plannedConverge(ctx, steps, "limit-converge", `wait until requests over the limit are refused with ${TOO_MANY_REQUESTS}`, [
          shareCheck("limit-converged", "some requests over the limit are refused", { status: TOO_MANY_REQUESTS }, 0.5),
        ], {
          // At most the default over-limit rate: far above it a drained bucket refuses nearly every
          // request of a window (98% at 100/s), outside the band below, and a window the bucket's
          // refill lands in refuses fewer, so the windows flap around the band's top.
          probe: { rate: Math.min(over.rate, OVER_LIMIT_RATE) },
          requires: ["rateLimit", "split"],
          // Anything from 5% to 95% refused shows the limit; without it none are.
          maxTolerance: { "limit-converged": 0.45 },
        }),
        plannedConverge(ctx, steps, "refill-converge", "wait until the drained bucket refills and requests under the limit pass", [
          shareCheck("refill-converged", "requests under the limit pass", { status: "2xx" }, 1),
        ], { probe: under, requires: ["rateLimit", "split"], maxTolerance: { "refill-converged": 0.1 } }),
        plannedMeasure(ctx, steps, "under-the-limit", `send ${perMinute(UNDER_LIMIT_RATE)} requests per minute`, [
          shareCheck("under-limit-pass", `below ${RATE_LIMIT_REQUESTS} requests per minute every request passes`, { status: "2xx" }, 1, { toleranceAbsolute: 0.05 }),
        ], { load: under, requires: ["rateLimit", "split"] }),
        plannedMeasure(ctx, steps, "over-the-limit", `send ${perMinute(over.rate)} requests per minute for ${over.durationSeconds} s`, [
          shareCheck(
            "admitted-at-limit",
            `${(bounds.low * 100).toFixed(1)}% to ${(bounds.high * 100).toFixed(1)}% of requests are admitted (${RATE_LIMIT_REQUESTS} per minute plus at most one bucket)`,
            { status: "2xx" },
            expected,
            { toleranceAbsolute: tolerance, maxSamples: Math.floor(offered) },
          ),
          shareCheck("refused-with-429", `requests over the limit are refused with ${TOO_MANY_REQUESTS}`, { status: TOO_MANY_REQUESTS }, 1, {
            denominator: { status: "error" },
            maxSamples: refusedSamples,
          }),
        ], { singleBatch: true, requires: ["rateLimit", "split"] }),
      ],
    };
  },
});
