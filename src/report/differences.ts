/**
 * The difference of one figure between two sides (a mesh and the baseline; last night and
 * tonight), with an interval a gate can act on. Two methods:
 *
 * - Enough repeated runs on both sides (MIN_RUNS_FOR_INTERVAL): the analysis module's bootstrap
 *   over runs, which carries the run-to-run variation.
 * - Otherwise: a distribution-free interval of each side's quantile (order statistics whose
 *   ranks come from binomial tails, as the latency checks use), each at 1 - (1 - c)/2, so the
 *   difference of the two lies in [low_after - high_before, high_after - low_before] with
 *   probability at least c. It describes request-to-request variation only: a second run of the
 *   same build on a busy machine can differ by more, which is why the gate also asks for a
 *   practical margin before it calls a difference a regression.
 *
 * Error rates: each side's exact (Clopper-Pearson) interval at 1 - (1 - c)/2, combined the same way.
 */
import { quantileInterval } from "../analysis/checks.js";
import { bucketsOf, quantileOfBuckets } from "../analysis/distribution.js";
import { mergeSummaries } from "../analysis/hdr.js";
import { MIN_RUNS_FOR_INTERVAL, quantileOverhead } from "../analysis/overhead.js";
import { clopperPearsonInterval } from "../analysis/proportion.js";
import type { LatencySummary } from "../load/profile.js";

export type IntervalMethod = "bootstrap over runs" | "order statistics per side" | "exact binomial per side" | "none";

export interface Difference {
  before: number;
  after: number;
  /** after - before */
  diff: number;
  /** Of diff, at `confidence`; null when a side has no samples to bound it. */
  interval: { low: number; high: number; confidence: number } | null;
  method: IntervalMethod;
}

/** A side's quantile and its two-sided distribution-free interval at `confidence`. */
function quantileWithInterval(summaries: readonly LatencySummary[], q: number, confidence: number, scale: number): { value: number; low: number; high: number; bounded: boolean } {
  const merged = summaries.length === 1 ? summaries[0]! : mergeSummaries(summaries);
  const b = bucketsOf(merged);
  const value = quantileOfBuckets(b, q);
  const { low, high, unboundedAbove } = quantileInterval(b, scale, q, (1 - confidence) / 2);
  return { value, low, high, bounded: !unboundedAbove };
}

/**
 * The q-quantile of `after` minus that of `before`. `effectiveShare` scales sample counts for
 * metrics whose samples are correlated (inter-token gaps: one effective sample per stream).
 */
export function quantileDifference(
  before: readonly LatencySummary[],
  after: readonly LatencySummary[],
  q: number,
  confidence: number,
  effectiveShare: { before: number; after: number } = { before: 1, after: 1 },
): Difference {
  const usable = (s: readonly LatencySummary[]) => s.filter((x) => x.count > 0 && x.hdr);
  const b = usable(before);
  const a = usable(after);
  if (b.length === 0 || a.length === 0) {
    const pick = (s: readonly LatencySummary[]) => (s.length > 0 ? s.reduce((sum, x) => sum + quantileOfBuckets(bucketsOf(x), q), 0) / s.length : NaN);
    const bv = pick(before);
    const av = pick(after);
    return { before: bv, after: av, diff: av - bv, interval: null, method: "none" };
  }
  if (b.length >= MIN_RUNS_FOR_INTERVAL && a.length >= MIN_RUNS_FOR_INTERVAL && effectiveShare.before === 1 && effectiveShare.after === 1) {
    const o = quantileOverhead(a, b, q, { confidence });
    return { before: o.baselineMs, after: o.meshMs, diff: o.diffMs, interval: o.interval, method: "bootstrap over runs" };
  }
  const side = 1 - (1 - confidence) / 2;
  const x = quantileWithInterval(b, q, side, effectiveShare.before);
  const y = quantileWithInterval(a, q, side, effectiveShare.after);
  const interval = x.bounded && y.bounded ? { low: y.low - x.high, high: y.high - x.low, confidence } : null;
  return { before: x.value, after: y.value, diff: y.value - x.value, interval, method: "order statistics per side" };
}

/** Failed over sent, after minus before, with the combined exact interval. */
export function errorRateDifference(before: { requests: number; failed: number }, after: { requests: number; failed: number }, confidence: number): Difference {
  const rate = (s: { requests: number; failed: number }) => (s.requests > 0 ? s.failed / s.requests : NaN);
  const bv = rate(before);
  const av = rate(after);
  if (!(before.requests > 0 && after.requests > 0)) return { before: bv, after: av, diff: av - bv, interval: null, method: "none" };
  const side = 1 - (1 - confidence) / 2;
  const x = clopperPearsonInterval(before.failed, before.requests, side);
  const y = clopperPearsonInterval(after.failed, after.requests, side);
  return { before: bv, after: av, diff: av - bv, interval: { low: y.low - x.high, high: y.high - x.low, confidence }, method: "exact binomial per side" };
}

/** Inter-token gaps of one stream are correlated: count one effective sample per streamed request. */
export function itlEffectiveShare(itl: readonly LatencySummary[], e2e: readonly LatencySummary[]): number {
  const gaps = itl.reduce((sum, s) => sum + s.count, 0);
  const streams = e2e.reduce((sum, s) => sum + s.count, 0);
  return gaps > 0 && streams > 0 ? Math.min(1, streams / gaps) : 1;
}
