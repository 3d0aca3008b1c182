/**
 * Proportion intervals and the decision rule of the sequential test.
 *
 * A check claims that a proportion p (a split weight, an injected fault rate, an error rate)
 * lies in a band [low, high] around its expected value. At each look the test computes
 * Clopper-Pearson bounds from the counts so far and decides:
 *   pass  when the whole interval lies inside the band,
 *   fail  when the whole interval lies outside it,
 *   else  keep sampling (and, once the looks are spent, say inconclusive).
 * Pass and fail use different one-sided levels because they guard different errors:
 *   - fail needs the bound on the band's side to miss the truth, so with per-side level
 *     failLevel and at most K looks, a mesh whose true p is inside the band fails with
 *     probability <= K x failLevel x (sides that can fail) = falseFailure;
 *   - pass needs the bound on the truth's side to miss it, so a mesh whose true p is
 *     outside the band passes with probability <= K x passLevel = falsePass.
 * Both are union (Bonferroni) bounds over looks, so they hold for any spacing of looks
 * fixed in advance, and they hold for every p inside (or outside) the band, not only the
 * expected value and twice the tolerance. Clopper-Pearson is exact (never below its nominal
 * coverage), which the bounds need; Wilson is offered for display, where a shorter interval
 * with near-nominal coverage reads better.
 */
import { binomialCdf, binomialSurvival, normalQuantile, regularizedBeta } from "./special.js";

export interface Interval {
  low: number;
  high: number;
  /** Two-sided confidence of the interval. */
  confidence: number;
}

function checkCounts(successes: number, trials: number, confidence: number): void {
  if (!(trials > 0)) throw new RangeError(`an interval needs at least one trial (got ${trials})`);
  if (!(successes >= 0 && successes <= trials)) {
    throw new RangeError(`successes must lie in [0, trials]; got ${successes} of ${trials}`);
  }
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must lie in (0, 1); got ${confidence}`);
}

/** Wilson score interval. */
export function wilsonInterval(successes: number, trials: number, confidence: number): Interval {
  checkCounts(successes, trials, confidence);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const phat = successes / trials;
  const z2n = (z * z) / trials;
  const center = (phat + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((phat * (1 - phat)) / trials + z2n / (4 * trials));
  return { low: Math.max(0, center - half), high: Math.min(1, center + half), confidence };
}

/** Bisection for the p at which a monotone tail probability equals `target`. */
function solveMonotone(f: (p: number) => number, target: number, increasing: boolean): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
    const mid = (lo + hi) / 2;
    const above = f(mid) > target;
    if (above === increasing) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

/** One-sided Clopper-Pearson lower bound: P(Bin(n, L) >= x) = level. Real x allowed. */
export function clopperPearsonLower(successes: number, trials: number, level: number): number {
  if (successes <= 0) return 0;
  return solveMonotone((p) => regularizedBeta(p, successes, trials - successes + 1), level, true);
}

/** One-sided Clopper-Pearson upper bound: P(Bin(n, U) <= x) = level. Real x allowed. */
export function clopperPearsonUpper(successes: number, trials: number, level: number): number {
  if (successes >= trials) return 1;
  return solveMonotone((p) => regularizedBeta(1 - p, trials - successes, successes + 1), level, false);
}

/** Exact (Clopper-Pearson) interval; coverage is at least `confidence` for every p. */
export function clopperPearsonInterval(successes: number, trials: number, confidence: number): Interval {
  checkCounts(successes, trials, confidence);
  const level = (1 - confidence) / 2;
  return {
    low: clopperPearsonLower(successes, trials, level),
    high: clopperPearsonUpper(successes, trials, level),
    confidence,
  };
}

/** The band a check accepts, clipped to [0, 1]. */
export interface Band {
  low: number;
  high: number;
}

/** Per-side tail levels of one look (already divided by the number of looks). */
export interface LookLevels {
  /** One-sided level of each bound used to pass. */
  pass: number;
  /** One-sided level of each bound used to fail. */
  fail: number;
}

export type LookDecision = "pass" | "fail" | "continue";

/** Can the true value fall below (above) the band at all? Only such sides spend fail level. */
export function failSides(band: Band): number {
  return (band.low > 0 ? 1 : 0) + (band.high < 1 ? 1 : 0);
}

/**
 * The decision at one look, from counts alone. It compares binomial tails at the band edges
 * with the levels instead of inverting the bounds: U <= high exactly when
 * P(Bin(n, high) <= x) <= level, and so on, which is both exact and cheap.
 */
export function decideLook(successes: number, trials: number, band: Band, levels: LookLevels): LookDecision {
  if (!(trials > 0)) return "continue";
  const upperInside = band.high >= 1 || binomialCdf(successes, trials, band.high) <= levels.pass;
  const lowerInside = band.low <= 0 || binomialSurvival(successes, trials, band.low) <= levels.pass;
  if (upperInside && lowerInside) return "pass";
  const whollyBelow = band.low > 0 && binomialCdf(successes, trials, band.low) < levels.fail;
  const whollyAbove = band.high < 1 && binomialSurvival(successes, trials, band.high) < levels.fail;
  if (whollyBelow || whollyAbove) return "fail";
  return "continue";
}

/** The interval a decision rests on: two-sided, each side at the given one-sided level. */
export function intervalAtLevel(successes: number, trials: number, level: number): Interval {
  return clopperPearsonInterval(successes, trials, 1 - 2 * level);
}

/**
 * Integer decision sets at a fixed look size, for exact operating characteristics and fast
 * simulation: pass when passLow <= x <= passHigh, fail when x <= failBelow or x >= failAbove.
 * Derived from `decideLook` itself (its tails are monotone in x), so simulation, the exact
 * computation and the live evaluation apply one rule.
 */
export interface LookBoundaries {
  trials: number;
  passLow: number;
  passHigh: number;
  failBelow: number;
  failAbove: number;
}

/** Largest integer x in [lo, hi] with pred(x) true, for pred true-then-false; lo - 1 if none. */
function lastTrue(lo: number, hi: number, pred: (x: number) => boolean): number {
  if (!pred(lo)) return lo - 1;
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = Math.ceil((a + b) / 2);
    if (pred(mid)) a = mid;
    else b = mid - 1;
  }
  return a;
}

export function lookBoundaries(trials: number, band: Band, levels: LookLevels): LookBoundaries {
  const n = trials;
  const passHigh = band.high >= 1 ? n : lastTrue(0, n, (x) => binomialCdf(x, n, band.high) <= levels.pass);
  // First x whose lower bound reaches the band's low edge.
  const passLow = band.low <= 0 ? 0 : lastTrue(0, n, (x) => binomialSurvival(x, n, band.low) > levels.pass) + 1;
  const failBelow = band.low <= 0 ? -1 : lastTrue(0, n, (x) => binomialCdf(x, n, band.low) < levels.fail);
  const failAbove = band.high >= 1 ? n + 1 : lastTrue(0, n, (x) => binomialSurvival(x, n, band.high) >= levels.fail) + 1;
  return { trials: n, passLow, passHigh, failBelow, failAbove };
}

export function decideByBoundaries(successes: number, b: LookBoundaries): LookDecision {
  if (successes >= b.passLow && successes <= b.passHigh) return "pass";
  if (successes <= b.failBelow || successes >= b.failAbove) return "fail";
  return "continue";
}
