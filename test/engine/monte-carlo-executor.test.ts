/**
 * Seeded Monte Carlo through the executor's own batching (executePlan, nextBatch, the planned
 * step's maxBatches): a 70/30 split at +/-5 points, judged by the planned measure step on binomial
 * traffic. Each stated rate must hold within the simulation's sampling error, and the share of
 * runs left undecided on a perfect mesh must stay within its target: it was 2.6% when the
 * executor ran out of batches before the budget (defect 1).
 */
import { describe, expect, it } from "vitest";
import { planCheck } from "../../src/analysis/index.js";
import { binomialSampler, seededRandom } from "../../src/analysis/simulate.js";
import { LatencyRecorder } from "../../src/analysis/hdr.js";
import { StepFactory, defineScenario } from "../../src/engine/scenario.js";
import type { LoadResult } from "../../src/load/profile.js";
import { shareCheck } from "../../scenarios/checks.js";
import { plannedMeasure } from "../../scenarios/sizing.js";
import { contextFor, fakeDriver } from "../scenarios/helpers.js";
import { runSteps, requestsOf } from "./measure-harness.js";

const probe = defineScenario({
  name: "monte-carlo",
  description: "A scenario only the Monte Carlo tests build.",
  claims: ["none"],
  requires: ["split"],
  baseline: false,
  clusters: ["kind"],
  defaultLoad: { name: "mc", executor: "constant-arrival-rate", rate: 20, durationSeconds: 60, mode: "plain" },
  build: () => ({ assess: [] }),
});

const check = shareCheck("share", "30% reach the canary", { version: "canary" }, 0.3, { toleranceAbsolute: 0.05 });
const ctx = contextFor("linkerd", fakeDriver("linkerd"));
const step = plannedMeasure(ctx, new StepFactory(ctx, probe), "m", "measure the split", [check], { requires: [] });
const plan = planCheck(check);
// No latency samples: the share check does not read them, and merging HDR histograms per run would dominate the test's time.
const e2e = new LatencyRecorder().summary();

/** Runs the step `runs` times against a mesh sending share p to the canary. */
async function simulate(p: number, runs: number, seed: number, measure = step) {
  const random = seededRandom(seed);
  const samplers = new Map<number, () => number>();
  const counts = { pass: 0, fail: 0, inconclusive: 0, requests: [] as number[], batches: [] as number[], statuses: [] as string[] };
  for (let r = 0; r < runs; r++) {
    let requests = 0;
    let batches = 0;
    const load = {
      async run(profile: LoadResult["profile"]): Promise<LoadResult> {
        const n = requestsOf(profile);
        requests += n;
        batches += 1;
        let draw = samplers.get(n);
        if (!draw) samplers.set(n, (draw = binomialSampler(n, p, random)));
        const canary = draw();
        const outcomes = [
          { version: "canary", status: 200, count: canary },
          { version: "stable", status: 200, count: n - canary },
        ];
        return { profile, startedAt: "", endedAt: "", durationSeconds: profile.durationSeconds, offeredRps: profile.rate, achievedRps: profile.rate, requests: n, failed: 0, errorRate: 0, droppedIterations: 0, outcomes, latency: { e2e }, evidence: [] };
      },
    };
    const record = await runSteps([measure], load);
    counts[record.verdicts[0]!.status as "pass" | "fail" | "inconclusive"] += 1;
    counts.statuses.push(record.verdicts[0]!.status);
    counts.requests.push(requests);
    counts.batches.push(batches);
  }
  return counts;
}

/** A count is consistent with a rate at most `rate` if it is below N rate + 4.5 sd + 1. */
const atMost = (count: number, runs: number, rate: number) => runs * rate + 4.5 * Math.sqrt(runs * rate * (1 - rate)) + 1;

describe("70/30 at +/-5 points through the executor's batching (seeded)", () => {
  const RUNS = 3000;

  it("a perfect mesh passes: no false failure, undecided within 1e-3, and the budget is never cut short", { timeout: 300_000 }, async () => {
    const sim = await simulate(0.3, RUNS, 20261130);
    expect(sim.fail).toBeLessThanOrEqual(atMost(0, RUNS, 1e-5));
    expect(sim.inconclusive).toBeLessThanOrEqual(atMost(0, RUNS, 1e-3));
    expect(Math.max(...sim.batches)).toBeLessThanOrEqual(step.maxBatches);
    const mean = sim.requests.reduce((a, b) => a + b, 0) / RUNS;
    // The target for the Gateway API case, through the executor's own batches.
    expect(mean).toBeLessThanOrEqual(400);
  });

  it("in the indifference zone (75/25) a run ends inconclusive only after drawing the whole budget", { timeout: 300_000 }, async () => {
    // The regression guard for defect 1: the executor once stopped after too few batches.
    const sim = await simulate(0.25, 500, 4242);
    expect(sim.inconclusive).toBeGreaterThan(0);
    sim.statuses.forEach((status, i) => {
      if (status === "inconclusive") expect(sim.requests[i]!).toBeGreaterThanOrEqual(plan.maxSamples);
    });
  });

  it("meshes off by twice the tolerance (80/20, 60/40) fail, passing within 1e-3", { timeout: 300_000 }, async () => {
    for (const [i, p] of [0.2, 0.4].entries()) {
      const sim = await simulate(p, RUNS, 777 + i);
      expect(sim.pass).toBeLessThanOrEqual(atMost(0, RUNS, 1e-3));
      expect(sim.inconclusive).toBeLessThanOrEqual(atMost(0, RUNS, 1e-3));
      expect(sim.fail).toBeGreaterThanOrEqual(RUNS - atMost(0, RUNS, 2e-3));
    }
  });
});

describe("90/10 at +/-2 points through the executor's batching (seeded)", () => {
  const RUNS = 1500;
  const tenPercent = shareCheck("ten", "10% reach the canary", { version: "canary" }, 0.1);
  const measure = plannedMeasure(ctx, new StepFactory(ctx, probe), "m10", "measure the split", [tenPercent], { requires: [] });
  const plan10 = planCheck(tenPercent);

  it("a perfect mesh passes within its targets, with mean requests at most 1,200", { timeout: 120_000 }, async () => {
    const sim = await simulate(0.1, RUNS, 9090, measure);
    expect(sim.fail).toBeLessThanOrEqual(atMost(0, RUNS, 1e-5));
    expect(sim.inconclusive).toBeLessThanOrEqual(atMost(0, RUNS, 1e-3));
    const mean = sim.requests.reduce((a, b) => a + b, 0) / RUNS;
    expect(plan10.expectedSamples).toBeLessThanOrEqual(1200);
    expect(mean).toBeLessThanOrEqual(1200);
  });

  it("meshes at 6% and 14% fail, passing within 1e-3", { timeout: 120_000 }, async () => {
    for (const [i, p] of [0.06, 0.14].entries()) {
      const sim = await simulate(p, RUNS, 6060 + i, measure);
      expect(sim.pass).toBeLessThanOrEqual(atMost(0, RUNS, 1e-3));
      expect(sim.inconclusive).toBeLessThanOrEqual(atMost(0, RUNS, 1e-3));
    }
  });
});
