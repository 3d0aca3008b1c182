/** The report module's public surface: the results contract, the reporters and compare. */
export * from "./results.js";
export { renderMarkdown } from "./markdown.js";
export { renderHtml } from "./html.js";
export { renderJunit } from "./junit.js";
export {
  renderConformance,
  conformanceReports,
  CONFORMANCE_API_VERSION,
  type ConformanceReport,
  type ConformanceProfile,
  type ConformanceResult,
  type ConformanceStatistics,
} from "./conformance.js";
export { writeReports, REPORT_FILES } from "./write.js";
export { loadResults, findResultsFiles } from "./load-results.js";
export {
  compareRuns,
  BASELINE_MESH,
  type Comparison,
  type ComparisonColumn,
  type LoadedRun,
  type CheckComparison,
  type VerdictCell,
  type StepComparison,
  type StepColumnCell,
  type QuantileCell,
  type OverheadCell,
  type CapabilityComparison,
  type CapabilityCell,
} from "./compare.js";
export { renderComparisonMarkdown } from "./compare-markdown.js";
export { compareGroups, regressions, DEFAULT_GATE, type Change, type FigureChange, type VerdictChange, type GateOptions, type RunGroup } from "./gate.js";
export { changeText } from "./compare-cells.js";
export { renderComparisonHtml } from "./compare-html.js";
export { writeComparison, compareCommand, defaultComparisonDir, COMPARISON_FILES, type CompareCommandResult, type CompareCommandOptions } from "./compare-write.js";
export { exitCodeMeaning, statusText, EXIT_LEGEND } from "./format.js";
export { pushRun, pushables } from "./push.js";
export { keyFigures, type KeyFigures } from "./key-figures.js";
export { RunResultsSchema, resultsJsonSchema } from "./results-schema.js";
export { smpResults, type SmpPerformanceResult } from "./smp.js";
