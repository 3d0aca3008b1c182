/**
 * The scenario catalog, as an explicit list: importing it runs no registration side effects, and
 * the order is the order `npm run scenario -- --help` and the suites show.
 */
import type { ScenarioDefinition } from "../src/engine/scenario.js";
import { authz } from "./authz.js";
import { benchmark } from "./benchmark.js";
import { canary } from "./canary.js";
import { circuitBreaking } from "./circuit-breaking.js";
import { faultInjection } from "./fault-injection.js";
import { headerRouting } from "./header-routing.js";
import { mtls } from "./mtls.js";
import { rateLimit } from "./rate-limit.js";
import { retries } from "./retries.js";
import { timeouts } from "./timeouts.js";
import { upgrade } from "./upgrade.js";

export const SCENARIOS: readonly ScenarioDefinition[] = [
  canary,
  headerRouting,
  faultInjection,
  retries,
  timeouts,
  circuitBreaking,
  mtls,
  authz,
  rateLimit,
  benchmark,
  upgrade,
];

/** The scenario of that name, or undefined (the CLI turns that into a "did you mean" error). */
export function findScenario(name: string): ScenarioDefinition | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export { authz, benchmark, canary, circuitBreaking, faultInjection, headerRouting, mtls, rateLimit, retries, timeouts, upgrade };
