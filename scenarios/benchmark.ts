/**
 * Latency and throughput across a rate sweep, on every mesh and on no mesh at all, so the
 * comparison can state each mesh's overhead against the baseline.
 */
import type { CheckSpecInput } from "../src/analysis/index.js";
import { defineScenario } from "../src/engine/scenario.js";
import { SCENARIO_SUMMARIES } from "./catalog.js";
import { errorRateCheck, latencyCheck } from "./checks.js";
import { plannedMeasure } from "./sizing.js";
import { BENCHMARK_SLO } from "./slo.js";

/** Offered rates as multiples of the base rate (--rate, or the default). */
export const SWEEP = [0.5, 1, 2, 4] as const;
/**
 * The quantile the benchmark's SLO checks judge. p99 would need thousands of requests per step
 * before a check could pass; every quantile (p50 to p99.9) is still recorded for the comparison.
 */
const SLO_QUANTILE = 0.9;

function sweepChecks(prefix: string, rate: number): CheckSpecInput[] {
  const at = `at ${rate} requests/s`;
  const q = `p${SLO_QUANTILE * 100}`;
  return [
    errorRateCheck(`${prefix}-error-rate`, `${at}, at most ${BENCHMARK_SLO.maxErrorRate * 100}% of requests fail`, BENCHMARK_SLO.maxErrorRate),
    latencyCheck(`${prefix}-e2e`, `${at}, ${q} end-to-end latency is at most ${BENCHMARK_SLO.e2eP99Ms} ms`, "e2e", SLO_QUANTILE, BENCHMARK_SLO.e2eP99Ms),
    latencyCheck(`${prefix}-ttft`, `${at}, ${q} time to first token is at most ${BENCHMARK_SLO.ttftP99Ms} ms`, "ttft", SLO_QUANTILE, BENCHMARK_SLO.ttftP99Ms),
    latencyCheck(`${prefix}-itl`, `${at}, ${q} inter-token latency is at most ${BENCHMARK_SLO.itlP99Ms} ms`, "itl", SLO_QUANTILE, BENCHMARK_SLO.itlP99Ms),
  ];
}

export const benchmark = defineScenario({
  name: "benchmark",
  description:
    `${SCENARIO_SUMMARIES.benchmark} ` +
    "The sweep drives constant arrival rates of half, one, two and four times the base rate, so the comparison can state " +
    "each mesh's overhead at each. Each step " +
    "records end-to-end latency, time to first token, inter-token latency and output tokens per second, and judges " +
    `generous SLOs (error rate at most ${BENCHMARK_SLO.maxErrorRate * 100}%, p90 latencies) so that a broken path is not reported as a fast one. ` +
    "No traffic policy is applied: this is the cost of the mesh's data path alone. Step ids are the same on every mesh, " +
    "so the comparison lines the steps up.",
  claims: [
    `At every rate of the sweep at most ${BENCHMARK_SLO.maxErrorRate * 100}% of requests fail.`,
    `At every rate, p90 end-to-end latency stays at most ${BENCHMARK_SLO.e2eP99Ms} ms, time to first token at most ${BENCHMARK_SLO.ttftP99Ms} ms and inter-token latency at most ${BENCHMARK_SLO.itlP99Ms} ms.`,
  ],
  requires: [],
  baseline: true,
  clusters: ["kind", "gke", "current", "host", "local"],
  defaultLoad: { name: "benchmark", executor: "constant-arrival-rate", rate: 10, durationSeconds: 60, mode: "stream", maxTokens: 32 },
  build(ctx, steps) {
    const base = steps.load().rate;
    return {
      assess: SWEEP.map((factor, i) => {
        const rate = Math.round(base * factor * 100) / 100;
        return plannedMeasure(ctx, steps, `sweep-${i + 1}`, `drive ${rate} streamed completions per second and measure latency and throughput`, sweepChecks(`sweep-${i + 1}`, rate), {
          load: { rate, maxVUs: Math.max(200, Math.ceil(rate * 10)) },
          requires: [],
        });
      }),
    };
  },
});
