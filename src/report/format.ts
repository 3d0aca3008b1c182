/**
 * Plain-text formatting shared by every reporter, so the Markdown, HTML, JUnit and comparison
 * outputs state a number the same way. Nothing here escapes: each renderer escapes for its own
 * syntax after formatting.
 */
import { EXIT, type Verdict, type VerdictStatus } from "../analysis/verdict.js";
import { formatMs } from "../core/errors.js";
import type { LatencySummary } from "../load/profile.js";

export { formatMs };

export const STATUS_LABEL: Record<VerdictStatus | "error", string> = {
  pass: "pass",
  fail: "FAIL",
  inconclusive: "inconclusive",
  unsupported: "not supported",
  error: "ERROR",
};

/** Symbols chosen to stay distinct without colour (a failure must not look like a skip). */
export const STATUS_SYMBOL: Record<VerdictStatus | "error", string> = {
  pass: "✅",
  fail: "❌",
  inconclusive: "❔",
  unsupported: "➖",
  error: "💥",
};

export function statusText(status: VerdictStatus | "error"): string {
  return `${STATUS_SYMBOL[status]} ${STATUS_LABEL[status]}`;
}

export { EXIT_LEGEND, exitCodeMeaning } from "../analysis/exit-codes.js";

/** The one-word headline of a run, from its exit code (the same code CI sees). */
export function headline(exitCode: number, aborted?: string): { word: string; tone: VerdictStatus | "error" } {
  if (aborted) return { word: "ABORTED", tone: "error" };
  if (exitCode === EXIT.ok) return { word: "PASS", tone: "pass" };
  if (exitCode === EXIT.checkFailed) return { word: "FAIL", tone: "fail" };
  if (exitCode === EXIT.inconclusive) return { word: "INCONCLUSIVE", tone: "inconclusive" };
  return { word: "ERROR", tone: "error" };
}

/** Milliseconds with precision that suits their size: sub-ms inter-token gaps keep three digits. */
export function formatLatency(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "–";
  const abs = Math.abs(ms);
  const digits = abs < 1 ? 3 : abs < 10 ? 2 : abs < 100 ? 1 : 0;
  return `${ms.toFixed(digits)} ms`;
}

