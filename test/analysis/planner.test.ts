import { describe, expect, it } from "vitest";
import { normalApproxSampleSize, planCheck, planLatency, planProportion, secondsFor, UNDECIDED_TARGET } from "../../src/analysis/planner.js";
import { upperNormalQuantile as z } from "../../src/analysis/special.js";
import { operatingCharacteristics } from "../../src/analysis/sequential.js";

const share = { type: "proportion" as const, id: "share", claim: "a share", numerator: { version: "canary" } };

describe("closed-form sample sizes", () => {
  it("the textbook fixed-n size: 1,068 for +/-3 points at 95% around one half", () => {
    expect(normalApproxSampleSize(0.5, 0.03, 0.95)).toBe(1068);
    expect(normalApproxSampleSize(0.1, 0.02, 0.99)).toBe(Math.ceil((2.5758293035489 ** 2 * 0.09) / 0.0004));
  });

  it("with one look the budget approaches max(n_pass, n_fail) of the normal limit", () => {
    // n_pass = (z(beta) + z(gamma/2))^2 p(1-p)/t^2: a perfect mesh's interval fits the band.
    // n_fail = (z(alpha/2) + z(gamma))^2 p1(1-p1)/t^2: a mesh 2t off lies wholly outside it.
    const plan = planProportion({ ...share, expected: 0.5, toleranceAbsolute: 0.02 }, { looks: 1 });
    const nPass = ((z(1e-3) + z(UNDECIDED_TARGET / 2)) ** 2 * 0.25) / 0.02 ** 2;
    const nFail = ((z(1e-5 / 2) + z(UNDECIDED_TARGET)) ** 2 * 0.46 * 0.54) / 0.02 ** 2;
    expect(plan.maxSamples / Math.max(nPass, nFail)).toBeGreaterThan(0.99);
    expect(plan.maxSamples / Math.max(nPass, nFail)).toBeLessThan(1.02);
  });

  it("a fixed budget widens the band to k sigma, k = z(falsePass/K) + z(undecided/2)", () => {
    const plan = planProportion({ ...share, expected: 0.5, toleranceAbsolute: 0.001, maxSamples: 25_444 }, { looks: 1 });
    const kSigma = (z(1e-3) + z(UNDECIDED_TARGET / 2)) * Math.sqrt(0.25 / 25_444);
    expect(plan.toleranceFrom).toBe("budget");
    expect(plan.kSigma).toBeCloseTo(kSigma, 12);
    expect(plan.tolerance / kSigma).toBeGreaterThan(0.995);
    expect(plan.tolerance / kSigma).toBeLessThan(1.01);
  });

  it("at an expected share of zero the band is the exact bound 1 - level^(1/n)", () => {
    const plan = planProportion({ ...share, expected: 0, toleranceAbsolute: 0.001, maxSamples: 500 }, { looks: 1 });
    expect(plan.tolerance).toBeCloseTo(Math.ceil((1 - 0.001 ** (1 / 500)) * 1e4) / 1e4, 12);
  });

  it("the smallest latency sample that can pass is ln(level)/ln(q)", () => {
    const plan = planLatency({ type: "latency", id: "p99", claim: "p99 <= 100 ms", metric: "e2e", quantile: 0.99, maxMs: 100 });
    expect(plan.minSamplesToPass).toBe(Math.ceil(Math.log(1e-3 / plan.looks) / Math.log(0.99)));
  });
});

