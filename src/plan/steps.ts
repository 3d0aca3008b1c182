/**
 * The plan vocabulary. Everything meshproof does to a cluster is first a plan of typed steps.
 * Execution walks the plan; --dry-run writes it. Steps are plain data so plan.json shows exactly
 * what would run. Drivers, providers, stacks and reports build and read these types here, never
 * through the engine (test/engine/module-graph.test.ts).
 */
import type { CheckSpec } from "../analysis/verdict.js";
import type { LoadCommandPreview } from "../load/engine.js";
import type { LoadProfile } from "../load/profile.js";
import type { Capabilities, RoutingApi } from "../mesh/driver.js";
import type { IntentKind } from "../mesh/intent.js";

/** A Kubernetes object as applied: built from typed model classes, then serialised. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

interface StepBase {
  /** Slug, unique within a scenario plan; names the manifests/<mesh>/<step>/ folder. */
  id: string;
  /** A sentence a reader of the report understands: "shift 10% of traffic to the canary". */
  name: string;
  /** Every step has a named limit; the executor aborts the step past it. */
  timeoutMs: number;
}

/** Run a CLI (kind, kubectl, istioctl, linkerd, helm, gcloud). */
export interface CommandStep extends StepBase {
  kind: "command";
  argv: string[];
  env?: Record<string, string>;
  /** Text piped to stdin (e.g. `linkerd install | kubectl apply -f -` is two steps joined by this). */
  stdinFrom?: "previous";
  /** Steps that undo this one, registered as cleanup the moment this one starts. */
  undo?: Step[];
  /** A non-zero exit is tolerated (idempotent deletes). */
  allowFailure?: boolean;
  /** Idempotence: the step is skipped when this command exits 0 (the thing already exists). */
  skipIf?: string[];
}

/** Server-side apply of manifests; deletion of the same objects is registered as cleanup. */
export interface ApplyStep extends StepBase {
  kind: "apply";
  manifests: KubeObject[];
  /** Keep the objects after the run (the stack shared by scenarios is removed by its own step). */
  keep?: boolean;
}

export interface DeleteStep extends StepBase {
  kind: "delete";
  manifests: KubeObject[];
}

/** Start a long-running local process (cluster `local`); killing it is registered as cleanup. */
export interface ProcessStep extends StepBase {
  kind: "process";
  role: string;
  argv: string[];
  env?: Record<string, string>;
  /** Readiness: the step succeeds when this URL answers 2xx. */
  readyUrl: string;
  /** Files written before the process starts (its configuration), shown in plan.json. */
  files?: { path: string; content: string }[];
}

export type WaitCondition =
  | { type: "rollout"; namespace: string; kind: "Deployment" | "DaemonSet" | "StatefulSet"; name: string }
  | { type: "pods-ready"; namespace: string; selector: Record<string, string> }
  | { type: "http"; url: string; status: number }
  | { type: "command"; argv: string[] };

/** Poll a condition until it holds `consecutive` times in a row, or the timeout. */
export interface WaitStep extends StepBase {
  kind: "wait";
  condition: WaitCondition;
  consecutive: number;
  intervalMs: number;
}

/**
 * Where a load step's generator runs: on this host (cluster `local`), or exec'd in a pod of the
 * target's stack (the meshed loadgen, or the out-of-mesh outsider). The run's planner fills it in
 * from the stack's layout, so nothing works the namespaces out a second time.
 */
export type LoadClient = { type: "host" } | { type: "pod"; context?: string; namespace: string; pod: string; container: string };

/**
 * After a policy change: drive probe traffic in windows until `windows` consecutive windows
 * agree with the new policy (the checks pass on that window alone), logging each miss.
 */
export interface ConvergeStep extends StepBase {
  kind: "converge";
  probe: LoadProfile;
  /** Where the probe's generator runs (the profile's `client` in this target's stack), filled in by the run's planner. */
  runsIn?: LoadClient;
  /** The load generator's exact command for the first window, filled in for plan.json. */
  loadCommand?: LoadCommandPreview;
  checks: CheckSpec[];
  windows: number;
  /** Intents the checks depend on: if the mesh cannot express one, the checks are unsupported. */
  requires?: IntentKind[];
}

/**
 * Drive load and evaluate its checks sequentially: more batches are drawn until every check
 * decides or the sample budget is spent (then inconclusive).
 */