export function formatNumber(n: number | undefined, digits = 1): string {
  if (n === undefined || !Number.isFinite(n)) return "–";
  return Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function formatPercent(fraction: number | undefined, digits = 1): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return "–";
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Small probabilities read better as powers of ten (1e-5) than as 0.001%. */
export function formatProbability(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return "–";
  if (p >= 0.01) return formatPercent(p, p >= 0.1 ? 0 : 1);
  const [mantissa, exponent] = p.toExponential(1).split("e");
  const m = mantissa === "1.0" ? "1" : mantissa;
  return `${m}e${exponent}`;
}

/** Relative change as a signed percentage: "+12.3%". */
export function formatRelative(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "–";
  const sign = fraction > 0 ? "+" : "";
  return `${sign}${(fraction * 100).toFixed(1)}%`;
}

export function formatSignedLatency(ms: number): string {
  return `${ms > 0 ? "+" : ""}${formatLatency(ms)}`;
}

/** Units that mark a verdict's numbers as proportions (shown as percentages). */
const PROPORTION_UNITS = new Set(["proportion", "ratio", "fraction"]);

/**
 * Proportion checks (split weights, fault rates) carry values in [0, 1]; latency checks carry
 * a unit such as "ms". A verdict without a unit and with values in [0, 1] is a proportion: that
 * is how the proportion evaluator records them.
 */
export function isProportion(v: Pick<Verdict, "unit" | "observed" | "expected">): boolean {
  if (v.unit !== undefined) return PROPORTION_UNITS.has(v.unit);
  const inUnitRange = (x: number | undefined) => x === undefined || (x >= 0 && x <= 1);
  return inUnitRange(v.observed) && inUnitRange(v.expected) && (v.observed !== undefined || v.expected !== undefined);
}

/** One value of a verdict, in the verdict's unit. */
export function formatValue(v: Pick<Verdict, "unit" | "observed" | "expected">, x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "–";
  if (isProportion(v)) return formatPercent(x, 1);
  if (v.unit === "ms") return formatLatency(x);
  return v.unit ? `${formatNumber(x, 2)} ${v.unit}` : formatNumber(x, 3);
}

/**
 * The expected value. A latency verdict (unit ms, no tolerance) states an objective the quantile
 * must stay under, so it reads "≤ 400 ms" rather than suggesting 400 ms is the target.
 */
export function formatExpected(v: Verdict): string {
  const value = formatValue(v, v.expected);
  if (v.expected !== undefined && v.unit === "ms" && v.tolerance === undefined) return `≤ ${value}`;
  return value;
}

/** Tolerance: percentage points for proportions, the unit otherwise. */
export function formatTolerance(v: Verdict): string {
  if (v.tolerance === undefined) return "–";
  const one = (t: number) => (isProportion(v) ? `±${(t * 100).toFixed(1)} pts` : `±${formatValue(v, t)}`);
  // Requested and achieved side by side whenever they differ: a band never widens without a word.
  if (v.requestedTolerance !== undefined && Math.abs(v.requestedTolerance - v.tolerance) > 1e-12) return `${one(v.tolerance)} (asked ${one(v.requestedTolerance)})`;
  return one(v.tolerance);
}

/**
 * A latency objective ("p99 at most 400 ms") is a one-sided claim: only one end of the quantile's
 * interval decides it. The verdict records the two-sided interval whose ends are each one-sided
 * bounds at 1 - (1 - confidence)/2.
 */
export function isOneSided(v: Pick<Verdict, "unit" | "expected" | "tolerance">): boolean {
  return v.unit === "ms" && v.expected !== undefined && v.tolerance === undefined;
}

/** What kind of interval a verdict carries, in words a reader can look up. */
export function intervalKind(v: Verdict): string {
  if (isProportion(v)) return "exact binomial (Clopper-Pearson)";
  if (v.unit === "ms") return "distribution-free, from order statistics";
  return "confidence interval";
}

/**
 * The interval as the claim reads it. Two-sided claims (a share within a tolerance band):
 * "[9.0%, 11.3%] at 99.999%". One-sided claims: the bound that decided, "≤ 412 ms at 99.9995%
 * (one-sided)" for a pass, "≥ 431 ms ..." for a failure, both bounds while undecided.
 */
export function formatInterval(v: Verdict): string {
  if (!v.interval) return "–";
  const { low, high, confidence } = v.interval;
  if (isOneSided(v)) {
    const oneSided = formatConfidence(1 - (1 - confidence) / 2);
    if (v.status === "pass") return `≤ ${formatValue(v, high)} at ${oneSided} (one-sided upper bound)`;
    if (v.status === "fail") return `≥ ${formatValue(v, low)} at ${oneSided} (one-sided lower bound)`;
  }
  return `[${formatValue(v, low)}, ${formatValue(v, high)}] at ${formatConfidence(confidence)}`;
}

/** 0.9999 -> "99.99%": confidence levels keep every significant nine. */
export function formatConfidence(confidence: number): string {
  const pct = confidence * 100;
  const text = pct.toFixed(4).replace(/\.?0+$/, "");
  return `${text}%`;
}

/** Said once under each checks table: the two probabilities are what the check was designed for. */
export const ERROR_PROBABILITY_NOTE =
  "False fail / false pass: the probability that a mesh keeping its promise fails the check, and that a mesh clearly breaking it (for a proportion, off by twice the tolerance) passes, computed exactly for the design that ran (the looks this run took, then the planned ones); the check's targets follow in parentheses.";

export function formatErrorProbabilities(v: Verdict): string {
  if (!v.errorProbabilities) return "–";
  const e = v.errorProbabilities;
  const targets = e.targets ? ` (targets ${formatProbability(e.targets.falseFailure)} / ${formatProbability(e.targets.falsePass)})` : "";
  return `${formatProbability(e.falseFailure)} / ${e.falsePass === undefined ? "–" : formatProbability(e.falsePass)}${targets}`;
}

/** A scenario's family-wise bound: the chance a mesh keeping every promise fails at least one check. */
export function formatFamilyWise(f: { falseFailure: number; maxFalsePass: number; checks: number }): string {
  return `family-wise: a mesh keeping all ${f.checks} judged promises fails at least one with probability at most ${formatProbability(f.falseFailure)} (sum over checks); each broken promise passes with probability at most ${formatProbability(f.maxFalsePass)}`;
}

/**
 * The sentence a CI log shows for a verdict: observed against expected, with the interval,
 * tolerance and sample size, leaving out what the verdict does not carry.
 */
export function verdictSummary(v: Verdict): string {
  const parts: string[] = [];
  if (v.observed !== undefined) parts.push(`observed ${formatValue(v, v.observed)}`);
  if (v.interval) parts.push(`interval ${formatInterval(v)}`);
  if (v.expected !== undefined) {
    const tol = v.tolerance !== undefined ? ` ${formatTolerance(v)}` : "";
    parts.push(`expected ${formatExpected(v)}${tol}`);
  }
  if (v.sampleSize !== undefined) parts.push(`n=${formatNumber(v.sampleSize)}`);
  return parts.join(", ");
}

export type LatencyMetric = "e2e" | "ttft" | "itl";

export const METRIC_LABEL: Record<LatencyMetric, string> = {
  e2e: "End-to-end latency",
  ttft: "Time to first token",
  itl: "Inter-token latency",
};

/** The quantiles every latency table and chart shows, in order. */
export const QUANTILES = [
  { key: "p50", label: "p50", q: 0.5 },
  { key: "p90", label: "p90", q: 0.9 },
  { key: "p99", label: "p99", q: 0.99 },
  { key: "p999", label: "p99.9", q: 0.999 },
] as const satisfies readonly { key: keyof LatencySummary; label: string; q: number }[];

export type QuantileKey = (typeof QUANTILES)[number]["key"];

/** Requests that failed, as a fraction of those sent; undefined when nothing was sent. */
export function errorRate(requests: number, failed: number): number | undefined {
  return requests > 0 ? failed / requests : undefined;
}

/** Request or token rates: one decimal is plenty; tables name the unit in their header. */
export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return "–";
  return perSecond.toFixed(perSecond < 10 ? 2 : 1);
}

/** Output tokens per second with its unit, for cells whose header does not say it. */
export function formatTokensPerSecond(perSecond: number | undefined): string {
  const text = formatRate(perSecond);
  return text === "–" ? text : `${text} tokens/s`;
}
