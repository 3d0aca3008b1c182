/**
 * Benchmark results in the fields of the Service Mesh Performance specification's
 * PerformanceTestResult (protos/service_mesh_performance.proto of
 * github.com/service-mesh-performance/service-mesh-performance; proto3 JSON field names):
 * one result per mesh and load step, latencies in ms, the achieved rate as actual_QPS. What SMP
 * has no field for (TTFT, inter-token latency, error rate, tokens/s, the overhead's interval)
 * goes into `labels`, which SMP defines as free string pairs.
 */
import { keyFigures } from "./key-figures.js";
import type { RunResults } from "./results.js";

/** Which message these objects follow; the spec's proto carries no version constant to copy. */
export const SMP_MESSAGE = "smp.PerformanceTestResult (protos/service_mesh_performance.proto)";

export interface SmpPerformanceResult {
  smp_version: string;
  id: string;
  labels: Record<string, string>;
  start_time: string;
  end_time: string;
  latencies_ms: { min: number; average: number; p50: number; p90: number; p99: number; max: number };
  actual_QPS: number;
  details_uri: string;
  testId: string;
  meshConfigId: string;
  envId: string;
}

const fixed = (x: number | undefined, digits = 3) => (x === undefined || !Number.isFinite(x) ? "" : x.toFixed(digits));

export function smpResults(results: RunResults): SmpPerformanceResult[] {
  const rows = keyFigures(results);
  return results.targets.flatMap((t) =>
    t.scenarios.flatMap((sc) =>
      sc.steps.flatMap((step) => {
        const load = step.load;
        if (!load || step.kind === "converge" || load.requests === 0) return [];
        const key = rows.find((r) => r.mesh === t.mesh && r.scenario === sc.name && r.stepId === step.id);
        const e2e = load.latency.e2e;
        const labels: Record<string, string> = {
          mesh: t.mesh,
          mesh_version: t.meshVersion,
          scenario: sc.name,
          step: step.id,
          client: key?.client ?? load.profile.client ?? "meshed",
          offered_qps: fixed(load.offeredRps),
          requests: String(load.requests),
          error_rate: fixed(load.requests > 0 ? load.failed / load.requests : undefined, 6),
        };
        for (const [name, s] of [["ttft", load.latency.ttft], ["itl", load.latency.itl]] as const) {
          if (s && s.count > 0) {
            labels[`${name}_p50_ms`] = fixed(s.p50);
            labels[`${name}_p99_ms`] = fixed(s.p99);
          }
        }
        if (load.outputTokensPerSecond && load.outputTokensPerSecond.count > 0) labels["output_tokens_per_second_p50"] = fixed(load.outputTokensPerSecond.p50, 2);
        const o = key?.overhead?.e2eP99;
        if (o && Number.isFinite(o.diff)) {
          labels["overhead_e2e_p99_ms"] = fixed(o.diff);
          if (o.interval) labels["overhead_e2e_p99_interval_95_ms"] = `${fixed(o.interval.low)}..${fixed(o.interval.high)}`;
        }
        return [
          {
            smp_version: SMP_MESSAGE,
            id: `${results.runId}/${t.mesh}/${sc.name}/${step.id}`,
            labels,
            start_time: load.startedAt,
            end_time: load.endedAt,
            latencies_ms: { min: e2e.min, average: e2e.mean, p50: e2e.p50, p90: e2e.p90, p99: e2e.p99, max: e2e.max },
            actual_QPS: load.achievedRps,
            details_uri: "report.html",
            testId: results.runId,
            meshConfigId: `${t.mesh}-${t.meshVersion}-${t.routing}`,
            envId: results.cluster.description,
          },
        ];
      }),
    ),
  );
}
