/**
 * Calibrating the SPRT pair (sprt.ts) for one share check, with exact operating
 * characteristics throughout (sequential.ts), no simulation and no normal approximation:
 *
 * 1. Looks every `g` samples, g about a tenth of Wald's expected sample size on a perfect mesh
 *    (finer looks save little and cost a load batch each).
 * 2. From Wald's thresholds, the smallest budget N (a whole number of looks) at which a perfect
 *    mesh and meshes at p0 +/- 2t each end undecided with probability at most `undecided`.
 * 3. logB raised, by bisection, as far as the exact false-pass probability at p0 +/- 2t stays
 *    within CALIBRATION_SHARE x falsePass; logA lowered as far as the exact false-failure
 *    probability at p0 stays within CALIBRATION_SHARE x falseFailure.
 * 4. N shrunk again to the smallest that keeps the undecided targets. Cutting looks off the end
 *    can only lower the chance of passing or failing, so the error targets still hold.
 */
import { equalLooks, operatingCharacteristics, type SequentialDesign } from "./sequential.js";
import { bernoulliKl, type SprtRule } from "./sprt.js";
import type { Band, LookLevels } from "./proportion.js";

/** Looks per Wald expected sample size of a perfect mesh. */
export const LOOKS_PER_EXPECTED_RUN = 16;
/**
 * Share of each error target the calibration may use on the planned schedule. A run's looks
 * fall where its batches end, a little off the planned grid (the executor overshoots each look
 * slightly so a short rate still reaches it), which moves the exact error probabilities by up
 * to about 10% either way; calibrating to 85% of the target keeps the realized design within it.
 */
export const CALIBRATION_SHARE = 0.85;
/** Budgets are never searched beyond this many looks. */
const MAX_LOOKS = 400;

export interface SprtTargets {
  expected: number;
  tolerance: number;
  falseFailure: number;
  falsePass: number;
  undecided: number;
}

export interface SprtCalibration {
  rule: SprtRule;
  design: SequentialDesign;
  lookSize: number;
  /** Exact error probabilities of the planned schedule. */
  exactFalseFailure: number;
  exactFalsePass: number;
}

/** Whether the SPRT pair applies: both alternatives strictly inside (0, 1). */
export function sprtApplies(expected: number, tolerance: number): boolean {
  return expected - 2 * tolerance > 0 && expected + 2 * tolerance < 1;
}

function designFor(rule: SprtRule, band: Band, levels: LookLevels, lookSize: number, looks: number): SequentialDesign {
  return { band, levels, rule, lookSamples: equalLooks(lookSize * looks, looks) };
}

export function calibrateSprt(t: SprtTargets, band: Band, levels: LookLevels): SprtCalibration {
  const p0 = t.expected;
  const low = p0 - 2 * t.tolerance;
  const high = p0 + 2 * t.tolerance;
  const waldA = Math.log(2 / t.falseFailure);
  const waldB = Math.log(t.falsePass);
  const slowest = Math.min(bernoulliKl(p0, high), bernoulliKl(p0, low));
  const lookSize = Math.max(1, Math.ceil(-waldB / slowest / LOOKS_PER_EXPECTED_RUN));
  const rule = (logA: number, logB: number, logBLow = logB): SprtRule => ({ kind: "sprt", expected: p0, low, high, logA, logB, logBLow });
  const oc = (r: SprtRule, looks: number, p: number) => operatingCharacteristics(designFor(r, band, levels, lookSize, looks), p);
  // Undecided at most `undecided` at each of the three values; the pass and fail errors are held separately.
  const decisive = (r: SprtRule, looks: number) => [p0, low, high].every((p) => oc(r, looks, p).inconclusive <= t.undecided);
  const fewestLooks = (r: SprtRule, from: number): number => {
    let hi = from;
    while (!decisive(r, hi)) {
      if (hi >= MAX_LOOKS) throw new Error(`the SPRT pair for ${p0} +/- ${t.tolerance} needs more than ${MAX_LOOKS} looks of ${lookSize}`);
      hi = Math.min(MAX_LOOKS, hi * 2);
    }
    let lo = 0;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (decisive(r, mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  };

  let looks = fewestLooks(rule(waldA, waldB), LOOKS_PER_EXPECTED_RUN * 2);
  const falseFail = (r: SprtRule) => oc(r, looks, p0).fail;

  // Raise each side's logB towards 0 while the exact false-pass probability at its alternative holds.
  const raise = (ok0: number, passAt: (logB: number) => number): number => {
    let ok = ok0;
    let bad = 0;
    for (let i = 0; i < 30 && bad - ok > 1e-3; i++) {
      const mid = (ok + bad) / 2;
      if (passAt(mid) <= t.falsePass * CALIBRATION_SHARE) ok = mid;
      else bad = mid;
    }
    return ok;
  };
  let bHigh = waldB;
  let bLow = waldB;
  // Each side's pass also needs the other's ratio low, so the sides interact slightly: two rounds,
  // each searching up from Wald's threshold (which holds whatever the other side's is).
  const holds = () =>
    oc(rule(waldA, bHigh, bLow), looks, high).pass <= t.falsePass * CALIBRATION_SHARE && oc(rule(waldA, bHigh, bLow), looks, low).pass <= t.falsePass * CALIBRATION_SHARE;
  for (let round = 0; round < 4 && (round < 2 || !holds()); round++) {
    bHigh = raise(waldB, (b) => oc(rule(waldA, b, bLow), looks, high).pass);
    bLow = raise(waldB, (b) => oc(rule(waldA, bHigh, b), looks, low).pass);
  }
  if (!holds()) bHigh = bLow = waldB;
  const bOk = bHigh;
  // Lower logA towards 0 while the exact false-failure probability holds.
  let aOk = waldA;
  let aBad = 0;
  for (let i = 0; i < 30 && aOk - aBad > 1e-3; i++) {
    const mid = (aOk + aBad) / 2;
    if (falseFail(rule(mid, bOk, bLow)) <= t.falseFailure * CALIBRATION_SHARE) aOk = mid;
    else aBad = mid;
  }
  // Lowering logA makes failing easier everywhere, passing at p0 +/- 2t no easier: recheck both.
  const calibrated = rule(aOk, bOk, bLow);
  looks = fewestLooks(calibrated, Math.max(1, looks));
  const design = designFor(calibrated, band, levels, lookSize, looks);
  return {
    rule: calibrated,
    design,
    lookSize,
    exactFalseFailure: operatingCharacteristics(design, p0).fail,
    exactFalsePass: Math.max(operatingCharacteristics(design, low).pass, operatingCharacteristics(design, high).pass),
  };
}
