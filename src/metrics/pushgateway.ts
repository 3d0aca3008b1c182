/**
 * Export a run's results to a Prometheus Pushgateway, so nightly runs land on the same dashboards
 * as production metrics (dashboards/meshproof.json charts them). One group per run, scenario,
 * mesh and version (job `meshproof`); pushing the same
 * group again replaces it (HTTP PUT), so a re-run of a report never double counts.
 * Pushgateway grouping keys: https://github.com/prometheus/pushgateway#url
 */
import { Gauge, Pushgateway, Registry } from "prom-client";
import type { Verdict, VerdictStatus } from "../analysis/verdict.js";
import type { LatencySummary } from "../load/profile.js";

export const PUSH_JOB = "meshproof";
const PUSH_TIMEOUT_MS = 10_000;
const VERDICT_STATUSES: readonly VerdictStatus[] = ["pass", "fail", "inconclusive", "unsupported"];
const QUANTILES = [
  ["0.5", "p50"],
  ["0.9", "p90"],
  ["0.99", "p99"],
  ["0.999", "p999"],
] as const satisfies readonly (readonly [string, keyof LatencySummary])[];

export type LatencyMetricName = "e2e" | "ttft" | "itl";

/** Key figures of one load step (see src/report/key-figures.ts), exported per step. */
export interface PushableStep {
  step: string;
  latency: Partial<Record<LatencyMetricName, { p50: number; p99: number }>>;
  errorRate?: number;
  tokensPerSecondP50?: number;
  achievedRps?: number;
  /** p99 end-to-end latency against the no-mesh baseline, with its interval. */
  overheadE2eP99?: { estimate: number; low?: number; high?: number };
}

/** What a run exports: one group per run, scenario and mesh (src/report/push.ts maps results.json onto it). */
export interface PushableResults {
  runId: string;
  scenario: string;
  mesh: string;
  /** The mesh's version as the run recorded it ("n/a" for the baseline). */
  meshVersion?: string;
  /** The run's exit code, so a dashboard can show the night's outcome. */
  exitCode?: number;
  steps?: PushableStep[];
  verdicts: Pick<Verdict, "checkId" | "status" | "observed" | "expected" | "unit" | "sampleSize">[];
  /** Latency summaries of the run's load, by what was timed. */
  latency?: Partial<Record<LatencyMetricName, Pick<LatencySummary, "count" | "p50" | "p90" | "p99" | "p999">>>;
  achievedRps?: number;
  offeredRps?: number;
}

