/**
 * Planning and reporting a mutant run (`--mutant <name>`): the scenario planned through the real
 * drivers with the mutant's intents, cut after the step that judges the aimed check, with the
 * mutant recorded in plan.json and results.json.
 */
import { EXIT } from "../analysis/verdict.js";
import { UsageError } from "../core/errors.js";
import { mutantRecord, mutantScenarioPlan, mutatingDriver, stepJudging, withdrawing, type Mutant, type MutantOutcome } from "../engine/mutant.js";
import { buildRunPlan, runsOn, type PlanRequest, type RunPlanWithCluster, type StackPlanner } from "../engine/run-plan.js";
import type { ApplyStep, KubeObject, MutantPlan, ScenarioPlan, Step, TargetPlan, WaitStep } from "../plan/steps.js";
import { TIMEOUTS } from "../core/timeouts.js";
import { BASELINE_MESH } from "../mesh/registry.js";
import type { SimSettings } from "../stack/sim-workload.js";
import type { MeshDriver, MeshName } from "../mesh/driver.js";
import { MUTANTS } from "./catalog.js";
import { SCENARIOS } from "./definitions.js";

export function mutatedDrivers(drivers: Record<MeshName, MeshDriver>, mutant: Mutant): Record<MeshName, MeshDriver> {
  return Object.fromEntries(Object.entries(drivers).map(([mesh, driver]) => [mesh, mutatingDriver(driver, mutant)]));
}

/** The mutant's plan from the mutated and the correct plan of the same run. */
export function mutantRunPlan(mutated: RunPlanWithCluster, correct: RunPlanWithCluster, mutant: Mutant): RunPlanWithCluster {
  const targets = mutated.targets.map((target) => {
    const right = correct.targets.find((t) => t.mesh === target.mesh);
    return {
      ...target,
      scenarios: target.scenarios.map((s) => {
        const twin = right?.scenarios.find((c) => c.scenario === s.scenario);
        return s.scenario === mutant.scenario && twin ? mutantScenarioPlan(s, twin, mutant) : s;
      }),
    };
  });
  return { ...mutated, options: { ...mutated.options, mutant: mutantRecord(mutant) }, targets };
}

/** Per mesh, the id of the step that judges the mutant's aimed check. */
export function aimedSteps(plan: RunPlanWithCluster, mutant: Mutant): Record<string, string> {
  const out: Record<string, string> = {};
  for (const target of plan.targets) {
    const scenario = target.scenarios.find((s) => s.scenario === mutant.scenario);
    const step = scenario ? (stepJudging(scenario, mutant.aimedAt) ?? withdrawing(scenario, mutant.aimedAt)[0]) : undefined;
    if (step) out[target.mesh] = step.id;
  }
  return out;
}

const WORDS: Record<MutantOutcome["status"], string> = {
  killed: "mutant killed",
  survived: "mutant SURVIVED (a harness defect: the check cannot catch this)",
  inconclusive: "mutant not killed (inconclusive)",
  unsupported: "mutant not run (the claim is not supported on this mesh)",
  "not-judged": "mutant not killed (the aimed check was never judged)",
};

/**
 * The exit code of a run with --mutants: a failed check or a surviving (or unjudged) mutant is 1,
 * then inconclusive (a check or a mutant) is 3, else 0. Other codes (usage, environment) stand.
 */
export function combinedExitCode(verdicts: number, mutants: number): number {
  const codes = [verdicts, mutants];
  if (codes.some((c) => c !== EXIT.ok && c !== EXIT.checkFailed && c !== EXIT.inconclusive)) return codes.find((c) => c !== EXIT.ok && c !== EXIT.checkFailed && c !== EXIT.inconclusive)!;
  if (codes.includes(EXIT.checkFailed)) return EXIT.checkFailed;
  if (codes.includes(EXIT.inconclusive)) return EXIT.inconclusive;
  return EXIT.ok;
}

export function describeOutcome(mutant: Pick<Mutant, "name">, outcome: MutantOutcome): string {
  return `${outcome.mesh.padEnd(8)} ${mutant.name}: ${WORDS[outcome.status]} — ${outcome.reason}`;
}

/**
 * `--mutants`: every mutant of the run's scenarios, on each target's own install. Each mutant is
 * planned like its one-mutant run (the mutated scenario through the real drivers, cut after the
 * aimed step); a backend mutant swaps the stack's reference server for the wrong one before its
 * steps and restores it after. `stackWith` plans the stack with a mutant's backend settings.
 */
export async function attachMutants(
  correct: RunPlanWithCluster,
  request: PlanRequest,
  stackWith: (sim: SimSettings) => Promise<StackPlanner>,
  info: (line: string) => void,
): Promise<RunPlanWithCluster> {
  const names = new Set(correct.targets.flatMap((t) => t.scenarios.map((s) => s.scenario)));
  const mutants = MUTANTS.filter((m) => names.has(m.scenario));
  const byMesh = new Map<string, MutantPlan[]>(correct.targets.map((t) => [t.mesh, []]));
  for (const mutant of mutants) {
    const scenario = request.scenarios.filter((s) => s.name === mutant.scenario);
    if (mutant.backend && correct.cluster.name === "local") {
      info(`mutant ${mutant.name} changes the reference server, which --cluster local starts once per run: run it alone with --mutant ${mutant.name}`);
      continue;
    }
    const mutated = mutant.backend
      ? buildRunPlan({ ...request, scenarios: scenario, stack: await stackWith(mutant.backend) })
      : buildRunPlan({ ...request, scenarios: scenario, drivers: mutatedDrivers(request.drivers, mutant) });
    for (const target of mutated.targets) {
      const right = correct.targets.find((t) => t.mesh === target.mesh);
      const twin = right?.scenarios.find((s) => s.scenario === mutant.scenario);
      const wrong = target.scenarios.find((s) => s.scenario === mutant.scenario);
      if (!right || !twin || !wrong) continue;
      let plan = mutantScenarioPlan(wrong, twin, mutant);
      // A mutant whose aimed check this mesh cannot judge runs nothing: no backend to swap either.
      if (mutant.backend && stepJudging(plan, mutant.aimedAt)) plan = withBackendSwap(plan, right, target, mutant);
      const aimed = stepJudging(plan, mutant.aimedAt) ?? withdrawing(plan, mutant.aimedAt)[0];
      byMesh.get(target.mesh)?.push({ mutant: mutantRecord(mutant), aimedStep: aimed?.id ?? "", plan });
    }
  }
  return { ...correct, options: { ...correct.options, mutants: true }, targets: correct.targets.map((t) => ({ ...t, mutants: byMesh.get(t.mesh) ?? [] })) };
}

