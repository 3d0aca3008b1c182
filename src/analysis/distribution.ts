/**
 * Reading an HDR histogram (as carried in a LatencySummary) as a sorted list of buckets, so
 * checks can count samples on either side of a threshold and read values at given ranks.
 * An HDR bucket covers values equal to within the histogram's precision (0.1%); a bucket that
 * straddles a threshold is reported as "possibly" on either side, and the checks decide only
 * when both readings agree.
 */
import { decodeFromCompressedBase64, JsHistogram } from "hdr-histogram-js";
import type { LatencySummary } from "../load/profile.js";

/** Buckets in increasing order; values in microseconds, as recorded. */
export interface Buckets {
  lowUs: Float64Array;
  highUs: Float64Array;
  counts: Float64Array;
  total: number;
}

const EMPTY: Buckets = { lowUs: new Float64Array(0), highUs: new Float64Array(0), counts: new Float64Array(0), total: 0 };

export function bucketsOf(summary: LatencySummary | undefined): Buckets {
  if (!summary || !summary.hdr || summary.count === 0) return EMPTY;
  const histogram = decodeFromCompressedBase64(summary.hdr, "packed", false);
  try {
    if (!(histogram instanceof JsHistogram)) {
      throw new Error("latency summary decoded to an unexpected histogram type; record it with LatencyRecorder (src/analysis/hdr.ts)");
    }
    const low: number[] = [];
    const high: number[] = [];
    const counts: number[] = [];
    const it = histogram.recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
      const v = it.next();
      high.push(v.valueIteratedTo);
      low.push(histogram.lowestEquivalentValue(v.valueIteratedTo));
      counts.push(v.countAtValueIteratedTo);
    }
    return {
      lowUs: Float64Array.from(low),
      highUs: Float64Array.from(high),
      counts: Float64Array.from(counts),
      total: counts.reduce((a, b) => a + b, 0),
    };
  } finally {
    histogram.destroy();
  }
}

/** Samples at or below `ms`: surely (whole bucket below) and possibly (bucket reaches below). */
export function countAtOrBelow(b: Buckets, ms: number): { surely: number; possibly: number } {
  const us = ms * 1000;
  let surely = 0;
  let possibly = 0;
  for (let i = 0; i < b.counts.length; i++) {
    if (b.highUs[i]! <= us) surely += b.counts[i]!;
    if (b.lowUs[i]! <= us) possibly += b.counts[i]!;
  }
  return { surely, possibly };
}

/** The value (ms) of the sample at 1-based rank r, as HDR reports it (its bucket's top). */
export function valueAtRank(b: Buckets, rank: number): number {
  const r = Math.max(1, Math.ceil(rank));
  let cumulative = 0;
  for (let i = 0; i < b.counts.length; i++) {
    cumulative += b.counts[i]!;
    if (cumulative >= r) return b.highUs[i]! / 1000;
  }
  return b.counts.length ? b.highUs[b.counts.length - 1]! / 1000 : 0;
}

/** Quantile (ms), q in (0, 1], by HDR's own rule: the value at rank ceil(q x total). */
export function quantileOfBuckets(b: Buckets, q: number): number {
  return valueAtRank(b, Math.max(1, Math.ceil(q * b.total - 1e-9)));
}
