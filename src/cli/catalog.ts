/**
 * Name lookups for scenarios, suites and mutants, with a "did you mean" for typos (exit 2), and
 * the catalog lines of `--help` and `--list`. Light on purpose: it reads names and one-line
 * summaries only (scenarios/catalog.ts), so a help text or a mistyped name answers before any
 * scenario, manifest or statistical plan is loaded. With src/cli/definitions.ts (the scenario
 * definitions themselves) it is the composition root: the only modules of src/ that import
 * scenarios/ and suites/ (test/engine/module-graph.test.ts holds them to that).
 */
import { closest, distance } from "fastest-levenshtein";
import { UsageError } from "../core/errors.js";
import type { Mutant } from "../engine/mutant.js";
import { SCENARIO_NAMES, SCENARIO_SUMMARIES, type ScenarioName } from "../../scenarios/catalog.js";
import { MUTANTS } from "../../scenarios/mutants.js";
import { SUITES, type SuiteDefinition } from "../../suites/index.js";

/** `--mutant all`: every mutant whose scenario runs on this cluster and mesh, one run each. */
export const ALL_MUTANTS = "all";

export { SUITES, MUTANTS };

function suggest(name: string, known: readonly string[]): string {
  const near = closest(name, [...known]);
  // A likely typo gets a question; anything else still gets the nearest name to try.
  return distance(name, near) <= Math.max(2, Math.floor(near.length / 3)) ? `did you mean "${near}"? ` : `the nearest is "${near}"; `;
}

export function scenarioName(name: string | undefined): ScenarioName {
  if (!name) throw new UsageError("which scenario? name one", `scenarios: ${SCENARIO_NAMES.join(", ")}`);
  const found = SCENARIO_NAMES.find((s) => s === name);
  if (!found) throw new UsageError(`unknown scenario "${name}"`, `${suggest(name, SCENARIO_NAMES)}scenarios: ${SCENARIO_NAMES.join(", ")}`);
  return found;
}

export function suiteNamed(name: string | undefined): SuiteDefinition {
  const names = SUITES.map((s) => s.name);
  if (!name) throw new UsageError("which suite? name one", `suites: ${names.join(", ")}`);
  const suite = SUITES.find((s) => s.name === name);
  if (!suite) throw new UsageError(`unknown suite "${name}"`, `${suggest(name, names)}suites: ${names.join(", ")}`);
  return suite;
}

export function resolveMutant(name: string): Mutant {
  const names = MUTANTS.map((m) => m.name);
  const found = MUTANTS.find((m) => m.name === name);
  if (!found) throw new UsageError(`unknown mutant "${name}"`, `${suggest(name, names)}mutants: ${names.join(", ")}`);
  return found;
}

/** The mutant a run asks for, and the scenario it runs (named or implied by the mutant). */
export function mutantFor(command: "scenario" | "suite", name: string, mutantName: string | undefined): { mutant: Mutant | undefined; scenario: string } {
  if (mutantName === undefined) return { mutant: undefined, scenario: name };
  if (command !== "scenario") throw new UsageError("--mutant runs one scenario's wrong twin: use it with `scenario`", "e.g. npm run scenario -- --mutant canary-even-split");
  const mutant = resolveMutant(mutantName);
  if (name && name !== mutant.scenario) throw new UsageError(`mutant "${mutant.name}" is a twin of scenario "${mutant.scenario}", not "${name}"`, `drop the scenario name, or name ${mutant.scenario}`);
  return { mutant, scenario: mutant.scenario };
}

/** Every name a run's command line gives is known (a UsageError otherwise), checked before anything heavy loads. */
export function checkRunNames(command: "scenario" | "suite", name: string, mutantName: string | undefined): void {
  if (command === "scenario" && mutantName === ALL_MUTANTS) return; // runAllMutants names the scenarios itself
  const { scenario } = mutantFor(command, name, mutantName);
  if (command === "scenario") scenarioName(scenario);
  else suiteNamed(scenario);
}

export function scenarioLines(): string {
  return SCENARIO_NAMES.map((name) => `  ${name.padEnd(18)} ${SCENARIO_SUMMARIES[name]}`).join("\n");
}

export function suiteLines(): string {
  return SUITES.map((s) => `  ${s.name.padEnd(14)} ${s.description}`).join("\n");
}

export function mutantLines(): string {
  return MUTANTS.map((m) => `  ${m.name.padEnd(30)} ${m.scenario}: ${m.wrong} (must fail: ${m.aimedAt})`).join("\n");
}
