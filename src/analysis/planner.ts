/**
 * The sample-size planner. Given a check's claim and its error budget it fixes, before any
 * traffic is sent, the band, the number of looks, the look sizes and the sample budget of the
 * sequential test, and states what the test will do on a perfect mesh and on a mesh off by
 * twice the tolerance. Scenarios size their load from it; the dry-run shows its durations.
 *
 * The rules, as named constants a reader can audit:
 * - Error bounds (see proportion.ts): any mesh inside the band fails with probability at most
 *   `falseFailure`; any mesh outside it passes with probability at most `falsePass`. These
 *   hold by construction; the planner does not tune them.
 * - The budget (`maxSamples`, when the check does not set one) is the smallest for which
 *   a perfect mesh passes, and a mesh off by twice the tolerance fails, each with probability
 *   at least 1 - UNDECIDED_TARGET, computed exactly (sequential.ts), not by approximation.
 * - Tolerance: max(toleranceAbsolute, t_min), where t_min is the smallest half-width at which
 *   a perfect mesh passes with probability at least 1 - UNDECIDED_TARGET within the budget.
 *   When the check fixes no budget, the budget is sized for toleranceAbsolute and t_min never
 *   exceeds it. When it does fix one (a short convergence window, say), the band widens to
 *   what that budget can resolve instead of turning every verdict inconclusive. Away from
 *   0 and 1, t_min is k x sigma with sigma = sqrt(p (1 - p) / maxSamples) and
 *   k = z(falsePass / looks) + z(UNDECIDED_TARGET / 2); the plan reports that figure too.
 */
import type { z } from "zod";
import { CheckSpec, LatencyCheckSpec, LatencyShareCheckSpec, ProportionCheckSpec, type CheckSpecInput } from "./verdict.js";
import { failSides, type Band, type LookLevels } from "./proportion.js";
import { equalLooks, operatingCharacteristics, type OperatingCharacteristics, type SequentialDesign } from "./sequential.js";
import { upperNormalQuantile } from "./special.js";
import { calibrateSprt, sprtApplies } from "./sprt-plan.js";
import { bernoulliKl } from "./sprt.js";

/**
 * Looks per test. Expected samples on a perfect mesh fall steeply up to about 8 looks and are
 * flat (within 2%) from 8 to 20 for the seed checks, while each look splits the error budget
 * further; 10 also keeps each look a batch of a size k6 reports sensibly.
 */
export const DEFAULT_LOOKS = 10;
/** Largest acceptable chance that a perfect (or a clearly broken) mesh ends inconclusive. */
export const UNDECIDED_TARGET = 1e-3;
/** Budgets beyond this are refused: the exact planning would be slow and the run hours long. */
export const PLANNING_LIMIT = 250_000;
/** Latency checks carry no error knobs of their own; they use the proportion defaults. */
export const LATENCY_FALSE_FAILURE = 1e-5;
export const LATENCY_FALSE_PASS = 1e-3;

export interface PlanOptions {
  looks?: number;
  undecided?: number;
}

/** What the test does at one true value. */
export interface OperatingSummary {
  p: number;
  pass: number;
  fail: number;
  inconclusive: number;
  expectedSamples: number;
  /** Samples used by 99% of checks at this true value. */
  samplesP99: number;
  /** Samples by which 5% of checks at this true value have decided: where a first batch pays off. */
  samplesP05: number;
}

