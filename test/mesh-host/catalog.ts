/**
 * The catalog a real-mesh test file judges: the scenarios of a suite on one mesh, and every
 * mutant of those scenarios, taken from the suite and mutant catalogs themselves so a scenario
 * or mutant added there is judged here without a second list to keep in step.
 */
import type { MeshName } from "../../src/mesh/driver.js";
import { MUTANTS } from "../../scenarios/mutants.js";
import { findSuite } from "../../suites/index.js";

export function catalogOf(suiteName: string, mesh: MeshName): { scenarios: string[]; mutants: string[] } {
  const suite = findSuite(suiteName);
  if (!suite) throw new Error(`no suite ${suiteName}`);
  const scenarios = suite.scenarios.filter((e) => e.meshes.includes(mesh)).map((e) => e.name);
  return { scenarios, mutants: MUTANTS.filter((m) => scenarios.includes(m.scenario)).map((m) => m.name) };
}
