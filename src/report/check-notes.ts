/**
 * What the checks tables say beside a verdict, shared by report.md and report.html: where the
 * observed value of a latency check comes from, and the evidence files as links that resolve
 * from the report's own folder (the run folder, where results.json names them relative to).
 */
import type { Verdict } from "../analysis/verdict.js";
import { objectiveMetric } from "./charts.js";
import { QUANTILES, formatLatency, formatNumber, isOneSided } from "./format.js";
import type { StepRecord } from "./results.js";

/**
 * A latency check decides at the first look where its evidence suffices, so its observed quantile
 * rests on the samples up to that look; the step's load table shows the quantile of every sample
 * the step drew (other checks of the step may have asked for more). Say both, side by side.
 */
export function decisionNote(v: Verdict, step: StepRecord | undefined): string | undefined {
  if (!isOneSided(v) || v.observed === undefined || !step?.load) return undefined;
  const q = /\bp(\d+(?:\.\d+)?)\b/i.exec(`${v.checkId} ${v.claim} ${v.reason}`)?.[1];
  const quantile = QUANTILES.find((x) => x.label === `p${q}`);
  if (!quantile) return undefined;
  const metric = objectiveMetric(v);
  const summary = step.load.latency[metric];
  if (!summary || summary.count === 0) return undefined;
  const atDecision = v.sampleSize !== undefined ? ` from the ${formatNumber(v.sampleSize)} samples up to the look that decided` : " at the look that decided";
  return `observed ${formatLatency(v.observed)}${atDecision}; the step's full sample: ${quantile.label} ${metric} ${formatLatency(summary[quantile.key])} from ${formatNumber(summary.count)} samples`;
}

/**
 * Evidence paths usable as links from the run folder: relative, inside it, no scheme. Anything
 * else (an absolute path a foreign writer left, "../", a URL) is shown as text, never linked.
 */
export function evidenceHref(path: string): string | undefined {
  if (!path || path.startsWith("/") || /^[a-z][a-z0-9+.-]*:/i.test(path) || path.split(/[\\/]/).includes("..")) return undefined;
  return path.split("/").map(encodeURIComponent).join("/");
}

/** The verdict's evidence, then the step's own, without repeats. */
export function evidenceOf(v: Verdict, step: StepRecord | undefined): string[] {
  return [...new Set([...v.evidence, ...(step?.evidence ?? [])])];
}
