/**
 * A suite is data: scenario names, each judged on the meshes the run names (`--mesh`), and on the
 * no-mesh baseline where the entry asks for it. Names, not imports, so a suite reads as the list a
 * CI job runs, and a test proves every name exists in the catalog. No suite lists mesh names: the
 * mesh registry (src/mesh/registry.ts) says which meshes there are.
 */

export interface SuiteEntry {
  /** A scenario name from the catalog (scenarios/index.ts). */
  name: string;
  /** Whether the baseline joins the scenario here; only where the scenario itself joins it. */
  baseline: boolean;
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

/** Judged on the meshes the run names. */
export const MESHES_ONLY = { baseline: false } as const;
/** Judged on the meshes the run names and on the no-mesh baseline. */
export const WITH_BASELINE = { baseline: true } as const;

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

/** Entries judging each named scenario on the meshes (and the baseline) the selection says. */
export function on(selection: typeof MESHES_ONLY | typeof WITH_BASELINE, names: readonly string[]): SuiteEntry[] {
  return names.map((name) => ({ name, baseline: selection.baseline }));
}
