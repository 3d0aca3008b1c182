/**
 * Builders for the checks scenarios declare, so each claim reads as one line and every check is
 * a CheckSpec the analysis module judges sequentially (never a raw ratio against a threshold).
 */
import type { CheckSpecInput, OutcomeSelector } from "../src/analysis/index.js";

type ProportionInput = Extract<CheckSpecInput, { type: "proportion" }>;
type LatencyInput = Extract<CheckSpecInput, { type: "latency" }>;
type LatencyShareInput = Extract<CheckSpecInput, { type: "latency-share" }>;

export interface ShareOptions {
  denominator?: OutcomeSelector;
  toleranceAbsolute?: number;
  falseFailure?: number;
  falsePass?: number;
  maxSamples?: number;
}

/** "This share of requests (among `denominator`) match `numerator`", e.g. a split weight. */
export function shareCheck(id: string, claim: string, numerator: OutcomeSelector, expected: number, opts: ShareOptions = {}): ProportionInput {
  return { type: "proportion", id, claim, numerator, expected, ...opts };
}

/**
 * An error-rate SLO as a band around zero: the check passes once the interval of the error
 * rate sits below `maxErrorRate`, and fails once it lies wholly above it.
 */
export function errorRateCheck(id: string, claim: string, maxErrorRate: number, opts: Omit<ShareOptions, "toleranceAbsolute" | "denominator"> = {}): ProportionInput {
  return shareCheck(id, claim, { status: "error" }, 0, { ...opts, toleranceAbsolute: maxErrorRate });
}

/** A latency SLO: the quantile of `metric` is at most `maxMs`, judged by its confidence interval. */
export function latencyCheck(id: string, claim: string, metric: LatencyInput["metric"], quantile: number, maxMs: number): LatencyInput {
  return { type: "latency", id, claim, metric, quantile, maxMs };
}

export interface SlowShareOptions extends Omit<ShareOptions, "denominator"> {
  /** Default e2e (from the due time); e2eFromSend times from the send, as a proxy's timer does. */
  metric?: LatencyShareInput["metric"];
  /** Whose latency: the successful responses (default), or "all", failed ones included. */
  responses?: LatencyShareInput["responses"];
}

/** The share of requests slower than `slowerThanMs`, e.g. how many an injected delay hit. */
export function slowShareCheck(id: string, claim: string, slowerThanMs: number, expected: number, opts: SlowShareOptions = {}): LatencyShareInput {
  return { type: "latency-share", id, claim, metric: "e2e", slowerThanMs, expected, ...opts };
}

/**
 * Error knobs for convergence windows. A window that misses only delays convergence (the next
 * window is drawn), so a window may err more often than a verdict; a false "converged" is what
 * the band width guards against (see sizing.ts).
 */
export const CONVERGENCE_ERRORS = { falseFailure: 1e-3, falsePass: 1e-2 } as const;