/** Build the registry of gauges for one run; exported for tests and for a /metrics endpoint. */
export function resultsRegistry(results: PushableResults): Registry {
  const registry = new Registry();
  const verdict = new Gauge({
    name: "meshproof_check_verdict",
    help: "1 for the check's verdict status, 0 for the other statuses (one series per status)",
    labelNames: ["check_id", "status"] as const,
    registers: [registry],
  });
  const observed = new Gauge({
    name: "meshproof_check_observed",
    help: "Value the check observed, in the unit named by the unit label",
    labelNames: ["check_id", "unit"] as const,
    registers: [registry],
  });
  const expected = new Gauge({
    name: "meshproof_check_expected",
    help: "Value the check expected, in the unit named by the unit label",
    labelNames: ["check_id", "unit"] as const,
    registers: [registry],
  });
  const samples = new Gauge({
    name: "meshproof_check_sample_size",
    help: "Requests the check's verdict rests on",
    labelNames: ["check_id"] as const,
    registers: [registry],
  });
  const latency = new Gauge({
    name: "meshproof_latency_milliseconds",
    help: "Latency quantiles of the run's load, from HDR histograms",
    labelNames: ["metric", "quantile"] as const,
    registers: [registry],
  });
  const latencyCount = new Gauge({
    name: "meshproof_latency_samples",
    help: "Requests (or inter-token gaps) the latency quantiles summarise",
    labelNames: ["metric"] as const,
    registers: [registry],
  });

  for (const v of results.verdicts) {
    // One-hot over every status (as kube-state-metrics does), so a dashboard can sum by status.
    for (const status of VERDICT_STATUSES) verdict.set({ check_id: v.checkId, status }, v.status === status ? 1 : 0);
    const unit = v.unit ?? "";
    if (isNumber(v.observed)) observed.set({ check_id: v.checkId, unit }, v.observed);
    if (isNumber(v.expected)) expected.set({ check_id: v.checkId, unit }, v.expected);
    if (isNumber(v.sampleSize)) samples.set({ check_id: v.checkId }, v.sampleSize);
  }
  for (const [metric, summary] of Object.entries(results.latency ?? {})) {
    if (!summary || summary.count === 0) continue;
    latencyCount.set({ metric }, summary.count);
    for (const [quantile, field] of QUANTILES) latency.set({ metric, quantile }, summary[field]);
  }
  if (results.steps && results.steps.length > 0) {
    const stepLatency = new Gauge({
      name: "meshproof_step_latency_milliseconds",
      help: "Key latency quantiles of a load step (HDR histograms of every request it sent)",
      labelNames: ["step", "metric", "quantile"] as const,
      registers: [registry],
    });
    const errors = new Gauge({ name: "meshproof_step_error_ratio", help: "Failed requests over requests sent in a load step", labelNames: ["step"] as const, registers: [registry] });
    const tokens = new Gauge({
      name: "meshproof_step_output_tokens_per_second",
      help: "Median over streamed requests of each request's output tokens per second (tokens/s)",
      labelNames: ["step"] as const,
      registers: [registry],
    });
    const achieved = new Gauge({ name: "meshproof_step_achieved_requests_per_second", help: "Request rate a load step achieved", labelNames: ["step"] as const, registers: [registry] });
    const overhead = new Gauge({
      name: "meshproof_step_overhead_milliseconds",
      help: "p99 end-to-end latency minus the no-mesh baseline's, same step and run; bound = estimate, low or high (95% interval)",
      labelNames: ["step", "metric", "quantile", "bound"] as const,
      registers: [registry],
    });
    for (const st of results.steps) {
      for (const [metric, q] of Object.entries(st.latency)) {
        if (!q) continue;
        stepLatency.set({ step: st.step, metric, quantile: "0.5" }, q.p50);
        stepLatency.set({ step: st.step, metric, quantile: "0.99" }, q.p99);
      }
      if (isNumber(st.errorRate)) errors.set({ step: st.step }, st.errorRate);
      if (isNumber(st.tokensPerSecondP50)) tokens.set({ step: st.step }, st.tokensPerSecondP50);
      if (isNumber(st.achievedRps)) achieved.set({ step: st.step }, st.achievedRps);
      const o = st.overheadE2eP99;
      if (o) {
        for (const [bound, value] of [["estimate", o.estimate], ["low", o.low], ["high", o.high]] as const) {
          if (isNumber(value)) overhead.set({ step: st.step, metric: "e2e", quantile: "0.99", bound }, value);
        }
      }
    }
  }
  if (isNumber(results.exitCode)) {
    new Gauge({ name: "meshproof_run_exit_code", help: "Exit code of the run (0 pass, 1 a check failed, 3 inconclusive, 130 interrupted)", registers: [registry] }).set(results.exitCode);
  }
  if (isNumber(results.achievedRps)) {
    new Gauge({ name: "meshproof_achieved_requests_per_second", help: "Request rate the load generator achieved", registers: [registry] }).set(results.achievedRps);
  }
  if (isNumber(results.offeredRps)) {
    new Gauge({ name: "meshproof_offered_requests_per_second", help: "Request rate the load profile offered", registers: [registry] }).set(results.offeredRps);
  }
  return registry;
}

/** The grouping key of a run's results on the Pushgateway. */
export function pushGrouping(results: Pick<PushableResults, "runId" | "scenario" | "mesh" | "meshVersion">): Record<string, string> {
  const grouping: Record<string, string> = { run_id: results.runId, scenario: results.scenario, mesh: results.mesh };
  for (const [key, value] of Object.entries(grouping)) {
    // The Pushgateway puts grouping labels in the URL path; an empty one makes a different group.
    if (!value) throw new Error(`cannot push results without a ${key}: give the run id, scenario and mesh`);
  }
  // Part of the group, so every series carries the version and an upgrade shows as a new line.
  if (results.meshVersion) grouping["version"] = results.meshVersion;
  return pathSafe(grouping);
}

/**
 * Grouping labels travel as URL path segments: a value with a "/" ("n/a", a version like
 * "release/1.2") would split the path, and the Pushgateway rejects it. Its documented escape is
 * the label name suffixed "@base64" with the value in URL-safe base64.
 */
function pathSafe(grouping: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(grouping)) {
    if (/[/%?#]/.test(value)) out[`${key}@base64`] = Buffer.from(value, "utf8").toString("base64url");
    else out[key] = value;
  }
  return out;
}

export async function pushResults(url: string, results: PushableResults): Promise<void> {
  const groupings = pushGrouping(results);
  const gateway = new Pushgateway(url, { timeout: PUSH_TIMEOUT_MS }, resultsRegistry(results));
  try {
    await gateway.push({ jobName: PUSH_JOB, groupings });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `pushing results of run ${results.runId} (${results.scenario} on ${results.mesh}) to the Pushgateway at ${url} failed: ${reason}. ` +
        "Check the URL (the Pushgateway's base URL, e.g. http://pushgateway:9091) and that it is reachable; the run's own report files are unaffected.",
    );
  }
}

function isNumber(x: number | undefined): x is number {
  return typeof x === "number" && Number.isFinite(x);
}
