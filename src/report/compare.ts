/**
 * Istio vs Linkerd vs the no-mesh baseline, side by side: each check's verdicts per mesh, each
 * benchmark step's latency quantiles per mesh with the overhead against the baseline, and what
 * each mesh can express. Runs of the same mesh and version are repeats and are pooled; the
 * same mesh at two versions (pre-upgrade validation) gets two columns.
 */
import { mergeSummaries } from "../analysis/hdr.js";
import { quantileOverhead } from "../analysis/overhead.js";
import { itlEffectiveShare, quantileDifference } from "./differences.js";
import type { VerdictStatus } from "../analysis/verdict.js";
import type { LatencySummary, LoadResult } from "../load/profile.js";
import type { Support } from "../mesh/driver.js";
import { INTENT_KINDS } from "../mesh/intent.js";
import { BASELINE_MESH, MESHES } from "../mesh/registry.js";
import { QUANTILES, type LatencyMetric, type QuantileKey } from "./format.js";
import type { RunResults, TargetRecord } from "./results.js";
import { meshLabel } from "./sections.js";
import type { Change } from "./gate.js";

export interface LoadedRun {
  /** Where the results.json was read from; shown in the comparison so a reader can open it. */
  path: string;
  results: RunResults;
  /**
   * The side this run belongs to when several are compared (each folder given to compare is one
   * side: last night, tonight). Columns are then per side and mesh, never pooled across sides.
   */
  group?: string;
}

export interface ComparisonColumn {
  /** "istio", "istio 1.29.2" when one comparison holds two versions of the same mesh, "istio @ tonight" with sides. */
  key: string;
  /** The side (see LoadedRun.group), when there are several. */
  group?: string;
  mesh: string;
  meshVersion: string;
  /** Run ids pooled in this column. */
  runIds: string[];
  counts: Record<VerdictStatus, number>;
}

export interface VerdictCell {
  runId: string;
  status: VerdictStatus;
  observed?: number;
  expected?: number;
  unit?: string;
  reason: string;
}

export interface CheckComparison {
  scenario: string;
  checkId: string;
  claim: string;
  /** Column key -> that column's verdicts, one per run. */
  byColumn: Record<string, VerdictCell[]>;
}

export interface QuantileCell {
  /** Samples pooled across the column's runs. */
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  /** How repeats were pooled: exact HDR merge, or (without histograms) the mean of the runs' quantiles. */
  pooled: "single run" | "merged histograms" | "mean of runs";
}

export interface OverheadCell {
  quantile: QuantileKey;
  meshMs: number;
  baselineMs: number;
  diffMs: number;
  relative: number | null;
  /** Bootstrap interval of diffMs over repeated runs; null with a single run per side. */
  interval: { low: number; high: number; confidence: number } | null;
  note?: string;
}

export interface StepColumnCell {
  runs: number;
  offeredRps: number;
  achievedRps: number;
  /** Failed requests over all requests of the column's runs; null when none were sent. */
  errorRate: number | null;
  latency: Partial<Record<LatencyMetric, QuantileCell>>;
  /** Against the baseline column; absent for the baseline itself or when there is none. */
  overhead?: Partial<Record<LatencyMetric, OverheadCell[]>>;
}

export interface StepComparison {
  scenario: string;
  stepId: string;
  stepName: string;
  byColumn: Record<string, StepColumnCell>;
}

export interface CapabilityCell {
  support: Support | "not recorded";
  note: string;
  /** Reasons recorded by runs where the mesh could not express (part of) the intent. */
  gaps: string[];
}

export interface CapabilityComparison {
  intent: string;
  byColumn: Record<string, CapabilityCell>;
}

export interface Comparison {
  createdAt: string;
  runs: { path: string; runId: string; name: string; startedAt: string; meshes: string[] }[];
  columns: ComparisonColumn[];
  /** Key of the no-mesh column overheads are measured against; null when no baseline run was given. */
  baseline: string | null;
  checks: CheckComparison[];
  steps: StepComparison[];
  capabilities: CapabilityComparison[];
  /** With two or more sides: what changed from the first side to each later one (see gate.ts). */
  changes?: Change[];
}

