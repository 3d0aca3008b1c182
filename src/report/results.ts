/**
 * results.json: the versioned record of one run. Reporters, `compare` and the Pushgateway
 * export read only this, so a report can be rebuilt from any run folder. Bump
 * RESULTS_SCHEMA_VERSION on any incompatible change.
 */
import type { SkippedScenario } from "../plan/steps.js";
import type { MeshVariant } from "../mesh/variant.js";
import type { LoadResult } from "../load/profile.js";
import type { Verdict, VerdictStatus } from "../analysis/verdict.js";
import type { Capabilities } from "../mesh/driver.js";
import type { IntentKind } from "../mesh/intent.js";

export const RESULTS_SCHEMA_VERSION = 1;

export type StepStatus = "ok" | "failed" | "skipped" | "unsupported" | "interrupted";

export interface ConvergenceRecord {
  converged: boolean;
  timeToConvergeMs: number | null;
  windows: number;
  misses: { atMs: number; reason: string }[];
  diagnosis: "converged" | "never-applied" | "applied-but-wrong" | "too-slow" | "timed-out";
  /** The limit the step ran under, when it is not the plan's (a mutant's, derived on the install). */
  limitMs?: number;
  /** Why that limit: the correct twin's time to converge at the same step, times the factor. */
  limitReason?: string;
}

export interface StepRecord {
  id: string;
  name: string;
  kind: string;
  status: StepStatus;
  startedAt: string;
  durationMs: number;
  /** Load driven by the step, every batch merged (measure) or the last window (converge). */
  load?: LoadResult;
  /** Batches drawn by a sequential measure step. */
  batches?: number;
  verdicts?: Verdict[];
  convergence?: ConvergenceRecord;
  /** For unsupported steps: the intent and the mesh's reason. */
  unsupported?: { intent: string; reason: string };
  error?: string;
  /** Evidence files relative to the run folder. */
  evidence?: string[];
}

export interface ScenarioRecord {
  name: string;
  description: string;
  claims: string[];
  status: VerdictStatus | "error";
  /**
   * Intent kinds the scenario applies (its definition's `requires`). Optional: when present, the
   * conformance report lists the kinds a mesh expressed as supported features.
   */
  requires?: IntentKind[];
  steps: StepRecord[];
  verdicts: Verdict[];
  /**
   * Family-wise error bounds over the scenario's verdicts (Bonferroni): a mesh keeping every
   * promise fails at least one check with probability at most the sum of their false-failure
   * probabilities; each broken promise passes with at most the largest false-pass probability.
   */
  familyWise?: { falseFailure: number; maxFalsePass: number; checks: number };
}

/** The family-wise bounds of a set of verdicts (those that carry error probabilities). */
export function familyWiseBounds(verdicts: readonly Verdict[]): ScenarioRecord["familyWise"] {
  const judged = verdicts.filter((v) => v.errorProbabilities && v.status !== "unsupported");
  if (judged.length === 0) return undefined;
  return {
    falseFailure: Math.min(1, judged.reduce((a, v) => a + v.errorProbabilities!.falseFailure, 0)),
    maxFalsePass: Math.max(0, ...judged.map((v) => v.errorProbabilities!.falsePass ?? 0)),
    checks: judged.length,
  };
}

export interface TargetRecord {
  mesh: string;
  meshVersion: string;
  routing: string;
  /**
   * The driver's capability table for this routing API. Optional: when present, `compare` shows
   * native vs emulated support; without it only the unsupported records are known.
   */
  capabilities?: Capabilities;
  setup: StepRecord[];
  scenarios: ScenarioRecord[];
  /** With `--mutants`: every mutant run on this target's install, and its outcome. */
  mutants?: MutantRunRecord[];
  teardown: StepRecord[];
}

export type MutantStatus = "killed" | "survived" | "inconclusive" | "unsupported" | "not-judged";

/** One mutant on one target's install: what was wrong, whether its aimed check failed, and the run. */
export interface MutantRunRecord {
  name: string;
  scenario: string;
  wrong: string;
  aimedAt: string;
  kind: "mesh-config" | "backend";
  /** A backend mutant's reference-server settings. */
  backend?: Record<string, number | string | boolean>;
  /** The step that judged the aimed check. */
  aimedStep: string;
  status: MutantStatus;
  /** The verdict (or convergence) that decided, in words. */
  reason: string;
  durationMs: number;
  /** The mutant's own scenario run: its steps and verdicts (failing ones are what kills it). */
  run: ScenarioRecord;
}

/** Mutant outcomes of a run, counted. */
export interface MutantSummary {
  killed: number;
  survived: number;
  inconclusive: number;
  unsupported: number;
  notJudged: number;
}

export function summarizeMutants(targets: readonly TargetRecord[]): MutantSummary | undefined {
  const all = targets.flatMap((t) => t.mutants ?? []);
  if (all.length === 0 && !targets.some((t) => t.mutants)) return undefined;
  const count = (s: MutantStatus) => all.filter((m) => m.status === s).length;
  return { killed: count("killed"), survived: count("survived"), inconclusive: count("inconclusive"), unsupported: count("unsupported"), notJudged: count("not-judged") };
}

export interface ToolRecord {
  name: string;
  path: string;
  source: string;
  version: string;
}

export interface RunResults {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  runId: string;
  command: "scenario" | "suite";
  name: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  dryRun: false;
  cluster: { name: string; description: string };
  options: Record<string, unknown>;
  tools: ToolRecord[];
  versions: Record<string, string>;
  /**
   * Meshes that ran as a variant rather than the official release (the host cluster's Istio with
   * stock Envoy): its versions, provenance and what it cannot show. Absent for official builds.
   */
  variants?: Record<string, MeshVariant>;
  host: { platform: string; cpus: number; node: string };
  targets: TargetRecord[];
  summary: { pass: number; fail: number; inconclusive: number; unsupported: number; exitCode: number; mutants?: MutantSummary };
  /** Set when the run ended early (interrupt, environment error). */
  aborted?: string;
  /** Undos that failed, "<where>: <what>: <why>": what this run created may still be there (npm run clean). */
  cleanupFailures?: string[];
  /** Scenarios of the suite that could not run on this cluster, with why (from the plan). */
  skippedScenarios?: SkippedScenario[];
  /** A one-mutant run (`--mutant NAME`): the mutant and its outcome per mesh. */
  mutant?: Omit<MutantRunRecord, "aimedStep" | "status" | "reason" | "durationMs" | "run"> & { outcomes: { mesh: string; status: MutantStatus; reason: string }[] };
}

export function allVerdicts(results: RunResults): Verdict[] {
  return results.targets.flatMap((t) => t.scenarios.flatMap((s) => s.verdicts));
}

export function summarize(verdicts: readonly Verdict[]): Omit<RunResults["summary"], "exitCode"> {
  const count = (s: VerdictStatus) => verdicts.filter((v) => v.status === s).length;
  return { pass: count("pass"), fail: count("fail"), inconclusive: count("inconclusive"), unsupported: count("unsupported") };
}

/** A scenario's overall status: any fail, then any inconclusive, then pass (unsupported alone stays unsupported). */
export function scenarioStatus(verdicts: readonly Verdict[]): VerdictStatus {
  if (verdicts.some((v) => v.status === "fail")) return "fail";
  if (verdicts.some((v) => v.status === "inconclusive")) return "inconclusive";
  if (verdicts.length > 0 && verdicts.every((v) => v.status === "unsupported")) return "unsupported";
  return "pass";
}