/** The stack objects the wrong backend changes: applied before the mutant's steps, the stack's own copies restored (and rolled out) after. */
function withBackendSwap(plan: ScenarioPlan, right: TargetPlan, wrong: TargetPlan, mutant: Mutant): ScenarioPlan {
  const stackObjects = (t: TargetPlan) => t.setup.flatMap((s) => (s.kind === "apply" ? s.manifests : []));
  const original = stackObjects(right);
  const key = (o: KubeObject) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  const changed = stackObjects(wrong).filter((o) => {
    const before = original.find((r) => key(r) === key(o));
    return !before || JSON.stringify(before) !== JSON.stringify(o);
  });
  const restored = original.filter((o) => changed.some((c) => key(c) === key(o)));
  const rollouts = (objects: KubeObject[], prefix: string): WaitStep[] =>
    objects.filter((o) => o.kind === "Deployment").map((o) => ({
      kind: "wait",
      id: `${prefix}-rollout-${o.metadata.name}`,
      name: `wait for deployment ${o.metadata.name} to roll out`,
      timeoutMs: TIMEOUTS.rollout,
      condition: { type: "rollout", namespace: o.metadata.namespace ?? "", kind: "Deployment", name: o.metadata.name },
      consecutive: 2,
      intervalMs: 3000,
    }));
  const swap: ApplyStep = { kind: "apply", id: "mutant-backend", name: `swap in the wrong backend: ${mutant.wrong}`, timeoutMs: TIMEOUTS.apply, manifests: changed };
  const restore: ApplyStep = { kind: "apply", id: "restore-backend", name: "restore the reference backend", timeoutMs: TIMEOUTS.apply, manifests: restored };
  const setup: Step[] = changed.length > 0 ? [swap, ...rollouts(changed, "mutant-backend")] : [];
  const teardown: Step[] = restored.length > 0 ? [restore, ...rollouts(restored, "restore-backend")] : [];
  return {
    ...plan,
    phases: plan.phases.map((p) => (p.name === "setup" ? { ...p, steps: [...setup, ...p.steps] } : p.name === "teardown" ? { ...p, steps: [...p.steps, ...teardown] } : p)),
  };
}

export function mutantsRunnableOn(cluster: string, mesh: string): Mutant[] {
  return MUTANTS.filter((m) => {
    const scenario = SCENARIOS.find((s) => s.name === m.scenario);
    if (!scenario || !scenario.clusters.includes(cluster as never)) return false;
    // Every scenario runs on every mesh; the baseline (alone on `local`) only where it joins.
    return runsOn(scenario, cluster === "local" ? BASELINE_MESH : mesh);
  });
}

/**
 * Runs each mutant in turn (a run folder each) and returns one exit code: an environment problem,
 * bad usage or an interrupt at once; otherwise 1 if any mutant survived or was never judged, 3 if
 * any was inconclusive, else 0.
 */
export async function runAllMutants(name: string, raw: Record<string, unknown>, run: (raw: Record<string, unknown>) => Promise<number>, info: (line: string) => void): Promise<number> {
  if (name) throw new UsageError("--mutant all runs every scenario's mutants: name no scenario");
  const cluster = String(raw.cluster ?? "kind");
  const mesh = String(raw.mesh ?? "both");
  const mutants = mutantsRunnableOn(cluster, mesh);
  if (mutants.length === 0) throw new UsageError(`no mutant runs on --cluster ${cluster} --mesh ${mesh}`);
  const codes: { name: string; code: number }[] = [];
  for (const mutant of mutants) {
    info(`\n== mutant ${mutant.name} (${codes.length + 1} of ${mutants.length})`);
    const code = await run({ ...raw, mutant: mutant.name });
    codes.push({ name: mutant.name, code });
    if (code === 2 || code === 4 || code === 130) return code;
  }
  if (raw.dryRun) {
    info(`\nmutants: ${codes.length} planned (--dry-run: nothing was run, nothing killed)`);
    return 0;
  }
  const worst = codes.some((c) => c.code === 1) ? 1 : codes.some((c) => c.code === 3) ? 3 : codes.find((c) => c.code !== 0)?.code ?? 0;
  info(`\nmutants: ${codes.filter((c) => c.code === 0).length} killed (or not supported), ${codes.filter((c) => c.code === 1).length} survived or not judged, ${codes.filter((c) => c.code === 3).length} inconclusive`);
  for (const c of codes.filter((x) => x.code !== 0)) info(`  ${c.name}: exit ${c.code}`);
  return worst;
}