export { BASELINE_MESH };

/** Columns in the registry's order (istio, linkerd, then the baseline); meshes it does not know last. */
const MESH_ORDER = MESHES.names;

const METRICS = ["e2e", "ttft", "itl"] as const satisfies readonly LatencyMetric[];

function meshRank(mesh: string): number {
  const i = MESH_ORDER.indexOf(mesh);
  return i === -1 ? MESH_ORDER.length : i;
}

/** Column key of a target: the mesh alone unless the comparison holds several of its versions. */
function columnKeyer(runs: readonly LoadedRun[]): (t: Pick<TargetRecord, "mesh" | "meshVersion">, group?: string) => string {
  const versions = new Map<string, Set<string>>();
  for (const { results } of runs) {
    for (const t of results.targets) {
      const set = versions.get(t.mesh) ?? new Set<string>();
      set.add(t.meshVersion);
      versions.set(t.mesh, set);
    }
  }
  const sides = new Set(runs.map((r) => r.group ?? ""));
  return (t, group) => {
    const mesh = (versions.get(t.mesh)?.size ?? 0) > 1 ? meshLabel(t) : t.mesh;
    return sides.size > 1 && group ? `${mesh} @ ${group}` : mesh;
  };
}

function emptyCounts(): Record<VerdictStatus, number> {
  return { pass: 0, fail: 0, inconclusive: 0, unsupported: 0 };
}

/**
 * Line the runs up. Accepts bare results (path unknown) or loaded runs; every run's targets
 * become columns, keyed by mesh (and version when needed).
 */
