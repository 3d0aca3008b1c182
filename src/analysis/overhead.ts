/**
 * What a mesh adds to latency: the difference of a quantile between mesh runs and baseline
 * runs, with a bootstrap interval over repeated runs. Runs, not requests, are resampled,
 * because run-to-run variation (placement, warm caches, noisy neighbours) is the larger part
 * of the uncertainty and requests within a run are not independent of it. Each resample
 * merges its runs' HDR histograms exactly (sums of bucket counts) before taking the quantile.
 */
import type { LatencySummary } from "../load/profile.js";
import { bucketsOf, type Buckets } from "./distribution.js";
import { seededRandom } from "./simulate.js";

export interface OverheadOptions {
  /** Bootstrap resamples; 2,000 by default. */
  resamples?: number;
  /** Two-sided confidence of the interval; 0.95 by default. */
  confidence?: number;
  /** Seed of the resampling, so reports are reproducible; 1 by default. */
  seed?: number;
}

export interface QuantileOverhead {
  quantile: number;
  meshMs: number;
  baselineMs: number;
  /** meshMs - baselineMs. */
  diffMs: number;
  /** diffMs / baselineMs; null when the baseline quantile is 0. */
  relative: number | null;
  /** Percentile bootstrap interval of diffMs; null when a side has a single run. */
  interval: { low: number; high: number; confidence: number } | null;
  runs: { mesh: number; baseline: number };
  resamples: number;
  /** Caveats a reader should see next to the figure. */
  note?: string;
}

/** Cumulative counts of several runs over their common sorted values, for fast merged quantiles. */
class RunSet {
  readonly values: Float64Array;
  readonly cumulative: Float64Array[];
  readonly totals: number[];

  constructor(buckets: readonly Pick<Buckets, "highUs" | "counts" | "total">[]) {
    const all = new Set<number>();
    for (const b of buckets) for (const v of b.highUs) all.add(v);
    this.values = Float64Array.from([...all].sort((a, b) => a - b));
    const index = new Map<number, number>();
    this.values.forEach((v, i) => index.set(v, i));
    this.cumulative = buckets.map((b) => {
      const c = new Float64Array(this.values.length);
      for (let i = 0; i < b.counts.length; i++) c[index.get(b.highUs[i]!)!]! += b.counts[i]!;
      for (let i = 1; i < c.length; i++) c[i]! += c[i - 1]!;
      return c;
    });
    this.totals = buckets.map((b) => b.total);
  }

  get size(): number {
    return this.totals.length;
  }

  /** Quantile (ms) of the merge of runs with the given multiplicities, by HDR's rank rule. */
  quantile(weights: ArrayLike<number>, q: number): number {
    let total = 0;
    for (let r = 0; r < this.totals.length; r++) total += weights[r]! * this.totals[r]!;
    const rank = Math.max(1, Math.ceil(q * total - 1e-9));
    let lo = 0;
    let hi = this.values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      let below = 0;
      for (let r = 0; r < this.totals.length; r++) below += weights[r]! * this.cumulative[r]![mid]!;
      if (below >= rank) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo]! / 1000;
  }
}

function usable(runs: readonly LatencySummary[], side: string): LatencySummary[] {
  const withSamples = runs.filter((r) => r.count > 0 && r.hdr);
  if (withSamples.length === 0) {
    throw new Error(`no ${side} run carries latency samples; run the ${side} benchmark first (each run's summary must include its HDR histogram)`);
  }
  return withSamples;
}

