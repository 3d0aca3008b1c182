/**
 * conformance.yaml: one ConformanceReport document per mesh, shaped after Gateway API's
 * conformance reports (implementation, date, profiles with result and statistics, supported and
 * unsupported features) so people who read those read this. Our profiles are scenarios and our
 * features are intent kinds. Inconclusive has no Gateway API counterpart: it gets its own
 * statistic and list, and makes a profile `partial`, never `success`.
 */
import { Document, Scalar } from "yaml";
import type { Verdict } from "../analysis/verdict.js";
import type { RunResults, ScenarioRecord, TargetRecord } from "./results.js";

export const CONFORMANCE_API_VERSION = "meshproof.dev/v1alpha1";

export type ConformanceResult = "success" | "failure" | "partial";

export interface ConformanceStatistics {
  Passed: number;
  Failed: number;
  /** Checks the mesh could not express (verdict `unsupported`), as Gateway API counts skips. */
  Skipped: number;
  Inconclusive: number;
}

export interface ConformanceProfile {
  name: string;
  description: string;
  result: ConformanceResult;
  statistics: ConformanceStatistics;
  failedTests: string[];
  inconclusiveTests: string[];
  skippedTests: string[];
  supportedFeatures: string[];
  unsupportedFeatures: string[];
  /** Set when the scenario itself errored (its checks could not all run). */
  error?: string;
}

export interface ConformanceReport {
  apiVersion: typeof CONFORMANCE_API_VERSION;
  kind: "ConformanceReport";
  date: string;
  runId: string;
  meshproofVersion?: string;
  implementation: { project: string; version: string; routing: string };
  cluster: string;
  result: ConformanceResult;
  statistics: ConformanceStatistics;
  supportedFeatures: string[];
  unsupportedFeatures: string[];
  /** Each unsupported feature with the mesh's own reason. */
  unsupportedReasons: Record<string, string>;
  profiles: ConformanceProfile[];
}

function statistics(verdicts: readonly Verdict[]): ConformanceStatistics {
  const count = (s: Verdict["status"]) => verdicts.filter((v) => v.status === s).length;
  return { Passed: count("pass"), Failed: count("fail"), Skipped: count("unsupported"), Inconclusive: count("inconclusive") };
}

function resultOf(stats: ConformanceStatistics, errored: boolean): ConformanceResult {
  if (errored || stats.Failed > 0) return "failure";
  if (stats.Inconclusive > 0 || stats.Skipped > 0) return "partial";
  return "success";
}

/** Unsupported intent kinds of a scenario, with the first reason the mesh gave for each. */
function unsupportedIn(scenario: ScenarioRecord): Map<string, string> {
  const found = new Map<string, string>();
  for (const step of scenario.steps) {
    if (step.unsupported && !found.has(step.unsupported.intent)) found.set(step.unsupported.intent, step.unsupported.reason);
  }
  return found;
}

const sorted = (items: Iterable<string>) => [...new Set(items)].sort();

function profileOf(scenario: ScenarioRecord): ConformanceProfile {
  const stats = statistics(scenario.verdicts);
  const unsupported = unsupportedIn(scenario);
  const ids = (status: Verdict["status"]) => scenario.verdicts.filter((v) => v.status === status).map((v) => v.checkId);
  const errored = scenario.status === "error";
  const error = errored ? scenario.steps.find((s) => s.error)?.error ?? "the scenario ended with an error" : undefined;
  return {
    name: scenario.name,
    description: scenario.description,
    result: resultOf(stats, errored),
    statistics: stats,
    failedTests: ids("fail"),
    inconclusiveTests: ids("inconclusive"),
    skippedTests: ids("unsupported"),
    // Features the scenario exercised that the mesh expressed; only known when the run recorded
    // the scenario's intent kinds.
    supportedFeatures: sorted((scenario.requires ?? []).filter((k) => !unsupported.has(k))),
    unsupportedFeatures: sorted(unsupported.keys()),
    ...(error !== undefined ? { error } : {}),
  };
}

export function conformanceReports(results: RunResults): ConformanceReport[] {
  return results.targets.map((target) => targetReport(results, target));
}

function targetReport(results: RunResults, target: TargetRecord): ConformanceReport {
  const profiles = target.scenarios.map(profileOf);
  const reasons = new Map<string, string>();
  for (const scenario of target.scenarios) for (const [k, r] of unsupportedIn(scenario)) if (!reasons.has(k)) reasons.set(k, r);
  const unsupported = sorted(reasons.keys());
  const stats = statistics(target.scenarios.flatMap((s) => s.verdicts));
  const anyFailure = profiles.some((p) => p.result === "failure");
  const meshproofVersion = results.versions["meshproof"];
  return {
    apiVersion: CONFORMANCE_API_VERSION,
    kind: "ConformanceReport",
    date: results.startedAt,
    runId: results.runId,
    ...(meshproofVersion ? { meshproofVersion } : {}),
    implementation: { project: target.mesh, version: target.meshVersion, routing: target.routing },
    cluster: results.cluster.description,
    result: anyFailure ? "failure" : resultOf(stats, false),
    statistics: stats,
    supportedFeatures: sorted(profiles.flatMap((p) => p.supportedFeatures).filter((k) => !reasons.has(k))),
    unsupportedFeatures: unsupported,
    unsupportedReasons: Object.fromEntries(unsupported.map((k) => [k, reasons.get(k) as string])),
    profiles,
  };
}

/** Multi-document YAML, one ConformanceReport per mesh, in run order. */
export function renderConformance(results: RunResults): string {
  const reports = conformanceReports(results);
  if (reports.length === 0) return "";
  return reports.map((r) => `---\n${documentOf(r).toString({ lineWidth: 0 })}`).join("");
}

/**
 * The date is quoted, as in Gateway API's reports: YAML 1.1 readers (PyYAML, Go's yaml.v2)
 * would otherwise turn it into a timestamp object rather than the string that was written.
 */
function documentOf(report: ConformanceReport): Document {
  const doc = new Document(report);
  const date = doc.get("date", true);
  if (date instanceof Scalar) date.type = Scalar.QUOTE_DOUBLE;
  return doc;
}
