/**
 * Load: profiles (what to offer), the engines that drive them (meshproof's own generator by
 * default, k6 for users who bring one; on the host or exec'd in the meshed loadgen pod), and the
 * reading of their output into LoadResults.
 */
export { LoadProfile } from "./profile.js";
export type { LatencySummary, LoadProfileInput, LoadResult, OutcomeCount } from "./profile.js";
export { DEFAULT_LOAD_ENGINE, ENGINE_TOOL, K6_IMAGE_VAR, LOAD_ENGINES, loadCommand, runLoad } from "./engine.js";
export type { LoadCommandPreview, LoadEngine, LoadOptions } from "./engine.js";
export {
  LOADGEN_GRACEFUL_STOP_SECONDS,
  LOADGEN_IMAGE,
  LOADGEN_POD_BINARY,
  LOADGEN_VERSION,
  loadgenArgv,
  loadgenOutputName,
  loadResultOf,
  runLoadgen,
} from "./loadgen.js";
export type { LoadgenArgvOptions, LoadgenInvocation, LoadgenSummary, LoadRunner, RunLoadgenOptions } from "./loadgen.js";
export { k6Argv, k6OutputNames, K6_SCRIPT_DIR, K6_SCRIPT_FOR_MODE, K6_SCRIPT_MODULES, POD_SCRIPT_DIR, runK6 } from "./k6.js";
export type { K6ArgvOptions, K6Invocation, K6Runner, RunK6Options } from "./k6.js";
export type { LoadCommand } from "./process.js";
export { LoadRunError } from "./errors.js";
export { K6OutputAccumulator, K6_METRICS, parseK6Output } from "./ndjson.js";
export { offeredRps, scheduledRequests, scheduledSeconds } from "./schedule.js";
