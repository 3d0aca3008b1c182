/**
 * Checks are data (they go into plan.json and are evaluated against measurements); verdicts
 * are the auditable record of one evaluation.
 */
import { z } from "zod";
import { EXIT } from "./exit-codes.js";

/** Which responses count. All given fields must match; omitted fields match anything. */
export const OutcomeSelector = z.object({
  version: z.string().optional(),
  /** An exact status, or a class. "error" means any non-2xx. */
  status: z.union([z.number().int(), z.enum(["2xx", "4xx", "5xx", "error"])]).optional(),
  /** Peer identity the backend saw (SPIFFE URI from XFCC, or Linkerd's client id); "none" when absent. */
  peer: z.string().optional(),
  /** Responses whose x-llm-attempt header was at least this (the request was retried). */
  minAttempt: z.number().int().min(1).optional(),
});
export type OutcomeSelector = z.infer<typeof OutcomeSelector>;

/**
 * Statistical knobs, as named constants a reader can audit. Tolerance is
 * max(absolute, sigmas x sd of the expected proportion at the planned sample size).
 */
export const ProportionCheckSpec = z.object({
  type: z.literal("proportion"),
  id: z.string(),
  /** The claim in words: "10% of requests reach the canary". */
  claim: z.string(),
  numerator: OutcomeSelector,
  denominator: OutcomeSelector.default({}),
  expected: z.number().min(0).max(1),
  toleranceAbsolute: z.number().positive().default(0.02),
  /** Probability that a perfect mesh fails this check. */
  falseFailure: z.number().positive().default(1e-5),
  /** Probability that a mesh off by twice the tolerance passes. */
  falsePass: z.number().positive().default(1e-3),
  /** Most requests the sequential test may draw before it says inconclusive. */
  maxSamples: z.number().int().positive().optional(),
});
export type ProportionCheckSpec = z.infer<typeof ProportionCheckSpec>;

export const LatencyCheckSpec = z.object({
  type: z.literal("latency"),
  id: z.string(),
  claim: z.string(),
  metric: z.enum(["e2e", "ttft", "itl"]),
  quantile: z.number().gt(0).lt(1),
  /** The SLO: the quantile must be at most this. */
  maxMs: z.number().positive(),
});
export type LatencyCheckSpec = z.infer<typeof LatencyCheckSpec>;

/**
 * The share of requests slower than a threshold, judged like a proportion: how a scenario
 * checks that an injected delay hits its stated share of requests. Pick the threshold between
 * the undelayed latencies and the delayed ones (e.g. half the delay above the usual p99).
 * Only per-request metrics: inter-token gaps of one stream are not independent samples.
 */
export const LatencyShareCheckSpec = z
  .object({
    type: z.literal("latency-share"),
    id: z.string(),
    claim: z.string(),
    /** e2e and ttft count from when a request was due; e2eFromSend from when it was sent (what a proxy's timer sees). */
    metric: z.enum(["e2e", "e2eFromSend", "ttft"]),
    /**
     * Whose latency: "ok", the successful responses (what the load engines' latency holds), or
     * "all", every response whatever its outcome (failed ones timed until they ended, e.g. a
     * gateway's 504 when a route timeout fires). "all" needs a load engine that times failures
     * (the built-in one): elsewhere the check is unsupported.
     */
    responses: z.enum(["ok", "all"]).default("ok"),
    slowerThanMs: z.number().positive(),
    expected: z.number().min(0).max(1),
    toleranceAbsolute: z.number().positive().default(0.02),
    falseFailure: z.number().positive().default(1e-5),
    falsePass: z.number().positive().default(1e-3),
    maxSamples: z.number().int().positive().optional(),
  })
  .refine((s) => s.responses === "ok" || s.metric !== "ttft", { message: "failed responses are timed end to end only: use metric e2e or e2eFromSend with responses other than \"ok\"", path: ["metric"] });
export type LatencyShareCheckSpec = z.infer<typeof LatencyShareCheckSpec>;

export const CheckSpec = z.discriminatedUnion("type", [ProportionCheckSpec, LatencyCheckSpec, LatencyShareCheckSpec]);
export type CheckSpec = z.infer<typeof CheckSpec>;
export type CheckSpecInput = z.input<typeof CheckSpec>;

export type VerdictStatus = "pass" | "fail" | "inconclusive" | "unsupported";

export interface Verdict {
  checkId: string;
  claim: string;
  status: VerdictStatus;
  /** Why, in one sentence a reader of the report understands. */
  reason: string;
  observed?: number;
  expected?: number;
  interval?: { low: number; high: number; confidence: number };
  /** The tolerance the check asked for. */
  requestedTolerance?: number;
  /** The tolerance the verdict was judged at (wider than requested only when a fixed budget forced it). */
  tolerance?: number;
  sampleSize?: number;
  /**
   * Exact error probabilities of the design that ran (the looks actually taken, then the planned
   * ones after them): false failure at the expected value, false pass at expected +/- 2 x
   * tolerance. `targets` are what the check asked for.
   */
  errorProbabilities?: {
    falseFailure: number;
    /** Absent where no alternative is specified (the between-batch independence test bounds only its false alarms). */
    falsePass?: number;
    targets?: { falseFailure: number; falsePass: number };
  };
  /**
   * Set (with status inconclusive) when the check's fixed budget cannot resolve the tolerance it
   * asked for: it is not judged at a wider band, since one wide enough lets a wrong mesh pass.
   */
  unresolvable?: boolean;
  /** The sequential design that ran: its rule, the sample count at each look taken, the planned looks and budget. */
  design?: { rule: "interval" | "sprt"; looksTaken: number[]; plannedLooks: number; budget: number };
  unit?: string;
  /** Evidence files (relative to the run folder) the verdict relied on. */
  evidence: string[];
}

/** Exit codes of the CLI contract (DESIGN section 7), defined in a module that imports nothing. */
export { EXIT };

/** The run's exit code: any fail wins, then any inconclusive; unsupported counts as pass. */
export function exitCodeFor(verdicts: readonly Pick<Verdict, "status">[]): number {
  if (verdicts.some((v) => v.status === "fail")) return EXIT.checkFailed;
  if (verdicts.some((v) => v.status === "inconclusive")) return EXIT.inconclusive;
  return EXIT.ok;
}
