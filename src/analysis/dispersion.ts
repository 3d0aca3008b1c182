/**
 * Are requests independent? The sequential checks' error probabilities assume the counted
 * outcomes are independent draws with one probability. A mesh whose split drifts from batch to
 * batch (sticky connections, a rebalancing control plane) breaks that: with an intra-batch
 * correlation of only 0.01 a perfect 70/30 mesh fails hundreds of times more often than stated.
 * This is the between-batch test of homogeneity: Pearson's X^2 = sum (x_i - n_i p)^2 /
 * (n_i p (1 - p)) over batches, with p the pooled share, against chi-square with B - 1 degrees
 * of freedom. A small p-value is evidence of over-dispersion and becomes its own verdict.
 */
import { matchesSelector, type Observations } from "./checks.js";
import { upperGammaQ } from "./special.js";
import type { CheckSpec, Verdict } from "./verdict.js";

/** Largest acceptable chance that independent requests are reported as over-dispersed. */
export const DISPERSION_ALPHA = 1e-5;

export interface DispersionTest {
  batches: number;
  /** Pooled share of counted outcomes. */
  pooled: number;
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  /** X^2 / df: about 1 for independent requests, the variance inflation otherwise. */
  dispersion: number;
  /** Per-batch counts, the evidence. */
  perBatch: { counted: number; of: number }[];
}

export function chiSquareSurvival(x: number, df: number): number {
  return upperGammaQ(df / 2, x / 2);
}

/** The test on per-batch counts; undefined when it cannot be run (fewer than two usable batches, or a share of 0 or 1). */
export function betweenBatchDispersion(perBatch: readonly { counted: number; of: number }[]): DispersionTest | undefined {
  const used = perBatch.filter((b) => b.of > 0);
  if (used.length < 2) return undefined;
  const x = used.reduce((a, b) => a + b.counted, 0);
  const n = used.reduce((a, b) => a + b.of, 0);
  const p = x / n;
  if (p <= 0 || p >= 1) return undefined;
  let chi = 0;
  for (const b of used) chi += (b.counted - b.of * p) ** 2 / (b.of * p * (1 - p));
  const df = used.length - 1;
  return { batches: used.length, pooled: p, chiSquare: chi, degreesOfFreedom: df, pValue: chiSquareSurvival(chi, df), dispersion: chi / df, perBatch: used.map((b) => ({ ...b })) };
}

/**
 * The independence verdict of each proportion check of a step that drew two or more batches:
 * fail when the batches' shares differ more than independent requests allow (p < DISPERSION_ALPHA),
 * with the per-batch counts as evidence; pass otherwise. Checks the test cannot judge (one batch,
 * a share of 0 or 1 throughout) get no such verdict.
 */
export function independenceVerdicts(checks: readonly CheckSpec[], batches: readonly Observations[]): Verdict[] {
  if (batches.length < 2) return [];
  const out: Verdict[] = [];
  for (const check of checks) {
    if (check.type !== "proportion") continue;
    const perBatch = batches.map((b) => {
      let counted = 0;
      let of = 0;
      for (const o of b.outcomes) {
        if (!matchesSelector(o, check.denominator)) continue;
        of += o.count;
        if (matchesSelector(o, check.numerator)) counted += o.count;
      }
      return { counted, of };
    });
    const test = betweenBatchDispersion(perBatch);
    if (!test) continue;
    const overDispersed = test.pValue < DISPERSION_ALPHA;
    const shares = test.perBatch.map((b) => `${((b.counted / b.of) * 100).toFixed(1)}% of ${b.of}`).join(", ");
    out.push({
      checkId: `${check.id}-independent`,
      claim: `requests behave as independent draws for "${check.claim}" (the share does not drift between batches), which its stated error probabilities assume`,
      status: overDispersed ? "fail" : "pass",
      observed: test.dispersion,
      expected: 1,
      sampleSize: test.perBatch.reduce((a, b) => a + b.of, 0),
      unit: "variance ratio",
      // Its false alarms count toward the scenario's family-wise false-failure bound.
      errorProbabilities: { falseFailure: DISPERSION_ALPHA },
      reason:
        `between-batch dispersion ${test.dispersion.toFixed(2)} (X^2 ${test.chiSquare.toFixed(1)} on ${test.degreesOfFreedom} df, p = ${test.pValue.toExponential(2)}; ` +
        `batches: ${shares})` +
        (overDispersed
          ? `: the share drifts between batches more than independent requests allow, so the check's stated error probabilities do not hold`
          : `: consistent with independent requests (over-dispersion would show as p < ${DISPERSION_ALPHA})`),
      evidence: batches.flatMap((b) => b.evidence),
    });
  }
  return out;
}
