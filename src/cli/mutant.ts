/**
 * Planning and reporting a mutant run (`--mutant <name>`): the scenario planned through the real
 * drivers with the mutant's intents, cut after the step that judges the aimed check, with the
 * mutant recorded in plan.json and results.json.
 */
import { UsageError } from "../core/errors.js";
import { mutantRecord, mutantScenarioPlan, mutatingDriver, stepJudging, withdrawing, type Mutant, type MutantOutcome } from "../engine/mutant.js";
import { runsOn, type RunPlanWithCluster } from "../engine/run-plan.js";
import { BASELINE_MESH } from "../mesh/registry.js";
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

export function describeOutcome(mutant: Mutant, outcome: MutantOutcome): string {
  return `${outcome.mesh.padEnd(8)} ${mutant.name}: ${WORDS[outcome.status]} — ${outcome.reason}`;
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
