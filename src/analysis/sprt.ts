/**
 * A pair of sequential probability ratio tests for a share claimed to be p0 with tolerance t:
 * one of p0 against p0 + 2t, one of p0 against p0 - 2t, on the same counts.
 *   fail  as soon as either log-likelihood ratio (alternative over p0) reaches logA;
 *   pass  once both have fallen to logB or below;
 *   else  keep sampling, up to the budget, then inconclusive.
 * Wald's thresholds (A = 2 / falseFailure, B = falsePass) bound the errors for any schedule of
 * looks; here they are only the starting point. The planner (planSprt) calibrates logA and logB
 * with the exact operating characteristics (sequential.ts) of the planned look schedule, so the
 * stated error probabilities are exact for that schedule rather than loose bounds, and the
 * sample sizes drop accordingly. Between p0 and p0 +/- 2t lies the indifference zone: a mesh
 * there may pass or fail, with the probabilities the operating curve states.
 */
import type { LookBoundaries, LookDecision } from "./proportion.js";

export interface SprtRule {
  kind: "sprt";
  expected: number;
  /** The alternative below p0 (p0 - 2t) and above it (p0 + 2t); both strictly inside (0, 1). */
  low: number;
  high: number;
  /** Fail when either log-likelihood ratio reaches this. */
  logA: number;
  /** Pass when both log-likelihood ratios are at or below their threshold: this for the high test... */
  logB: number;
  /** ...and this for the low one (each side's is calibrated to its own false-pass target). */
  logBLow?: number;
}

interface Slopes {
  /** LLR of the high alternative = x * up + n * upBase (increasing in x). */
  up: number;
  upBase: number;
  /** LLR of the low alternative = x * down + n * downBase (decreasing in x). */
  down: number;
  downBase: number;
}

function slopes(rule: SprtRule): Slopes {
  const p0 = rule.expected;
  const upBase = Math.log((1 - rule.high) / (1 - p0));
  const downBase = Math.log((1 - rule.low) / (1 - p0));
  return { up: Math.log(rule.high / p0) - upBase, upBase, down: Math.log(rule.low / p0) - downBase, downBase };
}

/** The two log-likelihood ratios at x successes in n trials (real x and n allowed). */
export function sprtLlr(rule: SprtRule, successes: number, trials: number): { high: number; low: number } {
  const s = slopes(rule);
  return { high: successes * s.up + trials * s.upBase, low: successes * s.down + trials * s.downBase };
}

/** Guards the integer sets against rounding at exact ties. */
const EPS = 1e-9;

/** The integer decision sets of the rule at n trials (see proportion.ts LookBoundaries). */
export function sprtBoundaries(trials: number, rule: SprtRule): LookBoundaries {
  const n = trials;
  const s = slopes(rule);
  // high LLR >= logA  <=>  x >= (logA - n upBase) / up
  const failAbove = Math.max(0, Math.ceil((rule.logA - n * s.upBase) / s.up - EPS));
  // high LLR <= logB  <=>  x <= (logB - n upBase) / up
  const passHigh = Math.min(n, Math.floor((rule.logB - n * s.upBase) / s.up + EPS));
  // low LLR >= logA  <=>  x <= (logA - n downBase) / down   (down < 0 flips the inequality)
  const failBelow = Math.min(n, Math.floor((rule.logA - n * s.downBase) / s.down + EPS));
  // low LLR <= logB  <=>  x >= (logB - n downBase) / down
  const passLow = Math.max(0, Math.ceil(((rule.logBLow ?? rule.logB) - n * s.downBase) / s.down - EPS));
  return { trials: n, passLow, passHigh, failBelow: Math.max(-1, failBelow), failAbove: Math.min(n + 1, failAbove) };
}

/** Kullback-Leibler divergence of Bernoulli(q) from Bernoulli(p), per observation. */
export function bernoulliKl(p: number, q: number): number {
  const term = (a: number, b: number) => (a === 0 ? 0 : a * Math.log(a / b));
  return term(p, q) + term(1 - p, 1 - q);
}

/**
 * One look of the pair. Both tests watch every look until the check stops: it passes when both
 * ratios are at or below their logB at the same look, and fails when either reaches logA. (Letting
 * each test stop on its own, keeping an early acceptance, was tried: it needs a lower logB for
 * the same false-pass rate and ends up drawing more samples on a perfect mesh, not fewer.)
 * The state is kept in the signature so a rule that remembers earlier looks fits the same
 * exact computation; this one always continues in state 0.
 */
export type PairState = 0 | 1 | 2;
export type PairOutcome = PairState | "pass" | "fail";

export function pairStep(_state: PairState, x: number, b: LookBoundaries): PairOutcome {
  if (x >= b.failAbove || x <= b.failBelow) return "fail";
  if (x <= b.passHigh && x >= b.passLow) return "pass";
  return 0;
}

/** The same step from real-valued counts, straight from the log-likelihood ratios. */
export function pairStepLlr(rule: SprtRule, _state: PairState, successes: number, trials: number): PairOutcome {
  if (!(trials > 0)) return 0;
  const llr = sprtLlr(rule, successes, trials);
  if (llr.high >= rule.logA || llr.low >= rule.logA) return "fail";
  if (llr.high <= rule.logB && llr.low <= (rule.logBLow ?? rule.logB)) return "pass";
  return 0;
}
