/**
 * Load: profiles (what to offer), the k6 driver (host binary or exec in the meshed loadgen
 * pod) and the parsing of k6's output into LoadResults.
 */
export { LoadProfile } from "./profile.js";
export type { LatencySummary, LoadProfileInput, LoadResult, OutcomeCount } from "./profile.js";
export {
  k6Argv,
  k6OutputNames,
  K6_SCRIPT,
  K6_SCRIPT_DIR,
  K6_SCRIPT_MODULES,
  POD_SCRIPT_DIR,
  runK6,
} from "./k6.js";
export type { K6ArgvOptions, K6Command, K6Invocation, K6Runner, RunK6Options } from "./k6.js";
export { K6RunError } from "./errors.js";
export { K6OutputAccumulator, K6_METRICS, parseK6Output } from "./ndjson.js";
export { offeredRps, scheduledRequests, scheduledSeconds } from "./schedule.js";

/** The loadgen image (tools/k6/Dockerfile): k6 v1.8.1 with llmstream, scripts in /scripts. */
export const K6_IMAGE = "meshproof/k6:v1.8.1";
