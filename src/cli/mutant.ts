/**
 * Planning and reporting a mutant run (`--mutant <name>`): the scenario planned through the real
 * drivers with the mutant's intents, cut after the step that judges the aimed check, with the
 * mutant recorded in plan.json and results.json.
 */
import { UsageError } from "../engine/errors.js";
import { mutantRecord, mutantScenarioPlan, mutatingDriver, stepJudging, type Mutant, type MutantOutcome } from "../engine/mutant.js";
import type { RunPlanWithCluster } from "../engine/run-plan.js";
import type { MeshDriver, MeshName } from "../mesh/driver.js";
import { resolveMutant } from "./catalog.js";

/** The mutant a run asks for, and the scenario it runs (named or implied by the mutant). */
export function mutantFor(command: "scenario" | "suite", name: string, mutantName: string | undefined): { mutant: Mutant | undefined; scenario: string } {
  if (mutantName === undefined) return { mutant: undefined, scenario: name };
  if (command !== "scenario") throw new UsageError("--mutant runs one scenario's wrong twin: use it with `scenario`", "e.g. npm run scenario -- --mutant canary-even-split");
  const mutant = resolveMutant(mutantName);
  if (name && name !== mutant.scenario) throw new UsageError(`mutant "${mutant.name}" is a twin of scenario "${mutant.scenario}", not "${name}"`, `drop the scenario name, or name ${mutant.scenario}`);
  return { mutant, scenario: mutant.scenario };
}

export function mutatedDrivers(drivers: Record<MeshName, MeshDriver>, mutant: Mutant): Record<MeshName, MeshDriver> {
  return { istio: mutatingDriver(drivers.istio, mutant), linkerd: mutatingDriver(drivers.linkerd, mutant), none: mutatingDriver(drivers.none, mutant) };
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
    const step = scenario ? stepJudging(scenario, mutant.aimedAt) : undefined;
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