export function compareRuns(input: readonly (RunResults | LoadedRun)[], now: Date = new Date()): Comparison {
  const runs: LoadedRun[] = input.map((r) => ("results" in r ? r : { path: "", results: r }));
  const keyOf = columnKeyer(runs);
  const columns = new Map<string, ComparisonColumn>();
  const checks = new Map<string, CheckComparison>();
  const stepLoads = new Map<string, { scenario: string; stepId: string; stepName: string; byColumn: Map<string, LoadResult[]> }>();
  const gaps = new Map<string, Map<string, Set<string>>>();
  const tables = new Map<string, NonNullable<TargetRecord["capabilities"]>>();

  for (const { results, group } of runs) {
    for (const target of results.targets) {
      const key = keyOf(target, group);
      const column = columns.get(key) ?? { key, ...(group ? { group } : {}), mesh: target.mesh, meshVersion: target.meshVersion, runIds: [], counts: emptyCounts() };
      if (!column.runIds.includes(results.runId)) column.runIds.push(results.runId);
      columns.set(key, column);
      if (target.capabilities && !tables.has(key)) tables.set(key, target.capabilities);

      for (const scenario of target.scenarios) {
        for (const v of scenario.verdicts) {
          column.counts[v.status] += 1;
          const checkKey = `${scenario.name}\u0000${v.checkId}`;
          const row = checks.get(checkKey) ?? { scenario: scenario.name, checkId: v.checkId, claim: v.claim, byColumn: {} };
          const cell: VerdictCell = { runId: results.runId, status: v.status, reason: v.reason };
          if (v.observed !== undefined) cell.observed = v.observed;
          if (v.expected !== undefined) cell.expected = v.expected;
          if (v.unit !== undefined) cell.unit = v.unit;
          (row.byColumn[key] ??= []).push(cell);
          checks.set(checkKey, row);
        }
        for (const step of scenario.steps) {
          if (step.unsupported) {
            const byColumn = gaps.get(step.unsupported.intent) ?? new Map<string, Set<string>>();
            const reasons = byColumn.get(key) ?? new Set<string>();
            reasons.add(step.unsupported.reason);
            byColumn.set(key, reasons);
            gaps.set(step.unsupported.intent, byColumn);
          }
          // Convergence probes are evidence for convergence, not benchmarks: leave them out.
          if (!step.load || step.kind === "converge") continue;
          const stepKey = `${scenario.name}\u0000${step.id}`;
          const row = stepLoads.get(stepKey) ?? { scenario: scenario.name, stepId: step.id, stepName: step.name, byColumn: new Map<string, LoadResult[]>() };
          const loads = row.byColumn.get(key) ?? [];
          loads.push(step.load);
          row.byColumn.set(key, loads);
          stepLoads.set(stepKey, row);
        }
      }
    }
  }

  const sideOrder = [...new Set(runs.map((r) => r.group ?? ""))];
  const orderedColumns = [...columns.values()].sort(
    (a, b) => sideOrder.indexOf(a.group ?? "") - sideOrder.indexOf(b.group ?? "") || meshRank(a.mesh) - meshRank(b.mesh) || a.key.localeCompare(b.key),
  );
  const baselineColumns = orderedColumns.filter((c) => c.mesh === BASELINE_MESH);
  const baseline = baselineColumns[0]?.key ?? null;
  // Each side's meshes are measured against that side's own baseline.
  const baselineOf = (column: ComparisonColumn) => baselineColumns.find((b) => b.group === column.group)?.key ?? (column.group === undefined ? baseline : null);

  const steps: StepComparison[] = [...stepLoads.values()].map((row) => {
    const byColumn: Record<string, StepColumnCell> = {};
    for (const column of orderedColumns) {
      const loads = row.byColumn.get(column.key);
      if (!loads) continue;
      const cell = stepCell(loads);
      const baselineKey = baselineOf(column);
      const baselineLoads = baselineKey ? row.byColumn.get(baselineKey) : undefined;
      if (baselineLoads && column.key !== baselineKey) cell.overhead = overheadAgainst(loads, baselineLoads);
      byColumn[column.key] = cell;
    }
    return { scenario: row.scenario, stepId: row.stepId, stepName: row.stepName, byColumn };
  });

  return {
    createdAt: now.toISOString(),
    runs: runs.map(({ path, results, group }) => ({
      path,
      runId: results.runId,
      name: results.name,
      startedAt: results.startedAt,
      meshes: results.targets.map((t) => keyOf(t, group)),
    })),
    columns: orderedColumns,
    baseline,
    checks: [...checks.values()],
    steps,
    capabilities: capabilityRows(orderedColumns, tables, gaps),
  };
}

function pooled(summaries: readonly LatencySummary[]): QuantileCell {
  const samples = summaries.reduce((sum, s) => sum + s.count, 0);
  const only = summaries[0];
  if (summaries.length === 1 && only) return { samples, p50: only.p50, p90: only.p90, p99: only.p99, p999: only.p999, pooled: "single run" };
  if (summaries.every((s) => s.hdr)) {
    const merged = mergeSummaries(summaries);
    return { samples, p50: merged.p50, p90: merged.p90, p99: merged.p99, p999: merged.p999, pooled: "merged histograms" };
  }
  const mean = (k: QuantileKey) => summaries.reduce((sum, s) => sum + s[k], 0) / summaries.length;
  return { samples, p50: mean("p50"), p90: mean("p90"), p99: mean("p99"), p999: mean("p999"), pooled: "mean of runs" };
}

function stepCell(loads: readonly LoadResult[]): StepColumnCell {
  const requests = loads.reduce((sum, l) => sum + l.requests, 0);
  const failed = loads.reduce((sum, l) => sum + l.failed, 0);
  const latency: StepColumnCell["latency"] = {};
  for (const metric of METRICS) {
    const summaries = loads.flatMap((l) => (l.latency[metric] ? [l.latency[metric]] : []));
    if (summaries.length === loads.length && summaries.length > 0) latency[metric] = pooled(summaries);
  }
  return {
    runs: loads.length,
    offeredRps: loads.reduce((sum, l) => sum + l.offeredRps, 0) / loads.length,
    achievedRps: loads.reduce((sum, l) => sum + l.achievedRps, 0) / loads.length,
    errorRate: requests > 0 ? failed / requests : null,
    latency,
  };
}