interface SequentialPlanBase {
  /** The decision rule: Clopper-Pearson intervals against the band, or the SPRT pair (sprt.ts). */
  rule: "interval" | "sprt";
  /**
   * Error probabilities computed exactly for the planned schedule: false failure at the
   * expected value (for latency, at the allowed share, the worst case inside), false pass at
   * the alternatives (p0 +/- 2t; for latency, the violating share). The targets are
   * falseFailure and falsePass; these never exceed them.
   */
  exactErrors: { falseFailure: number; falsePass: number };
  looks: number;
  samplesPerLook: number;
  /** Cumulative samples at each look. */
  lookSamples: number[];
  maxSamples: number;
  /** Two-sided confidence of the interval a fail rests on, at each look. */
  confidencePerLook: number;
  /** Two-sided confidence of the interval a pass rests on, at each look. */
  passConfidencePerLook: number;
  levels: LookLevels;
  band: Band;
  /** Bounds that hold by construction (see proportion.ts). */
  falseFailure: number;
  falsePass: number;
  undecidedTarget: number;
  design: SequentialDesign;
}

export interface ProportionPlan extends SequentialPlanBase {
  kind: "proportion";
  expected: number;
  /** The tolerance the check asked for. */
  requestedTolerance: number;
  /** The tolerance the plan achieves (wider than requested only when a fixed budget forced it). */
  tolerance: number;
  /** The values a mesh off by twice the tolerance has (p0 +/- 2 x tolerance, within [0, 1]). */
  alternatives: number[];
  /** Whether the absolute tolerance held or the budget forced a wider band. */
  toleranceFrom: "absolute" | "budget";
  /** k x sigma at the budget, the normal-limit form of the budget-driven tolerance. */
  kSigma: number;
  /** Expected samples on a perfect mesh. */
  expectedSamples: number;
  operating: { perfect: OperatingSummary; offByTwice: OperatingSummary[] };
}

export interface LatencyPlan extends SequentialPlanBase {
  kind: "latency";
  /** The check is run on the exceedance share P(latency > maxMs), allowed up to 1 - quantile. */
  allowedExceedance: number;
  /** Fewest samples with which a pass is possible at all (every sample within the SLO). */
  minSamplesToPass: number;
  /** Expected samples when the SLO is met with half the allowed exceedance. */
  expectedSamples: number;
  operating: { comfortable: OperatingSummary; violating: OperatingSummary };
}

function summarize(oc: OperatingCharacteristics): OperatingSummary {
  return {
    p: oc.p,
    pass: oc.pass,
    fail: oc.fail,
    inconclusive: oc.inconclusive,
    expectedSamples: oc.expectedSamples,
    samplesP99: oc.samplesQuantile(0.99),
    samplesP05: oc.samplesQuantile(0.05),
  };
}

function levelsFor(band: Band, falseFailure: number, falsePass: number, looks: number): LookLevels {
  const sides = Math.max(1, failSides(band));
  return { pass: falsePass / looks, fail: falseFailure / (looks * sides) };
}

function clipBand(expected: number, tolerance: number): Band {
  return { low: Math.max(0, expected - tolerance), high: Math.min(1, expected + tolerance) };
}

interface Targets {
  band: Band;
  levels: LookLevels;
  looks: number;
  passAt: number[];
  failAt: number[];
  undecided: number;
}

function designOf(t: Targets, maxSamples: number): SequentialDesign {
  return { band: t.band, levels: t.levels, lookSamples: oneSidedLooks(t, maxSamples) ?? equalLooks(maxSamples, Math.min(t.looks, maxSamples)) };
}

/**
 * A band touching 0 or 1 (an error rate "at most t", "every request succeeds", a latency SLO)
 * can pass only once a sample free of the counted outcome is large enough: n_min =
 * ln(passLevel) / ln(1 - width). Looks before n_min are wasted and looks spaced wider than it
 * make a clean mesh wait, so the first look sits at n_min and the rest divide the remainder
 * equally. The union bound over looks holds for any schedule fixed in advance, so the error
 * targets are unchanged; a healthy path decides at the first look.
 */
