/** The suites, as an explicit list (no registration side effects). */
import { conformance } from "./conformance.js";
import { nightly } from "./nightly.js";
import { preUpgrade } from "./pre-upgrade.js";
import { smoke } from "./smoke.js";
import type { SuiteDefinition } from "./suite.js";

export const SUITES: readonly SuiteDefinition[] = [nightly, preUpgrade, conformance, smoke];

export function findSuite(name: string): SuiteDefinition | undefined {
  return SUITES.find((s) => s.name === name);
}

export { conformance, nightly, preUpgrade, smoke };
export { defineSuite, on, POLICY_SCENARIOS, type SuiteDefinition, type SuiteEntry } from "./suite.js";
