/**
 * Differences between groups of runs (last night against tonight, before against after an
 * upgrade): per mesh, scenario and load step, the change of p50 and p99 of each latency metric
 * and of the error rate, with intervals; and every check whose verdict got worse. The first
 * group is the reference; each later group is compared with it.
 *
 * A change is a regression when its whole interval lies beyond a practical margin in the bad
 * direction (slower, more errors), or when a check that passed now fails. The intervals hold
 * jointly: the family-wise error probability is split evenly (Bonferroni) over every figure
 * compared, so comparing more figures does not raise the chance of a false alarm.
 */
import type { LatencySummary, LoadResult } from "../load/profile.js";
import { errorRateDifference, itlEffectiveShare, quantileDifference, type Difference } from "./differences.js";
import type { LatencyMetric } from "./format.js";
import type { RunResults } from "./results.js";

export interface RunGroup {
  /** What the reader calls this side: the folder name given, or the run id. */
  label: string;
  runs: RunResults[];
}

export interface GateOptions {
  /** Family-wise probability that two runs of one build are flagged anyway (request-level noise). */
  falseAlarm: number;
  /** A latency change must exceed this fraction of the reference value... */
  latencyMargin: number;
  /** ...and this many milliseconds. */
  latencyMarginMs: number;
  /** An error-rate change must exceed this many percentage points (as a fraction). */
  errorRateMargin: number;
}

export const DEFAULT_GATE: GateOptions = { falseAlarm: 0.01, latencyMargin: 0.05, latencyMarginMs: 1, errorRateMargin: 0.005 };

export type Figure = `${LatencyMetric} ${"p50" | "p99"}` | "error rate";

export interface FigureChange extends Difference {
  kind: "figure";
  reference: string;
  candidate: string;
  mesh: string;
  scenario: string;
  stepId: string;
  stepName: string;
  figure: Figure;
  unit: "ms" | "fraction";
  regression: boolean;
  /** The margin the interval had to clear. */
  margin: number;
}

export interface VerdictChange {
  kind: "verdict";
  reference: string;
  candidate: string;
  mesh: string;
  scenario: string;
  checkId: string;
  claim: string;
  before: string;
  after: string;
  regression: boolean;
}

export type Change = FigureChange | VerdictChange;

const GATED_QUANTILES = [
  { key: "p50", q: 0.5 },
  { key: "p99", q: 0.99 },
] as const;
const METRICS = ["e2e", "ttft", "itl"] as const satisfies readonly LatencyMetric[];
const STATUS_RANK: Record<string, number> = { pass: 0, unsupported: 0, inconclusive: 1, fail: 2, error: 2 };

interface StepLoads {
  mesh: string;
  scenario: string;
  stepId: string;
  stepName: string;
  loads: LoadResult[];
}

function stepLoads(runs: readonly RunResults[]): Map<string, StepLoads> {
  const out = new Map<string, StepLoads>();
  for (const run of runs) {
    for (const t of run.targets) {
      for (const sc of t.scenarios) {
        for (const step of sc.steps) {
          if (!step.load || step.kind === "converge" || step.load.requests === 0) continue;
          const key = [t.mesh, sc.name, step.id].join("\u0000");
          const entry = out.get(key) ?? { mesh: t.mesh, scenario: sc.name, stepId: step.id, stepName: step.name, loads: [] };
          entry.loads.push(step.load);
          out.set(key, entry);
        }
      }
    }
  }
  return out;
}

function verdictStatuses(runs: readonly RunResults[]): Map<string, { mesh: string; scenario: string; checkId: string; claim: string; statuses: string[] }> {
  const out = new Map<string, { mesh: string; scenario: string; checkId: string; claim: string; statuses: string[] }>();
  for (const run of runs) {
    for (const t of run.targets) {
      for (const sc of t.scenarios) {
        for (const v of sc.verdicts) {
          const key = [t.mesh, sc.name, v.checkId].join("\u0000");
          const entry = out.get(key) ?? { mesh: t.mesh, scenario: sc.name, checkId: v.checkId, claim: v.claim, statuses: [] };
          entry.statuses.push(v.status);
          out.set(key, entry);
        }
      }
    }
  }
  return out;
}