function oneSidedLooks(t: Targets, maxSamples: number): number[] | undefined {
  const width = t.band.low <= 0 ? t.band.high : t.band.high >= 1 ? 1 - t.band.low : undefined;
  if (width === undefined || !(width > 0 && width < 1)) return undefined;
  const looks = Math.min(t.looks, maxSamples);
  const first = Math.ceil(Math.log(t.levels.pass) / Math.log1p(-width));
  if (looks < 2 || first >= maxSamples) return undefined;
  return [first, ...equalLooks(maxSamples - first, looks - 1).map((n) => first + n)];
}

function meetsTargets(t: Targets, maxSamples: number): boolean {
  const design = designOf(t, maxSamples);
  return (
    t.passAt.every((p) => operatingCharacteristics(design, p).pass >= 1 - t.undecided) &&
    t.failAt.every((p) => operatingCharacteristics(design, p).fail >= 1 - t.undecided)
  );
}

function tooLarge(what: string, samples: string): Error {
  return new Error(
    `${what} would need ${samples} samples, over the planning limit of ${PLANNING_LIMIT.toLocaleString("en-US")}: ` +
      `widen toleranceAbsolute, relax falseFailure/falsePass, or set maxSamples to accept a wider band`,
  );
}

/** Smallest budget meeting the targets, to 0.2%. Assumes (as holds up to discreteness) monotonicity. */
function smallestBudget(t: Targets, guess: number, what: string): number {
  // The normal-limit guess is within a few percent; far past the limit, no exact check is needed.
  if (guess > PLANNING_LIMIT * 1.5) throw tooLarge(what, `about ${Math.round(guess).toLocaleString("en-US")}`);
  let hi = Math.min(PLANNING_LIMIT, Math.max(t.looks, Math.ceil(guess)));
  let lo = Math.max(1, Math.floor(hi / 2));
  while (!meetsTargets(t, hi)) {
    if (hi >= PLANNING_LIMIT) throw tooLarge(what, "more than that");
    lo = hi;
    hi = Math.min(PLANNING_LIMIT, hi * 2);
  }
  // The guess may overshoot: walk down until the lower end fails the targets.
  while (lo > 1 && lo < hi && meetsTargets(t, lo)) {
    hi = lo;
    lo = Math.max(1, Math.floor(lo / 2));
  }
  if (lo >= hi) lo = Math.max(0, hi - 1);
  while (hi - lo > Math.max(1, Math.floor(lo * 0.002))) {
    // lo may be 0 only when hi is 1, which ends the loop before this line.
    const mid = Math.floor((lo + hi) / 2);
    if (meetsTargets(t, mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function baseOf(t: Targets, maxSamples: number, falseFailure: number, falsePass: number, given?: SequentialDesign): SequentialPlanBase {
  const design = given ?? designOf(t, maxSamples);
  const looks = design.lookSamples.length;
  const at = (p: number) => operatingCharacteristics(design, p);
  return {
    rule: design.rule ? "sprt" : "interval",
    exactErrors: {
      falseFailure: Math.max(0, ...t.passAt.map((p) => at(p).fail)),
      falsePass: Math.max(0, ...t.failAt.map((p) => at(p).pass)),
    },
    looks,
    samplesPerLook: Math.ceil(maxSamples / looks),
    lookSamples: design.lookSamples,
    maxSamples,
    confidencePerLook: 1 - 2 * t.levels.fail,
    passConfidencePerLook: 1 - 2 * t.levels.pass,
    levels: t.levels,
    band: t.band,
    falseFailure,
    falsePass,
    undecidedTarget: t.undecided,
    design,
  };
}

const proportionPlans = new Map<string, ProportionPlan>();

/** The statistical knobs a share check carries, whatever it counts. */
export type ShareKnobs = Pick<ProportionCheckSpec, "id" | "expected" | "toleranceAbsolute" | "falseFailure" | "falsePass" | "maxSamples">;

export function planProportion(specInput: z.input<typeof ProportionCheckSpec>, options: PlanOptions = {}): ProportionPlan {
  return planShare(ProportionCheckSpec.parse(specInput), options);
}

export function planLatencyShare(specInput: z.input<typeof LatencyShareCheckSpec>, options: PlanOptions = {}): ProportionPlan {
  return planShare(LatencyShareCheckSpec.parse(specInput), options);
}

export type CheckPlan = ProportionPlan | LatencyPlan;

/** The plan of any check, for the dry-run and for sizing load. */
export function planCheck(specInput: CheckSpecInput, options: PlanOptions = {}): CheckPlan {
  const spec = CheckSpec.parse(specInput);
  if (spec.type === "latency") return planLatency(spec, options);
  return planShare(spec, options);
}

/** The sequential plan of a share check (proportion of outcomes, or of slow samples). */
export function planShare(spec: ShareKnobs, options: PlanOptions = {}): ProportionPlan {
  const looksWanted = options.looks ?? DEFAULT_LOOKS;
  const undecided = options.undecided ?? UNDECIDED_TARGET;
  if (!Number.isInteger(looksWanted) || looksWanted < 1) throw new RangeError(`looks must be a positive integer, got ${looksWanted}`);
  if (spec.falseFailure >= 1 || spec.falsePass >= 1) throw new RangeError(`falseFailure and falsePass must be below 1 (check ${spec.id})`);
  const key = JSON.stringify([spec.expected, spec.toleranceAbsolute, spec.falseFailure, spec.falsePass, spec.maxSamples, looksWanted, undecided]);
  const cached = proportionPlans.get(key);
  if (cached) return cached;

  const p0 = spec.expected;
  if (spec.maxSamples === undefined && options.looks === undefined && sprtApplies(p0, spec.toleranceAbsolute)) {
    const plan = planSprtShare(spec, undecided);
    proportionPlans.set(key, plan);
    return plan;
  }
  const looks = spec.maxSamples === undefined ? looksWanted : Math.min(looksWanted, spec.maxSamples);
  const targetsFor = (tolerance: number, withFailPower: boolean): Targets => shareTargets(spec, looks, undecided, tolerance, withFailPower);

  const zPass = upperNormalQuantile(spec.falsePass / looks);
  const k = zPass + upperNormalQuantile(undecided / 2);
  let tolerance = spec.toleranceAbsolute;
  let toleranceFrom: ProportionPlan["toleranceFrom"] = "absolute";
  let maxSamples: number;
  if (spec.maxSamples === undefined) {
    const t = targetsFor(tolerance, true);
    const sides = Math.max(1, failSides(t.band));
    const zFail = upperNormalQuantile(spec.falseFailure / (looks * sides)) + upperNormalQuantile(undecided);
    const spread = (p: number) => Math.max(p * (1 - p), 1e-4);
    const worstAlt = Math.max(spread(p0), ...t.failAt.map(spread));
    const guess = Math.max(((k * k) * spread(p0)) / tolerance ** 2, ((zFail * zFail) * worstAlt) / tolerance ** 2);
    maxSamples = smallestBudget(t, guess, `check ${spec.id} (${p0} +/- ${tolerance})`);
  } else {
    maxSamples = spec.maxSamples;
    if (!meetsTargets(targetsFor(tolerance, false), maxSamples)) {
      // Widen to the narrowest band this budget resolves; round up so the guarantee survives.
      let lo = tolerance;
      let hi = Math.max(tolerance * 2, 0.5);
      while (!meetsTargets(targetsFor(hi, false), maxSamples) && hi < 1) hi = Math.min(1, hi * 2);
      for (let i = 0; i < 40 && hi - lo > 1e-5; i++) {
        const mid = (lo + hi) / 2;
        if (meetsTargets(targetsFor(mid, false), maxSamples)) hi = mid;
        else lo = mid;
      }
      tolerance = Math.ceil(hi * 1e4) / 1e4;
      toleranceFrom = "budget";
    }
  }

  const t = targetsFor(tolerance, true);
  const base = baseOf(t, maxSamples, spec.falseFailure, spec.falsePass);
  const perfect = summarize(operatingCharacteristics(base.design, p0));
  const plan: ProportionPlan = {
    kind: "proportion",
    ...base,
    expected: p0,
    requestedTolerance: spec.toleranceAbsolute,
    tolerance,
    alternatives: t.failAt,
    toleranceFrom,
    kSigma: k * Math.sqrt((p0 * (1 - p0)) / maxSamples),
    expectedSamples: perfect.expectedSamples,
    operating: {
      perfect,
      offByTwice: t.failAt.map((p) => summarize(operatingCharacteristics(base.design, p))),
    },
  };
  proportionPlans.set(key, plan);
  return plan;
}

/**
 * A share check whose expected value and both alternatives (p0 +/- 2t) lie inside (0, 1), with
 * no fixed budget: the SPRT pair, calibrated exactly (sprt-plan.ts). Its band p0 +/- t is the
 * middle of the indifference zone, shown to readers; the decision rests on the two ratios.
 */
function planSprtShare(spec: ShareKnobs, undecided: number): ProportionPlan {
  const p0 = spec.expected;
  const tolerance = spec.toleranceAbsolute;
  const band = clipBand(p0, tolerance);
  const levels: LookLevels = { pass: spec.falsePass, fail: spec.falseFailure };
  // Wald's expected sample size on a perfect mesh: past the limit no exact planning is attempted.
  const wald = Math.log(1 / spec.falsePass) / Math.min(bernoulliKl(p0, p0 + 2 * tolerance), bernoulliKl(p0, p0 - 2 * tolerance));
  if (4 * wald > PLANNING_LIMIT) throw tooLarge(`check ${spec.id} (${p0} +/- ${tolerance})`, `about ${Math.round(4 * wald).toLocaleString("en-US")}`);
  const c = calibrateSprt({ expected: p0, tolerance, falseFailure: spec.falseFailure, falsePass: spec.falsePass, undecided }, band, levels);
  const alternatives = [p0 - 2 * tolerance, p0 + 2 * tolerance];
  const maxSamples = c.design.lookSamples[c.design.lookSamples.length - 1]!;
  const t: Targets = { band, levels, looks: c.design.lookSamples.length, passAt: [p0], failAt: alternatives, undecided };
  const base = baseOf(t, maxSamples, spec.falseFailure, spec.falsePass, c.design);
  const perfect = summarize(operatingCharacteristics(c.design, p0));
  const k = upperNormalQuantile(spec.falsePass) + upperNormalQuantile(undecided / 2);
  return {
    kind: "proportion",
    ...base,
    samplesPerLook: c.lookSize,
    expected: p0,
    requestedTolerance: tolerance,
    tolerance,
    alternatives,
    toleranceFrom: "absolute",
    kSigma: k * Math.sqrt((p0 * (1 - p0)) / maxSamples),
    expectedSamples: perfect.expectedSamples,
    operating: { perfect, offByTwice: alternatives.map((p) => summarize(operatingCharacteristics(c.design, p))) },
  };
}

/** What a share check's budget must achieve at a given tolerance. */
function shareTargets(spec: ShareKnobs, looks: number, undecided: number, tolerance: number, withFailPower: boolean): Targets {
  const p0 = spec.expected;
  const band = clipBand(p0, tolerance);
  return {
    band,
    levels: levelsFor(band, spec.falseFailure, spec.falsePass, looks),
    looks,
    passAt: [p0],
    failAt: withFailPower ? [p0 + 2 * tolerance, p0 - 2 * tolerance].filter((p) => p >= 0 && p <= 1) : [],
    undecided,
  };
}

/**
 * Whether a share check's own budget (`maxSamples`) resolves its absolute tolerance, i.e.
 * planShare would keep `toleranceFrom: "absolute"`. Cheap: no search for a wider band, so
 * callers can try several budgets (convergence window lengths) and plan only the one they keep.
 */
export function budgetResolves(spec: ShareKnobs & { maxSamples: number }, options: PlanOptions = {}): boolean {
  const looks = Math.min(options.looks ?? DEFAULT_LOOKS, spec.maxSamples);
  return meetsTargets(shareTargets(spec, looks, options.undecided ?? UNDECIDED_TARGET, spec.toleranceAbsolute, false), spec.maxSamples);
}

const latencyPlans = new Map<string, LatencyPlan>();

/** Every plan computed or loaded so far, for the on-disk cache (plan-cache.ts). */
export function planMemo(): { proportion: Map<string, ProportionPlan>; latency: Map<string, LatencyPlan> } {
  return { proportion: proportionPlans, latency: latencyPlans };
}

/**
 * A latency SLO "quantile q <= maxMs" holds exactly when the share of samples slower than
 * maxMs is at most 1 - q, so the check is a one-sided proportion test on that share. Its
 * budget is sized so that a mesh exceeding maxMs at half the allowed rate passes, and one at
 * twice the allowed rate (or halfway to always, if less) fails, each with probability at least
 * 1 - UNDECIDED_TARGET.
 */
export function planLatency(specInput: z.input<typeof LatencyCheckSpec>, options: PlanOptions = {}): LatencyPlan {
  const spec = LatencyCheckSpec.parse(specInput);
  const looks = options.looks ?? DEFAULT_LOOKS;
  const undecided = options.undecided ?? UNDECIDED_TARGET;
  const key = JSON.stringify([spec.quantile, looks, undecided]);
  const cached = latencyPlans.get(key);
  if (cached) return cached;
  const allowed = 1 - spec.quantile;
  const band: Band = { low: 0, high: allowed };
  const comfortable = allowed / 2;
  const violating = Math.min(2 * allowed, (1 + allowed) / 2);
  const t: Targets = {
    band,
    levels: levelsFor(band, LATENCY_FALSE_FAILURE, LATENCY_FALSE_PASS, looks),
    looks,
    passAt: [comfortable],
    failAt: [violating],
    undecided,
  };
  const z = upperNormalQuantile(t.levels.fail) + upperNormalQuantile(undecided);
  const guess = (z * z * violating * (1 - violating)) / (violating - allowed) ** 2;
  const maxSamples = smallestBudget(t, guess, `latency check ${spec.id} (p${spec.quantile * 100})`);
  const base = baseOf({ ...t, passAt: [allowed] }, maxSamples, LATENCY_FALSE_FAILURE, LATENCY_FALSE_PASS);
  const comfortableOc = summarize(operatingCharacteristics(base.design, comfortable));
  const plan: LatencyPlan = {
    kind: "latency",
    ...base,
    allowedExceedance: allowed,
    minSamplesToPass: Math.ceil(Math.log(t.levels.pass) / Math.log1p(-allowed)),
    expectedSamples: comfortableOc.expectedSamples,
    operating: { comfortable: comfortableOc, violating: summarize(operatingCharacteristics(base.design, violating)) },
  };
  latencyPlans.set(key, plan);
  return plan;
}

/** Seconds of load at a given arrival rate that deliver `samples` requests. */
export function secondsFor(samples: number, ratePerSecond: number): number {
  if (!(ratePerSecond > 0)) throw new RangeError(`secondsFor needs a positive request rate, got ${ratePerSecond}: set the load profile's rate`);
  return Math.ceil(samples / ratePerSecond);
}

/**
 * The classic fixed-sample size for estimating a proportion to +/- halfWidth at a two-sided
 * confidence: n = z^2 p (1 - p) / d^2. Here for comparison with the sequential plans.
 */
export function normalApproxSampleSize(p: number, halfWidth: number, confidence: number): number {
  const z = upperNormalQuantile((1 - confidence) / 2);
  return Math.ceil((z * z * p * (1 - p)) / (halfWidth * halfWidth));
}
