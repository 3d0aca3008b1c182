/** The suites, as an explicit list (no registration side effects). */
import { conformance } from "./conformance.js";
import { hostCi } from "./host-ci.js";
import { nightly } from "./nightly.js";
import { preUpgrade } from "./pre-upgrade.js";
import type { SuiteDefinition } from "./suite.js";

export const SUITES: readonly SuiteDefinition[] = [nightly, preUpgrade, conformance, hostCi];

export function findSuite(name: string): SuiteDefinition | undefined {
  return SUITES.find((s) => s.name === name);
}

export { conformance, hostCi, nightly, preUpgrade };
export { defineSuite, on, POLICY_SCENARIOS, type SuiteDefinition, type SuiteEntry } from "./suite.js";
