/**
 * Seeded Monte Carlo checks of the sequential proportion test: the error probabilities each
 * verdict states hold within the simulation's own sampling error, and the exact operating
 * characteristics the planner computes agree with simulation.
 */
import { describe, expect, it } from "vitest";
import { startEvaluation } from "../../src/analysis/checks.js";
import { planProportion } from "../../src/analysis/planner.js";
import { decideByBoundaries } from "../../src/analysis/proportion.js";
import { designBoundaries, operatingCharacteristics } from "../../src/analysis/sequential.js";
import { binomialSampler, seededRandom, simulateDesign } from "../../src/analysis/simulate.js";

const RUNS = 100_000;
const share = { type: "proportion" as const, id: "canary", claim: "10% reach the canary", numerator: { version: "canary" } };

/** A count is consistent with a rate at most `rate` if it is below N rate + 4.5 sd. */
function atMost(count: number, runs: number, rate: number): void {
  expect(count).toBeLessThanOrEqual(runs * rate + 4.5 * Math.sqrt(runs * rate * (1 - rate)) + 1);
}

/** A simulated count agrees with an exact probability within 4.5 sd (plus one for rare events). */
function agrees(count: number, runs: number, exact: number): void {
  expect(Math.abs(count - runs * exact)).toBeLessThanOrEqual(4.5 * Math.sqrt(runs * exact * (1 - exact)) + 1);
}

describe("default knobs: 90/10 split at +/-2 points, falseFailure 1e-5, falsePass 1e-3", () => {
  const plan = planProportion({ ...share, expected: 0.1 });

  it(`a perfect mesh: no more false failures than 1e-5 allows over ${RUNS.toLocaleString()} checks`, () => {
    const sim = simulateDesign(plan.design, 0.1, RUNS, 20240601);
    atMost(sim.fail, RUNS, plan.falseFailure);
    atMost(sim.inconclusive, RUNS, plan.undecidedTarget);
    const exact = operatingCharacteristics(plan.design, 0.1);
    agrees(sim.pass, RUNS, exact.pass);
    // Mean samples within 4.5 standard errors of the exact expectation.
    const sd = plan.maxSamples / 2;
    expect(Math.abs(sim.meanSamples - exact.expectedSamples)).toBeLessThan((4.5 * sd) / Math.sqrt(RUNS));
  });

  it("a mesh off by twice the tolerance: no more false passes than 1e-3 allows, on either side", () => {
    for (const [i, p] of [0.14, 0.06].entries()) {
      const sim = simulateDesign(plan.design, p, RUNS, 7 + i);
      atMost(sim.pass, RUNS, plan.falsePass);
      agrees(sim.fail, RUNS, operatingCharacteristics(plan.design, p).fail);
    }
  });
});

describe("relaxed knobs, at the worst true values, where the bounds are nearly tight", () => {
  // falseFailure is promised for every mesh inside the band, falsePass for every mesh outside
  // it; the hardest cases sit right at the band's edges.
  const plan = planProportion({ ...share, expected: 0.3, toleranceAbsolute: 0.05, falseFailure: 0.05, falsePass: 0.1 }, { looks: 5 });

  it("a mesh exactly at the band edge fails no more often than falseFailure, and simulation matches the exact figure", () => {
    for (const [i, p] of [plan.band.high, plan.band.low].entries()) {
      const sim = simulateDesign(plan.design, p, RUNS, 99 + i);
      atMost(sim.fail, RUNS, plan.falseFailure);
      const exact = operatingCharacteristics(plan.design, p);
      agrees(sim.fail, RUNS, exact.fail);
      // The bound is not vacuous here: failures do occur at the edge.
      expect(sim.fail).toBeGreaterThan(0);
    }
  });

  it("a mesh just outside the band passes no more often than falsePass", () => {
    for (const [i, p] of [plan.band.high + 1e-3, plan.band.low - 1e-3].entries()) {
      const sim = simulateDesign(plan.design, p, RUNS, 1234 + i);
      atMost(sim.pass, RUNS, plan.falsePass);
      agrees(sim.pass, RUNS, operatingCharacteristics(plan.design, p).pass);
      expect(sim.pass).toBeGreaterThan(0);
    }
  });
});

describe("the live evaluation applies the same rule as the simulation", () => {
  it("path by path, the engine's entry decides as the integer boundaries do", () => {
    const plan = planProportion({ ...share, expected: 0.1 });
    const boundaries = designBoundaries(plan.design);
    const random = seededRandom(42);
    for (const p of [0.1, 0.115, 0.125, 0.14]) {
      const samplers = boundaries.map((b, k) => binomialSampler(b.trials - (k ? boundaries[k - 1]!.trials : 0), p, random));
      for (let path = 0; path < 25; path++) {
        const evaluation = startEvaluation([{ ...share, expected: 0.1 }]);
        let x = 0;
        let expected: string = "inconclusive";
        for (let k = 0; k < boundaries.length; k++) {
          const n = boundaries[k]!.trials - (k ? boundaries[k - 1]!.trials : 0);
          const c = samplers[k]!();
          x += c;
          evaluation.observe({ outcomes: [{ version: "canary", status: 200, count: c }, { version: "stable", status: 200, count: n - c }], latency: {}, evidence: [] });
          const d = decideByBoundaries(x, boundaries[k]!);
          if (d !== "continue") {
            expected = d;
            break;
          }
          expect(evaluation.decided()).toBe(k === boundaries.length - 1);
        }
        const [verdict] = evaluation.verdicts(true);
        expect(verdict!.status).toBe(expected);
      }
    }
  });
});