export interface MeasureStep extends StepBase {
  kind: "measure";
  load: LoadProfile;
  /** Where the generator runs (the profile's `client` in this target's stack), filled in by the run's planner. */
  runsIn?: LoadClient;
  /** The load generator's exact command for the first batch, filled in for plan.json. */
  loadCommand?: LoadCommandPreview;
  checks: CheckSpec[];
  /** Extra batches (each as long as load.durationSeconds) allowed while a check is undecided. */
  maxBatches: number;
  /** Expected duration from the sample-size planner, shown in the dry-run plan. */
  expectedSeconds?: number;
  /** Intents the checks depend on: if the mesh cannot express one, the checks are unsupported. */
  requires?: IntentKind[];
}

/**
 * If any check of `after` (a measure step id) failed, or could not decide, run `onFail` and end
 * the scenario: a gate advances only on evidence that the step is good.
 */
export interface GateStep extends StepBase {
  kind: "gate";
  after: string;
  onFail: Step[];
  /** What the gate protects, e.g. "automatic rollback to stable". */
  action: string;
  /** Advance past an inconclusive check (only when the scenario says a missing decision is acceptable). */
  advanceOnInconclusive?: boolean;
}

/**
 * An intent the mesh cannot express, or ("backend") checks the chosen backend cannot answer:
 * recorded, reported as "not supported", never run.
 */
export interface UnsupportedStep extends StepBase {
  kind: "unsupported";
  /** The intent the mesh cannot express, "upgrade" when the driver cannot upgrade this install, or "backend". */
  intent: IntentKind | "backend" | "upgrade";
  reason: string;
  /** Check ids whose verdict becomes `unsupported` because of this. */
  checks: string[];
  /**
   * The claim of each check no later step carries (an upgrade the driver cannot run sends no
   * load, so its checks exist only here); the executor records those checks as unsupported
   * with these words. Checks a later step carries take their claim from it.
   */
  claims?: Record<string, string>;
}

/** Collect evidence (events, logs, proxy status) into the run folder before teardown. */
export interface CollectStep extends StepBase {
  kind: "collect";
  argv: string[];
  file: string;
}

export type Step =
  | CommandStep
  | ApplyStep
  | DeleteStep
  | ProcessStep
  | WaitStep
  | ConvergeStep
  | MeasureStep
  | GateStep
  | UnsupportedStep
  | CollectStep;

export type StepKind = Step["kind"];

/** Every step, including those nested in gates' failure branches. */
export function* walkSteps(steps: readonly Step[]): Generator<Step> {
  for (const step of steps) {
    yield step;
    if (step.kind === "gate") yield* walkSteps(step.onFail);
    if (step.kind === "command" && step.undo) yield* walkSteps(step.undo);
  }
}


export type PhaseName = "setup" | "assess" | "teardown";

export interface Phase {
  name: PhaseName;
  steps: Step[];
}

/** One scenario on one mesh. */
export interface ScenarioPlan {
  scenario: string;
  description: string;
  claims: string[];
  /** Intent kinds the scenario applies (conformance lists them as features). */
  requires: IntentKind[];
  phases: Phase[];
}

/**
 * A mutant run on the target's own install (`--mutants`): right after its scenario, the wrong
 * twin's plan runs like a scenario of its own (its policies applied and removed, a backend
 * mutant's reference server swapped and restored) and its aimed check must fail.
 */
export interface MutantPlan {
  /** What plan.json and results.json record of the mutant (src/engine/mutant.ts). */
  mutant: { name: string; scenario: string; wrong: string; aimedAt: string; kind: "mesh-config" | "backend"; backend?: Record<string, number | string | boolean> };
  /** Id of the step that judges the aimed check (or of the gap that withdraws it). */
  aimedStep: string;
  plan: ScenarioPlan;
}

/** One mesh target: cluster and mesh set-up shared by its scenarios, then the scenarios. */
export interface TargetPlan {
  mesh: string;
  meshVersion: string;
  /**
   * The routing API the mesh's policies are rendered for, and the driver's capability table with
   * it (buildRunPlan always sets it; hand-built plans in tests may leave it out, as results.json may).
   */
  routing: RoutingApi;
  capabilities?: Capabilities;
  cluster: string;
  setup: Step[];
  scenarios: ScenarioPlan[];
  /** With `--mutants`: each scenario's mutants, run after it on the same install. */
  mutants?: MutantPlan[];
  teardown: Step[];
}

export interface RunPlan {
  schemaVersion: 1;
  runId: string;
  createdAt: string;
  command: "scenario" | "suite";
  name: string;
  options: Record<string, unknown>;
  targets: TargetPlan[];
  /** Scenarios of a suite that cannot run on the chosen cluster, with why: recorded, never dropped silently. */
  skippedScenarios?: SkippedScenario[];
}

export interface SkippedScenario {
  scenario: string;
  reason: string;
}