/** The design's settings, checked once for both estimators. */
function bootstrapSettings(quantile: number, opts: OverheadOptions): { resamples: number; confidence: number } {
  if (!(quantile > 0 && quantile <= 1)) throw new RangeError(`quantile must lie in (0, 1], got ${quantile}`);
  const resamples = opts.resamples ?? 2000;
  const confidence = opts.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must lie in (0, 1), got ${confidence}`);
  return { resamples, confidence };
}

/** The quantile of every run pooled, on each side, and their difference: the point estimate. */
function pooledDifference(mesh: RunSet, baseline: RunSet, quantile: number): { meshMs: number; baselineMs: number; diffMs: number; relative: number | null } {
  const meshMs = mesh.quantile(new Float64Array(mesh.size).fill(1), quantile);
  const baselineMs = baseline.quantile(new Float64Array(baseline.size).fill(1), quantile);
  const diffMs = meshMs - baselineMs;
  return { meshMs, baselineMs, diffMs, relative: baselineMs > 0 ? diffMs / baselineMs : null };
}

export function quantileOverhead(
  meshRuns: readonly LatencySummary[],
  baselineRuns: readonly LatencySummary[],
  quantile: number,
  opts: OverheadOptions = {},
): QuantileOverhead {
  const { resamples, confidence } = bootstrapSettings(quantile, opts);
  const mesh = new RunSet(usable(meshRuns, "mesh").map((r) => bucketsOf(r)));
  const baseline = new RunSet(usable(baselineRuns, "baseline").map((r) => bucketsOf(r)));
  const point = pooledDifference(mesh, baseline, quantile);
  const result: QuantileOverhead = {
    quantile,
    ...point,
    interval: null,
    runs: { mesh: mesh.size, baseline: baseline.size },
    resamples: 0,
  };
  if (mesh.size < 2 || baseline.size < 2) {
    result.note =
      `a single ${mesh.size < 2 ? "mesh" : "baseline"} run gives no estimate of run-to-run variation, so no interval is stated; ` +
      `repeat the benchmark (at least ${MIN_RUNS_FOR_INTERVAL} runs per side)`;
    return result;
  }
  if (mesh.size < MIN_RUNS_FOR_INTERVAL || baseline.size < MIN_RUNS_FOR_INTERVAL) {
    result.note =
      `only ${mesh.size} mesh and ${baseline.size} baseline runs: a bootstrap over fewer than ${MIN_RUNS_FOR_INTERVAL} runs per side understates the spread, ` +
      `so no interval is stated; repeat the benchmark (paired, interleaved runs are best: see pairedQuantileOverhead)`;
    return result;
  }
  const random = seededRandom(opts.seed ?? 1);
  const diffs = new Float64Array(resamples);
  const wm = new Float64Array(mesh.size);
  const wb = new Float64Array(baseline.size);
  for (let i = 0; i < resamples; i++) {
    wm.fill(0);
    wb.fill(0);
    for (let r = 0; r < mesh.size; r++) wm[Math.floor(random() * mesh.size)]! += 1;
    for (let r = 0; r < baseline.size; r++) wb[Math.floor(random() * baseline.size)]! += 1;
    diffs[i] = mesh.quantile(wm, quantile) - baseline.quantile(wb, quantile);
  }
  diffs.sort();
  const at = (p: number) => diffs[Math.min(resamples - 1, Math.max(0, Math.floor(p * resamples)))]!;
  result.interval = { low: at((1 - confidence) / 2), high: at(1 - (1 - confidence) / 2), confidence };
  result.resamples = resamples;
  result.note = "unpaired runs resampled as exchangeable: drift between the mesh's and the baseline's runs widens (or biases) the interval; paired, interleaved runs avoid it";
  return result;
}

/** Fewest runs (or pairs) from which a bootstrap interval is stated at all. */
export const MIN_RUNS_FOR_INTERVAL = 5;

/** One mesh run and the baseline run interleaved with it (run back to back, alternating which goes first). */
export interface RunPair {
  mesh: LatencySummary;
  baseline: LatencySummary;
}

export interface PairedOverhead extends QuantileOverhead {
  /**
   * Half the interval's width: about the smallest overhead the pairs resolve (an overhead of
   * this size or more gives an interval that excludes zero). Null without an interval.
   */
  resolvesMs: number | null;
}

/**
 * Overhead from paired, interleaved runs: each mesh run is paired with the baseline run that ran
 * at the same time (both loaded at once) or next to it (back to back, alternating which goes
 * first), and the bootstrap resamples pairs, so both sides of a resample come from the same
 * moments and what the machine did then (another job's stall, slow drift) cancels instead of
 * widening the interval. Fewer than MIN_RUNS_FOR_INTERVAL pairs give no interval.
 */
export function pairedQuantileOverhead(pairs: readonly RunPair[], quantile: number, opts: OverheadOptions = {}): PairedOverhead {
  bootstrapSettings(quantile, opts);
  const usablePairs = pairs.filter((p) => p.mesh.count > 0 && p.mesh.hdr && p.baseline.count > 0 && p.baseline.hdr);
  if (usablePairs.length === 0) throw new Error("no pair of runs carries latency samples on both sides; run the paired benchmark first (each run's summary must include its HDR histogram)");
  return pairedBucketsOverhead(
    usablePairs.map((p) => ({ mesh: bucketsOf(p.mesh), baseline: bucketsOf(p.baseline) })),
    quantile,
    opts,
  );
}

/** A pair's two runs as sorted buckets (values in microseconds), as bucketsOf reads them. */
export interface BucketPair {
  mesh: Pick<Buckets, "highUs" | "counts" | "total">;
  baseline: Pick<Buckets, "highUs" | "counts" | "total">;
}

/**
 * pairedQuantileOverhead on runs already read into buckets (every pair with samples on both
 * sides): the same point estimate, interval and seed, without decoding histograms, for callers
 * (simulations) that hold the values themselves.
 */
export function pairedBucketsOverhead(pairs: readonly BucketPair[], quantile: number, opts: OverheadOptions = {}): PairedOverhead {
  const { resamples, confidence } = bootstrapSettings(quantile, opts);
  if (pairs.some((p) => p.mesh.total <= 0 || p.baseline.total <= 0)) throw new Error("every pair needs samples on both sides");
  const mesh = new RunSet(pairs.map((p) => p.mesh));
  const baseline = new RunSet(pairs.map((p) => p.baseline));
  const k = pairs.length;
  const point = pooledDifference(mesh, baseline, quantile);
  const result: PairedOverhead = {
    quantile,
    ...point,
    interval: null,
    runs: { mesh: k, baseline: k },
    resamples: 0,
    resolvesMs: null,
  };
  if (k < MIN_RUNS_FOR_INTERVAL) {
    result.note = `only ${k} paired runs: fewer than ${MIN_RUNS_FOR_INTERVAL} pairs give no trustworthy bootstrap interval, so none is stated; run more pairs`;
    return result;
  }
  const random = seededRandom(opts.seed ?? 1);
  const diffs = new Float64Array(resamples);
  const w = new Float64Array(k);
  for (let i = 0; i < resamples; i++) {
    w.fill(0);
    for (let r = 0; r < k; r++) w[Math.floor(random() * k)]! += 1;
    // The same pairs on both sides: that is what makes the resample paired.
    diffs[i] = mesh.quantile(w, quantile) - baseline.quantile(w, quantile);
  }
  diffs.sort();
  const at = (p: number) => diffs[Math.min(resamples - 1, Math.max(0, Math.floor(p * resamples)))]!;
  result.interval = { low: at((1 - confidence) / 2), high: at(1 - (1 - confidence) / 2), confidence };
  result.resamples = resamples;
  result.resolvesMs = (result.interval.high - result.interval.low) / 2;
  return result;
}