describe("the plan of the seed canary check (90/10 at +/-2 points)", () => {
  const plan = planProportion({ ...share, expected: 0.1 });

  it("states its knobs and meets its targets exactly (the SPRT pair, since 6% and 14% lie inside (0, 1))", () => {
    expect(plan.rule).toBe("sprt");
    expect(plan.tolerance).toBe(0.02);
    expect(plan.requestedTolerance).toBe(0.02);
    expect(plan.alternatives.map((a) => +a.toFixed(12))).toEqual([0.06, 0.14]);
    expect(plan.lookSamples).toHaveLength(plan.looks);
    expect(plan.lookSamples.at(-1)).toBe(plan.maxSamples);
    expect(plan.falseFailure).toBe(1e-5);
    expect(plan.falsePass).toBe(1e-3);
    expect(plan.exactErrors.falseFailure).toBeLessThanOrEqual(1e-5);
    expect(plan.exactErrors.falsePass).toBeLessThanOrEqual(1e-3);
    expect(plan.operating.perfect.inconclusive).toBeLessThanOrEqual(UNDECIDED_TARGET);
    expect(plan.operating.perfect.fail).toBeLessThanOrEqual(1e-5);
    for (const off of plan.operating.offByTwice) {
      expect(off.inconclusive).toBeLessThanOrEqual(UNDECIDED_TARGET);
      expect(off.pass).toBeLessThanOrEqual(1e-3);
    }
    // Calibrated, not loose: the exact errors sit close to their targets.
    expect(plan.exactErrors.falsePass).toBeGreaterThan(0.5e-3);
    expect(plan.exactErrors.falseFailure).toBeGreaterThan(0.5e-5);
  });

  it("stops early on a perfect mesh: expected samples well under the budget", () => {
    expect(plan.expectedSamples).toBeLessThan(plan.maxSamples / 2);
    expect(plan.expectedSamples).toBe(plan.operating.perfect.expectedSamples);
  });

  it("is the smallest budget that meets the targets: one look fewer leaves too many checks undecided", () => {
    const shorter = { ...plan.design, lookSamples: plan.lookSamples.slice(0, -1) };
    const undecided = [0.1, ...plan.alternatives].map((p) => operatingCharacteristics(shorter, p).inconclusive);
    expect(Math.max(...undecided)).toBeGreaterThan(UNDECIDED_TARGET);
  });

  it("keeps the interval rule where an alternative would leave (0, 1), and for fixed budgets", () => {
    expect(planProportion({ ...share, expected: 0.03 }).rule).toBe("interval");
    expect(planProportion({ ...share, expected: 0.1, maxSamples: 2000 }).rule).toBe("interval");
  });
});

describe("one-sided bands", () => {
  it("look first where a clean sample can pass at all, ln(level)/ln(1 - width), so a healthy path decides there", () => {
    const plan = planProportion({ ...share, numerator: { status: "error" }, expected: 0, toleranceAbsolute: 0.02 });
    expect(plan.lookSamples[0]).toBe(Math.ceil(Math.log(1e-3 / plan.looks) / Math.log(0.98)));
    expect(plan.operating.perfect.expectedSamples).toBe(plan.lookSamples[0]);
    expect(plan.operating.perfect.pass).toBe(1);
    for (const off of plan.operating.offByTwice) expect(off.pass).toBeLessThanOrEqual(1e-3);
  });
});

describe("planCheck and durations", () => {
  it("plans every check type", () => {
    expect(planCheck({ ...share, expected: 0.05 }).kind).toBe("proportion");
    expect(planCheck({ type: "latency-share", id: "d", claim: "10% delayed", metric: "ttft", slowerThanMs: 400, expected: 0.1 }).kind).toBe("proportion");
    expect(planCheck({ type: "latency", id: "l", claim: "p90", metric: "ttft", quantile: 0.9, maxMs: 50 }).kind).toBe("latency");
  });

  it("converts samples to seconds at a rate, and says what to fix on a bad rate", () => {
    expect(secondsFor(5555, 50)).toBe(112);
    expect(() => secondsFor(10, 0)).toThrow(/rate/);
  });

  it("refuses a check that would need an absurd budget, saying what to change", () => {
    expect(() => planProportion({ ...share, expected: 0.5, toleranceAbsolute: 0.001 })).toThrow(/widen toleranceAbsolute/);
  });
});
