/** The analysis module's public surface: statistics that make verdicts sharp and honest. */
export * from "./verdict.js";
export * from "./hdr.js";
export { wilsonInterval, clopperPearsonInterval, decideLook, type Interval, type Band, type LookLevels, type LookDecision } from "./proportion.js";
export {
  planProportion,
  planLatency,
  planLatencyShare,
  planCheck,
  budgetResolves,
  secondsFor,
  normalApproxSampleSize,
  DEFAULT_LOOKS,
  UNDECIDED_TARGET,
  PLANNING_LIMIT,
  LATENCY_FALSE_FAILURE,
  LATENCY_FALSE_PASS,
  type ProportionPlan,
  type LatencyPlan,
  type CheckPlan,
  type PlanOptions,
  type OperatingSummary,
} from "./planner.js";
export { operatingCharacteristics, type OperatingCharacteristics, type SequentialDesign } from "./sequential.js";
export { startEvaluation, evaluateWindow, matchesSelector, type Evaluation, type Observations } from "./checks.js";
export {
  ConvergenceTracker,
  type ConvergenceState,
  type ConvergenceDiagnosis,
  type ConvergenceMiss,
  type ConvergenceReport,
  type ConvergenceOptions,
} from "./convergence.js";
export { quantileOverhead, pairedQuantileOverhead, pairedBucketsOverhead, MIN_RUNS_FOR_INTERVAL, type QuantileOverhead, type PairedOverhead, type RunPair, type BucketPair, type OverheadOptions } from "./overhead.js";
export { goodput, meetsSlo, timePerOutputTokenMs, type Goodput, type GoodputSlo, type RequestTiming } from "./goodput.js";
export { loadPlanCache, savePlanCache } from "./plan-cache.js";
export { independenceVerdicts, betweenBatchDispersion, chiSquareSurvival, DISPERSION_ALPHA, type DispersionTest } from "./dispersion.js";
