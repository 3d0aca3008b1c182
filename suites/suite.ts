/**
 * A suite is data: scenario names, each with the meshes it is judged on. Names, not imports, so a
 * suite reads as the list a CI job runs, and a test proves every name exists in the catalog.
 */
import type { MeshName } from "../src/mesh/driver.js";

export interface SuiteEntry {
  /** A scenario name from the catalog (scenarios/index.ts). */
  name: string;
  /** Meshes this suite judges the scenario on; a subset of the scenario's own `meshes`. */
  meshes: MeshName[];
}

export interface SuiteDefinition {
  name: string;
  /** One line: who runs it and why. */
  description: string;
  scenarios: SuiteEntry[];
}

/** Identity function that checks a suite's shape at compile time. */
export function defineSuite(suite: SuiteDefinition): SuiteDefinition {
  return suite;
}

export const BOTH_MESHES: MeshName[] = ["istio", "linkerd"];
export const WITH_BASELINE: MeshName[] = ["none", "istio", "linkerd"];

/** Every scenario that judges a traffic policy (not a measurement such as the benchmark). */
export const POLICY_SCENARIOS = [
  "canary",
  "header-routing",
  "fault-injection",
  "retries",
  "timeouts",
  "circuit-breaking",
  "mtls",
  "authz",
  "rate-limit",
] as const;

/** Entries judging each named scenario on the given meshes. */
export function on(meshes: MeshName[], names: readonly string[]): SuiteEntry[] {
  return names.map((name) => ({ name, meshes }));
}
