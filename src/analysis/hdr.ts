/**
 * Latency recording on HDR histograms (hdr-histogram-js). Values are recorded in integer
 * microseconds so sub-millisecond inter-token gaps keep their resolution; summaries report
 * milliseconds. Summaries carry the compressed histogram so runs from several load-generator
 * processes (or repeats) merge exactly instead of averaging quantiles.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from "hdr-histogram-js";
import type { LatencySummary } from "../load/profile.js";

/** One hour in microseconds: anything slower is a hung request, recorded at the ceiling. */
const HIGHEST_TRACKABLE_US = 3_600_000_000;
/** Three significant digits: quantiles are exact to 0.1%. */
const SIGNIFICANT_DIGITS = 3;

function newHistogram(): Histogram {
  return build({
    bitBucketSize: "packed",
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    useWebAssembly: false,
  });
}

export class LatencyRecorder {
  private readonly histogram = newHistogram();

  /** Record one latency in milliseconds (fractions kept to the microsecond). */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const us = Math.min(Math.max(1, Math.round(ms * 1000)), HIGHEST_TRACKABLE_US);
    this.histogram.recordValue(us);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** Quantile in milliseconds, q in (0, 1]. */
  quantile(q: number): number {
    return this.histogram.getValueAtPercentile(q * 100) / 1000;
  }

  addEncoded(encoded: string): void {
    if (!encoded) return;
    const other = decodeFromCompressedBase64(encoded, "packed", false);
    this.histogram.add(other);
    other.destroy();
  }

  summary(): LatencySummary {
    const h = this.histogram;
    const empty = h.totalCount === 0;
    return {
      count: h.totalCount,
      min: empty ? 0 : h.minNonZeroValue / 1000,
      mean: empty ? 0 : h.mean / 1000,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      max: h.maxValue / 1000,
      hdr: empty ? "" : encodeIntoCompressedBase64(h),
      unit: "ms",
    };
  }
}

/** Merge summaries (e.g. from several load-generator processes or batches) into one, exactly. */
export function mergeSummaries(parts: readonly LatencySummary[]): LatencySummary {
  const recorder = new LatencyRecorder();
  for (const part of parts) recorder.addEncoded(part.hdr);
  return recorder.summary();
}

/** Rebuild a recorder from a summary, to take further quantiles from it. */
export function recorderOf(summary: LatencySummary): LatencyRecorder {
  const recorder = new LatencyRecorder();
  recorder.addEncoded(summary.hdr);
  return recorder;
}