const SINGLE_RUN_NOTE =
  "with one run on a side the interval comes from order statistics of each side's requests: it leaves out run-to-run variation; repeat the benchmark (5 or more runs per mesh) for a bootstrap over runs";
const OVERHEAD_CONFIDENCE = 0.95;

function e2eOf(loads: readonly LoadResult[]): LatencySummary[] {
  return loads.map((l) => l.latency.e2e);
}
const NO_HISTOGRAM_NOTE = "the runs carry no latency histograms, so this is the plain difference of their quantiles, without an interval";

/**
 * Overhead per quantile. With repeated runs on both sides, the analysis module's bootstrap over
 * runs gives the interval. With a single run on a side, order statistics of each side's requests
 * give one (differences.ts); without histograms only the difference of the runs' quantiles is known.
 */
function overheadAgainst(mesh: readonly LoadResult[], baseline: readonly LoadResult[]): Partial<Record<LatencyMetric, OverheadCell[]>> {
  const result: Partial<Record<LatencyMetric, OverheadCell[]>> = {};
  for (const metric of METRICS) {
    const m = mesh.flatMap((l) => (l.latency[metric] ? [l.latency[metric]] : []));
    const b = baseline.flatMap((l) => (l.latency[metric] ? [l.latency[metric]] : []));
    if (m.length === 0 || b.length === 0) continue;
    const withHistograms = m.every((s) => s.hdr && s.count > 0) && b.every((s) => s.hdr && s.count > 0);
    const repeated = m.length > 1 && b.length > 1;
    result[metric] = QUANTILES.map(({ key, q }) => {
      if (withHistograms && repeated) {
        const o = quantileOverhead(m, b, q);
        return { quantile: key, meshMs: o.meshMs, baselineMs: o.baselineMs, diffMs: o.diffMs, relative: o.relative, interval: o.interval, ...(o.note ? { note: o.note } : {}) };
      }
      if (withHistograms) {
        const share = metric === "itl" ? { before: itlEffectiveShare(b, e2eOf(baseline)), after: itlEffectiveShare(m, e2eOf(mesh)) } : undefined;
        const d = quantileDifference(b, m, q, OVERHEAD_CONFIDENCE, share);
        return { quantile: key, meshMs: d.after, baselineMs: d.before, diffMs: d.diff, relative: d.before > 0 ? d.diff / d.before : null, interval: d.interval, note: SINGLE_RUN_NOTE };
      }
      const meshMs = pooled(m)[key];
      const baselineMs = pooled(b)[key];
      const diffMs = meshMs - baselineMs;
      return {
        quantile: key,
        meshMs,
        baselineMs,
        diffMs,
        relative: baselineMs > 0 ? diffMs / baselineMs : null,
        interval: null,
        note: NO_HISTOGRAM_NOTE,
      };
    });
  }
  return result;
}

function capabilityRows(
  columns: readonly ComparisonColumn[],
  tables: ReadonlyMap<string, NonNullable<TargetRecord["capabilities"]>>,
  gaps: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>,
): CapabilityComparison[] {
  // With a capability table every intent kind has a row; without, only those a run found missing.
  const intents: string[] = tables.size > 0 ? [...INTENT_KINDS] : [];
  for (const intent of gaps.keys()) if (!intents.includes(intent)) intents.push(intent);
  return intents.map((intent) => {
    const byColumn: Record<string, CapabilityCell> = {};
    for (const column of columns) {
      const entry = (tables.get(column.key) as Record<string, { support: Support; note: string }> | undefined)?.[intent];
      const recorded = [...(gaps.get(intent)?.get(column.key) ?? [])];
      if (entry) byColumn[column.key] = { support: entry.support, note: entry.note, gaps: recorded };
      else if (recorded.length > 0) byColumn[column.key] = { support: "unsupported", note: recorded[0] as string, gaps: recorded };
      else byColumn[column.key] = { support: "not recorded", note: "", gaps: [] };
    }
    return { intent, byColumn };
  });
}