/** The worst status of a check over a group's runs. */
function worst(statuses: readonly string[]): string {
  return [...statuses].sort((a, b) => (STATUS_RANK[b] ?? 0) - (STATUS_RANK[a] ?? 0))[0] ?? "pass";
}

function summaries(loads: readonly LoadResult[], metric: LatencyMetric): LatencySummary[] {
  return loads.flatMap((l) => (l.latency[metric] ? [l.latency[metric]] : []));
}

/** Every figure pair the groups share, before the intervals are computed (to count them). */
function pairs(reference: RunGroup, candidate: RunGroup): { before: StepLoads; after: StepLoads }[] {
  const a = stepLoads(reference.runs);
  const b = stepLoads(candidate.runs);
  return [...b.entries()].flatMap(([key, after]) => {
    const before = a.get(key);
    return before ? [{ before, after }] : [];
  });
}

export function compareGroups(groups: readonly RunGroup[], opts: GateOptions = DEFAULT_GATE): Change[] {
  const [reference, ...candidates] = groups;
  if (!reference || candidates.length === 0) return [];
  const matched = candidates.map((c) => ({ candidate: c, pairs: pairs(reference, c) }));
  let figures = 0;
  for (const m of matched) {
    for (const { before, after } of m.pairs) {
      figures += 1;
      for (const metric of METRICS) if (summaries(before.loads, metric).length > 0 && summaries(after.loads, metric).length > 0) figures += GATED_QUANTILES.length;
    }
  }
  const confidence = 1 - opts.falseAlarm / Math.max(1, figures);
  const changes: Change[] = [];
  for (const { candidate, pairs: matchedPairs } of matched) {
    const base = { reference: reference.label, candidate: candidate.label };
    for (const { before, after } of matchedPairs) {
      const where = { mesh: after.mesh, scenario: after.scenario, stepId: after.stepId, stepName: after.stepName };
      for (const metric of METRICS) {
        const b = summaries(before.loads, metric);
        const a = summaries(after.loads, metric);
        if (b.length === 0 || a.length === 0) continue;
        const share =
          metric === "itl"
            ? { before: itlEffectiveShare(b, summaries(before.loads, "e2e")), after: itlEffectiveShare(a, summaries(after.loads, "e2e")) }
            : { before: 1, after: 1 };
        for (const { key, q } of GATED_QUANTILES) {
          const d = quantileDifference(b, a, q, confidence, share);
          const margin = Math.max(opts.latencyMarginMs, opts.latencyMargin * d.before);
          changes.push({ kind: "figure", ...base, ...where, ...d, figure: `${metric} ${key}`, unit: "ms", margin, regression: d.interval !== null && d.interval.low > margin });
        }
      }
      const sum = (loads: readonly LoadResult[]) => ({ requests: loads.reduce((s, l) => s + l.requests, 0), failed: loads.reduce((s, l) => s + l.failed, 0) });
      const d = errorRateDifference(sum(before.loads), sum(after.loads), confidence);
      changes.push({ kind: "figure", ...base, ...where, ...d, figure: "error rate", unit: "fraction", margin: opts.errorRateMargin, regression: d.interval !== null && d.interval.low > opts.errorRateMargin });
    }
    const beforeVerdicts = verdictStatuses(reference.runs);
    for (const [key, after] of verdictStatuses(candidate.runs)) {
      const before = beforeVerdicts.get(key);
      if (!before) continue;
      const was = worst(before.statuses);
      const now = worst(after.statuses);
      if (was === now) continue;
      changes.push({
        kind: "verdict",
        ...base,
        mesh: after.mesh,
        scenario: after.scenario,
        checkId: after.checkId,
        claim: after.claim,
        before: was,
        after: now,
        // A check that passed and now fails is a regression; inconclusive is reported, not gated.
        regression: was === "pass" && now === "fail",
      });
    }
  }
  return changes;
}

export function regressions(changes: readonly Change[]): Change[] {
  return changes.filter((c) => c.regression);
}
