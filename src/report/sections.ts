/**
 * What each report section shows, picked out of the results once so the Markdown and HTML
 * reporters cannot disagree about which steps count as load, convergence or a gap.
 */
import type { Verdict, VerdictStatus } from "../analysis/verdict.js";
import type { LoadResult } from "../load/profile.js";
import type { ConvergenceRecord, MutantRunRecord, MutantStatus, RunResults, ScenarioRecord, StepRecord, TargetRecord } from "./results.js";

export interface CheckRow {
  verdict: Verdict;
  /** The step whose evaluation produced the verdict, when the results say. */
  step?: StepRecord;
}

export interface ConvergenceRow {
  step: StepRecord;
  convergence: ConvergenceRecord;
}

export interface LoadRow {
  step: StepRecord;
  load: LoadResult;
}

export interface UnsupportedRow {
  step: StepRecord;
  intent: string;
  reason: string;
}

export interface ScenarioSection {
  /** Stable anchor for links from the overview: "istio-canary". */
  anchor: string;
  /** The cluster provider's name ("local", "kind", ...): says who sent the load. */
  clusterName: string;
  target: TargetRecord;
  scenario: ScenarioRecord;
  checks: CheckRow[];
  unsupported: UnsupportedRow[];
  convergence: ConvergenceRow[];
  load: LoadRow[];
  /** Steps that failed or were interrupted, with their error: why a scenario errored. */
  problems: StepRecord[];
}

export interface PhaseProblem {
  target: TargetRecord;
  phase: "setup" | "teardown";
  step: StepRecord;
}

const PROBLEM_STATUSES = new Set<StepRecord["status"]>(["failed", "interrupted"]);

export function anchorOf(...parts: string[]): string {
  return parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function checkRows(scenario: ScenarioRecord): CheckRow[] {
  const stepOf = new Map<string, StepRecord>();
  for (const step of scenario.steps) {
    for (const v of step.verdicts ?? []) if (!stepOf.has(v.checkId)) stepOf.set(v.checkId, step);
  }
  return scenario.verdicts.map((verdict) => {
    const step = stepOf.get(verdict.checkId);
    return step ? { verdict, step } : { verdict };
  });
}

/**
 * Load tables show measure steps and any other step that drove load, but not convergence
 * probes: a probe window is evidence for convergence, not a benchmark.
 */
function loadRows(scenario: ScenarioRecord): LoadRow[] {
  return scenario.steps.flatMap((step) => (step.load && step.kind !== "converge" ? [{ step, load: step.load }] : []));
}

function unsupportedRows(scenario: ScenarioRecord): UnsupportedRow[] {
  const seen = new Set<string>();
  const rows: UnsupportedRow[] = [];
  for (const step of scenario.steps) {
    if (!step.unsupported) continue;
    const key = `${step.unsupported.intent}\u0000${step.unsupported.reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({ step, intent: step.unsupported.intent, reason: step.unsupported.reason });
  }
  return rows;
}

export function scenarioSections(results: RunResults): ScenarioSection[] {
  return results.targets.flatMap((target) =>
    target.scenarios.map((scenario) => ({
      anchor: anchorOf(target.mesh, scenario.name),
      clusterName: results.cluster.name,
      target,
      scenario,
      checks: checkRows(scenario),
      unsupported: unsupportedRows(scenario),
      convergence: scenario.steps.flatMap((step) => (step.convergence ? [{ step, convergence: step.convergence }] : [])),
      load: loadRows(scenario),
      problems: scenario.steps.filter((s) => PROBLEM_STATUSES.has(s.status)),
    })),
  );
}

/** Set-up and teardown steps that went wrong: a scenario table alone would hide them. */
export function phaseProblems(results: RunResults): PhaseProblem[] {
  return results.targets.flatMap((target) => [
    ...target.setup.filter((s) => PROBLEM_STATUSES.has(s.status)).map((step) => ({ target, phase: "setup" as const, step })),
    ...target.teardown.filter((s) => PROBLEM_STATUSES.has(s.status)).map((step) => ({ target, phase: "teardown" as const, step })),
  ]);
}

/** "istio 1.30.3", or just "none" for the baseline whose version says nothing. */
export function meshLabel(target: Pick<TargetRecord, "mesh" | "meshVersion">): string {
  const version = target.meshVersion && target.meshVersion !== "n/a" ? ` ${target.meshVersion}` : "";
  return `${target.mesh}${version}`;
}

export function verdictCounts(verdicts: readonly Verdict[]): Record<Verdict["status"], number> {
  const counts = { pass: 0, fail: 0, inconclusive: 0, unsupported: 0 };
  for (const v of verdicts) counts[v.status] += 1;
  return counts;
}

/**
 * Options and versions as flat key/value rows for the run-details table; nested option values
 * are shown as compact JSON rather than dropped.
 */
export function detailRows(record: Record<string, unknown>): [string, string][] {
  return Object.entries(record).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v) ?? String(v)]);
}

/**
 * The meshes that ran as a variant (the host cluster's Istio with stock Envoy, Linkerd built from
 * source), one row each, with what the variant cannot show: a reader must know which build the
 * verdicts came from and which `unsupported` reasons it explains.
 */
export function variantRows(results: RunResults): { mesh: string; variant: string; controlPlane: string; proxy: string; provenance: string; cannotShow: string[] }[] {
  return Object.values(results.variants ?? {}).map((v) => ({
    mesh: v.mesh,
    variant: v.name,
    controlPlane: v.controlPlaneVersion,
    proxy: `${v.proxy.name} ${v.proxy.version}`,
    provenance: v.provenance,
    cannotShow: v.limitations,
  }));
}

/** How a mutant's outcome reads beside verdicts: killed is the good news, a survivor a failure. */
export const MUTANT_TONE: Record<MutantStatus, VerdictStatus> = {
  killed: "pass",
  survived: "fail",
  "not-judged": "fail",
  inconclusive: "inconclusive",
  unsupported: "unsupported",
};

export const MUTANT_WORDS: Record<MutantStatus, string> = {
  killed: "killed",
  survived: "SURVIVED",
  "not-judged": "not judged",
  inconclusive: "inconclusive",
  unsupported: "not supported",
};

export interface MutantRow {
  target: TargetRecord;
  mutant: MutantRunRecord;
  tone: VerdictStatus;
}

/** Every mutant run on a target's install (`--mutants`), in the order they ran. */
export function mutantRows(results: RunResults): MutantRow[] {
  return results.targets.flatMap((target) => (target.mutants ?? []).map((mutant) => ({ target, mutant, tone: MUTANT_TONE[mutant.status] })));
}
