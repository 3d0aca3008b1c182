/**
 * Mutants: deliberately wrong twins of a scenario's configuration (or of its backend) that the
 * scenario's checks must catch. A check that cannot fail is a defect; a mutant run proves that a
 * named check does fail when the claim it judges is false.
 *
 * A mutant changes what a scenario asks of the mesh by rewriting its intents on their way into the
 * mesh's real driver, so the mutated manifests are exactly what that driver would render for the
 * wrong policy. A wrong backend is a change to the reference server's settings instead.
 */
import type { MeshDriver } from "../mesh/driver.js";
import type { Intent } from "../mesh/intent.js";
import type { MutantStatus, ScenarioRecord, StepRecord, TargetRecord } from "../report/results.js";
import type { SimSettings } from "../stack/sim-workload.js";
import type { ConvergeStep, MeasureStep, MutantPlan, ScenarioPlan, Step, UnsupportedStep } from "../plan/steps.js";
import { walkSteps } from "../plan/steps.js";

export interface Mutant {
  /** Slug, unique across the catalog: `--mutant <name>`. */
  name: string;
  /** The scenario it is the wrong twin of. */
  scenario: string;
  /** What is wrong, in words a report reader understands. */
  wrong: string;
  /** The check id that must fail (a check of the scenario's plan). */
  aimedAt: string;
  /** Rewrites the intents of every policy the scenario applies (mesh configuration mutants). */
  mutate?: (intents: Intent[]) => Intent[];
  /** Settings of the reference server that make the backend wrong (backend mutants). */
  backend?: SimSettings;
}

/** What plan.json and results.json record of a mutant (the functions are not data). */
export type MutantRecord = MutantPlan["mutant"];

export function mutantRecord(mutant: Mutant): MutantRecord {
  const backend = mutant.backend ? Object.fromEntries(Object.entries(mutant.backend).filter(([, v]) => v !== undefined)) as Record<string, number> : undefined;
  return {
    name: mutant.name,
    scenario: mutant.scenario,
    wrong: mutant.wrong,
    aimedAt: mutant.aimedAt,
    kind: mutant.backend ? "backend" : "mesh-config",
    ...(backend ? { backend } : {}),
  };
}

/** The same driver, except that every intent set is rewritten by the mutant before rendering. */
export function mutatingDriver(driver: MeshDriver, mutant: Mutant): MeshDriver {
  const mutate = mutant.mutate;
  if (!mutate) return driver;
  return { ...driver, render: (intents, target, routing) => driver.render(mutate(intents), target, routing) };
}

/** The judging step that holds a check, if the plan has one. */
export function stepJudging(plan: ScenarioPlan, checkId: string): MeasureStep | ConvergeStep | undefined {
  for (const step of walkSteps(plan.phases.flatMap((p) => p.steps))) {
    if ((step.kind === "measure" || step.kind === "converge") && step.checks.some((c) => c.id === checkId)) return step;
  }
  return undefined;
}

/** The unsupported steps that withdraw a check in a plan. */
export function withdrawing(plan: ScenarioPlan, checkId: string): UnsupportedStep[] {
  return [...walkSteps(plan.phases.flatMap((p) => p.steps))].filter((s): s is UnsupportedStep => s.kind === "unsupported" && s.checks.includes(checkId));
}

/**
 * The plan a mutant runs: the mutated scenario up to the step that judges the aimed check (later
 * steps cannot change whether it failed), that step judging the aimed check alone, with the correct plan's withdrawals of that check kept:
 * a claim the mesh cannot judge when configured rightly is not judged on its wrong twin either.
 */
