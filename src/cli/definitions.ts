/**
 * The composition root's heavy half: the scenario definitions (manifests, checks, sizing) that a
 * run plans from. Names are checked in catalog.ts first, so a typo or `--help` never loads this.
 */
import type { ScenarioDefinition } from "../engine/scenario.js";
import { findScenario, SCENARIOS } from "../../scenarios/index.js";
import { scenarioName, suiteNamed } from "./catalog.js";

export { SCENARIOS };

export function resolveScenario(name: string | undefined): ScenarioDefinition {
  return findScenario(scenarioName(name))!;
}

/** A suite's scenarios; an entry may leave the baseline out of a scenario that joins it. */
export function resolveSuite(name: string | undefined): ScenarioDefinition[] {
  return suiteNamed(name).scenarios.map((entry) => {
    const scenario = resolveScenario(entry.name);
    return { ...scenario, baseline: scenario.baseline && entry.baseline };
  });
}
