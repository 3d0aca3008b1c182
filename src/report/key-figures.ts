/**
 * The figures an SRE compares first, per scenario, load step and mesh: p50/p99 of end-to-end
 * latency, TTFT and inter-token latency, output tokens per second, the error rate, and the
 * overhead against the no-mesh baseline of the same run with its interval. Picked once here so
 * report.md, report.html, the Pushgateway export and the SMP export state the same numbers.
 */
import type { LatencySummary } from "../load/profile.js";
import { errorRateDifference, quantileDifference, type Difference } from "./differences.js";
import type { LatencyMetric } from "./format.js";
import type { RunResults, StepRecord, TargetRecord } from "./results.js";
import { BASELINE_MESH as BASELINE } from "../mesh/registry.js";

export { BASELINE };

/** Confidence of the overhead intervals in the key-figures table. */
export const KEY_OVERHEAD_CONFIDENCE = 0.95;

export interface KeyFigures {
  scenario: string;
  stepId: string;
  stepName: string;
  mesh: string;
  meshVersion: string;
  requests: number;
  offeredRps: number;
  achievedRps: number;
  errorRate: number | null;
  latency: Partial<Record<LatencyMetric, { p50: number; p99: number; count: number }>>;
  /** Per-request output tokens per second (median over streamed requests). */
  tokensPerSecond?: { p50: number; mean: number; count: number };
  /** Against the baseline's same step in the same run; absent for the baseline or without one. */
  overhead?: {
    e2eP50?: Difference;
    e2eP99?: Difference;
    ttftP99?: Difference;
    errorRate?: Difference;
  };
  /** Which load-generator process sent the load: the meshed client pod, or one outside the mesh. */
  client: string;
}

const METRICS = ["e2e", "ttft", "itl"] as const satisfies readonly LatencyMetric[];

function measuredSteps(target: TargetRecord): { scenario: string; step: StepRecord }[] {
  return target.scenarios.flatMap((sc) => sc.steps.flatMap((step) => (step.load && step.kind !== "converge" && step.load.requests > 0 ? [{ scenario: sc.name, step }] : [])));
}

/**
 * Who sent the load, as the run actually did it: on `--cluster local` a process on the host (no
 * proxy on the client side); on a cluster the loadgen pod, meshed unless the target is the
 * no-mesh baseline, or the outsider pod that the mesh does not enrol.
 */
export function clientLabel(cluster: string, mesh: string, client: string | undefined): string {
  if (cluster === "local") return "host process";
  if (client === "outsider") return "outsider pod (not meshed)";
  return mesh === BASELINE ? "loadgen pod (no mesh)" : "loadgen pod (meshed)";
}

function figures(target: TargetRecord, scenario: string, step: StepRecord, cluster: string): KeyFigures {
  const load = step.load!;
  const latency: KeyFigures["latency"] = {};
  for (const m of METRICS) {
    const s = load.latency[m];
    if (s && s.count > 0) latency[m] = { p50: s.p50, p99: s.p99, count: s.count };
  }
  const out: KeyFigures = {
    scenario,
    stepId: step.id,
    stepName: step.name,
    mesh: target.mesh,
    meshVersion: target.meshVersion,
    requests: load.requests,
    offeredRps: load.offeredRps,
    achievedRps: load.achievedRps,
    errorRate: load.requests > 0 ? load.failed / load.requests : null,
    latency,
    client: clientLabel(cluster, target.mesh, load.profile.client),
  };
  const tps = load.outputTokensPerSecond;
  if (tps && tps.count > 0) out.tokensPerSecond = { p50: tps.p50, mean: tps.mean, count: tps.count };
  return out;
}

function overheadOf(mesh: StepRecord, baseline: StepRecord): NonNullable<KeyFigures["overhead"]> {
  const m = mesh.load!;
  const b = baseline.load!;
  const one = (s: LatencySummary | undefined) => (s && s.count > 0 && s.hdr ? [s] : []);
  const out: NonNullable<KeyFigures["overhead"]> = {};
  if (one(m.latency.e2e).length && one(b.latency.e2e).length) {
    out.e2eP50 = quantileDifference([b.latency.e2e], [m.latency.e2e], 0.5, KEY_OVERHEAD_CONFIDENCE);
    out.e2eP99 = quantileDifference([b.latency.e2e], [m.latency.e2e], 0.99, KEY_OVERHEAD_CONFIDENCE);
  }
  if (one(m.latency.ttft).length && one(b.latency.ttft).length) out.ttftP99 = quantileDifference([b.latency.ttft!], [m.latency.ttft!], 0.99, KEY_OVERHEAD_CONFIDENCE);
  out.errorRate = errorRateDifference(b, m, KEY_OVERHEAD_CONFIDENCE);
  return out;
}

/** Key figures of every measured step of every mesh, the baseline last within each step. */
export function keyFigures(results: RunResults): KeyFigures[] {
  const baseline = results.targets.find((t) => t.mesh === BASELINE);
  const baselineSteps = new Map<string, StepRecord>();
  for (const { scenario, step } of baseline ? measuredSteps(baseline) : []) baselineSteps.set(`${scenario}\u0000${step.id}`, step);
  const rows: KeyFigures[] = [];
  for (const target of results.targets) {
    for (const { scenario, step } of measuredSteps(target)) {
      const row = figures(target, scenario, step, results.cluster.name);
      const base = baselineSteps.get(`${scenario}\u0000${step.id}`);
      if (base && target.mesh !== BASELINE) row.overhead = overheadOf(step, base);
      rows.push(row);
    }
  }
  const order = new Map<string, number>();
  rows.forEach((r) => order.has(`${r.scenario}\u0000${r.stepId}`) || order.set(`${r.scenario}\u0000${r.stepId}`, order.size));
  const meshRank = (m: string) => (m === BASELINE ? 1 : 0);
  return rows.sort((a, b) => order.get(`${a.scenario}\u0000${a.stepId}`)! - order.get(`${b.scenario}\u0000${b.stepId}`)! || meshRank(a.mesh) - meshRank(b.mesh));
}
