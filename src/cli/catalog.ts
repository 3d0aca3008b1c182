/**
 * The composition root's catalog: the one module of src/ that imports scenarios/ and suites/
 * (test/engine/module-graph.test.ts holds it to that). The rest of src/cli takes the scenarios,
 * suites and mutants from here; name lookups come with a "did you mean" for typos (exit 2).
 */
import { closest, distance } from "fastest-levenshtein";
import { UsageError } from "../core/errors.js";
import type { ScenarioDefinition } from "../engine/scenario.js";
import { SCENARIOS } from "../../scenarios/index.js";
import { SUITES } from "../../suites/index.js";
import { MUTANTS } from "../../scenarios/mutants.js";
import type { Mutant } from "../engine/mutant.js";

export { SCENARIOS, SUITES, MUTANTS };

function suggest(name: string, known: readonly string[]): string {
  const near = closest(name, [...known]);
  // A likely typo gets a question; anything else still gets the nearest name to try.
  return distance(name, near) <= Math.max(2, Math.floor(near.length / 3)) ? `did you mean "${near}"? ` : `the nearest is "${near}"; `;
}

export function resolveScenario(name: string | undefined): ScenarioDefinition {
  const names = SCENARIOS.map((s) => s.name);
  if (!name) throw new UsageError("which scenario? name one", `scenarios: ${names.join(", ")}`);
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new UsageError(`unknown scenario "${name}"`, `${suggest(name, names)}scenarios: ${names.join(", ")}`);
  return found;
}

export function resolveSuite(name: string | undefined): ScenarioDefinition[] {
  const names = SUITES.map((s) => s.name);
  if (!name) throw new UsageError("which suite? name one", `suites: ${names.join(", ")}`);
  const suite = SUITES.find((s) => s.name === name);
  if (!suite) throw new UsageError(`unknown suite "${name}"`, `${suggest(name, names)}suites: ${names.join(", ")}`);
  // A suite entry may leave the baseline out of a scenario that joins it.
  return suite.scenarios.map((entry) => {
    const scenario = resolveScenario(entry.name);
    return { ...scenario, baseline: scenario.baseline && entry.baseline };
  });
}

export function resolveMutant(name: string): Mutant {
  const names = MUTANTS.map((m) => m.name);
  const found = MUTANTS.find((m) => m.name === name);
  if (!found) throw new UsageError(`unknown mutant "${name}"`, `${suggest(name, names)}mutants: ${names.join(", ")}`);
  return found;
}
