/**
 * Export a run's results to a Prometheus Pushgateway, so nightly runs land on the same dashboards
 * as production metrics. One group per run, scenario and mesh (job `meshproof`); pushing the same
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

/** What a run exports; the lead's results record maps onto it. */
export interface PushableResults {
  runId: string;
  scenario: string;
  mesh: string;
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
  if (isNumber(results.achievedRps)) {
    new Gauge({ name: "meshproof_achieved_requests_per_second", help: "Request rate the load generator achieved", registers: [registry] }).set(results.achievedRps);
  }
  if (isNumber(results.offeredRps)) {
    new Gauge({ name: "meshproof_offered_requests_per_second", help: "Request rate the load profile offered", registers: [registry] }).set(results.offeredRps);
  }
  return registry;
}

/** The grouping key of a run's results on the Pushgateway. */
export function pushGrouping(results: Pick<PushableResults, "runId" | "scenario" | "mesh">): Record<string, string> {
  const grouping = { run_id: results.runId, scenario: results.scenario, mesh: results.mesh };
  for (const [key, value] of Object.entries(grouping)) {
    // The Pushgateway puts grouping labels in the URL path; an empty one makes a different group.
    if (!value) throw new Error(`cannot push results without a ${key}: give the run id, scenario and mesh`);
  }
  return grouping;
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