export function mutantScenarioPlan(mutated: ScenarioPlan, correct: ScenarioPlan, mutant: Mutant): ScenarioPlan {
  const aimed = stepJudging(mutated, mutant.aimedAt);
  if (!aimed) {
    // A scenario the mesh cannot run at all (its steps replaced by a gap) withdraws the aimed
    // check without a step to judge it: the mutant run is that gap, reported as not supported.
    const gaps = withdrawing(mutated, mutant.aimedAt);
    if (gaps.length === 0) throw new Error(`mutant ${mutant.name}: scenario ${mutated.scenario} has no check "${mutant.aimedAt}"`);
    return { ...mutated, phases: mutated.phases.map((phase) => (phase.name === "assess" ? { ...phase, steps: gaps } : phase)) };
  }
  const gaps = withdrawing(correct, mutant.aimedAt).filter((g) => !withdrawing(mutated, mutant.aimedAt).some((m) => m.reason === g.reason));
  const inherited: Step[] = gaps.map((g) => ({ ...g, id: `correct-${g.id}`, checks: [mutant.aimedAt] }));
  const phases = mutated.phases.map((phase) => {
    if (phase.name !== "assess") return phase;
    const end = phase.steps.findIndex((s) => [...walkSteps([s])].includes(aimed));
    const kept = (end === -1 ? phase.steps : phase.steps.slice(0, end + 1)).map((s) => (s === aimed && s.kind === "measure" ? judgingOnly(s, mutant.aimedAt) : s));
    return { ...phase, steps: [...inherited, ...kept] };
  });
  return { ...mutated, phases };
}

/**
 * The aimed step judges only the aimed check: a measure step draws batches until every check it
 * holds decides, and the others (an error rate near zero needs hundreds of samples to pass) say
 * nothing about the mutant.
 */
function judgingOnly(step: MeasureStep, checkId: string): MeasureStep {
  return { ...step, name: `${step.name} (judging ${checkId} only: a mutant run)`, checks: step.checks.filter((c) => c.id === checkId) };
}

export type { MutantStatus };

export interface MutantOutcome {
  mesh: string;
  status: MutantStatus;
  /** The verdict (or convergence) that decided, in words. */
  reason: string;
}

/**
 * Did the aimed check fail? A converge step reports a verdict only when it does not converge
 * (`<step>-converged`), which fails every check it holds; converging means its checks held.
 * `aimedStep` is the id of the plan's step that judges the aimed check.
 */
export function judgeMutant(mutant: Pick<Mutant, "aimedAt">, scenario: ScenarioRecord, mesh: string, aimedStep: string): MutantOutcome {
  const direct = scenario.verdicts.find((v) => v.checkId === mutant.aimedAt);
  const holder: StepRecord | undefined = scenario.steps.find((s) => s.id === aimedStep);
  const convergeFail = holder?.convergence && !holder.convergence.converged ? holder.verdicts?.find((v) => v.status === "fail") : undefined;
  if (direct?.status === "fail") return { mesh, status: "killed", reason: `${direct.checkId} failed: ${direct.reason}` };
  if (convergeFail) return { mesh, status: "killed", reason: `${convergeFail.checkId} failed: ${convergeFail.reason}` };
  if (direct?.status === "unsupported") return { mesh, status: "unsupported", reason: direct.reason };
  if (direct?.status === "inconclusive") return { mesh, status: "inconclusive", reason: `${direct.checkId} was inconclusive: ${direct.reason}` };
  if (direct?.status === "pass") return { mesh, status: "survived", reason: `${direct.checkId} passed: ${direct.reason}` };
  if (holder?.convergence?.converged) return { mesh, status: "survived", reason: `${holder.id} converged: traffic agreed with the claim` };
  if (holder?.status === "unsupported") return { mesh, status: "unsupported", reason: `${holder.id}: not supported${holder.unsupported ? `: ${holder.unsupported.reason}` : ""}` };
  return { mesh, status: "not-judged", reason: `${mutant.aimedAt} was never judged (scenario ${scenario.status})` };
}

/** Outcomes of a mutant over every target of a run; `aimedSteps` maps mesh to the step judging the aimed check. */
export function judgeMutantRun(mutant: Mutant, targets: readonly TargetRecord[], aimedSteps: Record<string, string>): MutantOutcome[] {
  return targets.flatMap((t) => {
    const scenario = t.scenarios.find((s) => s.name === mutant.scenario);
    return scenario ? [judgeMutant(mutant, scenario, t.mesh, aimedSteps[t.mesh] ?? "")] : [];
  });
}

/** One exit code for the mutant run: 0 killed (or unsupported) everywhere, 1 survived or not judged, 3 inconclusive. */
export function mutantExitCode(outcomes: readonly Pick<MutantOutcome, "status">[]): number {
  if (outcomes.some((o) => o.status === "survived" || o.status === "not-judged")) return 1;
  if (outcomes.some((o) => o.status === "inconclusive")) return 3;
  return 0;
}

