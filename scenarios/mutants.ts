/**
 * The mutant catalog: for every scenario, at least one deliberately wrong configuration (or
 * backend) and the check that must fail on it. `npm run scenario -- --mutant <name>` runs one;
 * a run reports "mutant killed" when the aimed check fails and "mutant survived" (a harness
 * defect) when it passes. Each mutation is a rewrite of the scenario's own intents, rendered by
 * the mesh's real driver, so it is as mesh-agnostic as the scenario.
 */
import type { Mutant } from "../src/engine/mutant.js";
import type { Intent, IntentOf } from "../src/mesh/intent.js";
import { CANARY, CANARY_PERCENT, INFERENCE_TIMEOUT_MS, RETRY_POLICY, STABLE } from "./policies.js";
import { BENCHMARK_SLO, UPGRADE_SLO } from "./slo.js";

type Rewrite<K extends Intent["kind"]> = (intent: IntentOf<K>) => Intent | undefined;

/** Rewrite (or drop, by returning undefined) every intent of one kind; others pass untouched. */
function rewrite<K extends Intent["kind"]>(kind: K, f: Rewrite<K>): (intents: Intent[]) => Intent[] {
  return (intents) => intents.flatMap((i) => (i.kind === kind ? [f(i as IntentOf<K>)].filter((x): x is Intent => x !== undefined) : [i]));
}

const isInferencePath = (i: IntentOf<"timeout">) => i.match?.path?.value === "/v1";

/** The canary weight the mutant spoils, and the split it puts in its place. */
export const SPOILED_CANARY_PERCENT = CANARY_PERCENT;
export const HALF = 50;

/** Twice the claimed abort share of the fault-injection scenario. */
export const FAULT_RATE_FACTOR = 2;
/** The timeout mutant's limit: ten times the claimed one. */
export const TIMEOUT_FACTOR = 10;
/** Retries the mutant leaves: one, where the scenario recovers requests failing twice. */
export const TOO_FEW_ATTEMPTS = 1;
/** Backend delay that pushes time to first token past the benchmark's p90 limit. */
export const SLOW_BACKEND_DELAY_MS = BENCHMARK_SLO.ttftP99Ms + 1_000;
/** Backend error share well past the upgrade's error budget. */
export const FAILING_BACKEND_ERROR_RATE = Math.min(1, UPGRADE_SLO.maxErrorRate * 10);

export const MUTANTS: readonly Mutant[] = [
  {
    name: "canary-even-split",
    scenario: "canary",
    wrong: `the ${SPOILED_CANARY_PERCENT}% canary step is rendered as a ${HALF}/${HALF} split`,
    aimedAt: `shift-${SPOILED_CANARY_PERCENT}-converged-share`,
    mutate: rewrite("split", (s) =>
      s.backends.find((b) => b.version === CANARY)?.weight === SPOILED_CANARY_PERCENT
        ? { kind: "split", backends: [{ version: STABLE, weight: HALF }, { version: CANARY, weight: HALF }] }
        : s,
    ),
  },
  {
    name: "header-routing-no-match",
    scenario: "header-routing",
    wrong: "the header routes are dropped: x-canary: true and the premium tier fall to the weighted split",
    aimedAt: "routing-converged-override",
    mutate: rewrite("route", () => undefined),
  },
  {
    name: "fault-injection-double-aborts",
    scenario: "fault-injection",
    wrong: `the abort share is ${FAULT_RATE_FACTOR} times the claimed one`,
    aimedAt: "faults-converged-aborts",
    mutate: rewrite("fault", (f) => (f.abort ? { ...f, abort: { ...f.abort, percent: Math.min(100, f.abort.percent * FAULT_RATE_FACTOR) } } : f)),
  },
  {
    name: "retries-too-few",
    scenario: "retries",
    wrong: `the retry policy allows ${TOO_FEW_ATTEMPTS} attempt where ${RETRY_POLICY.attempts} are claimed, so a request failing twice is not recovered`,
    aimedAt: "retries-converged-success",
    mutate: rewrite("retry", (r) => ({ ...r, attempts: TOO_FEW_ATTEMPTS })),
  },
  {
    // Istio retries 503 twice even without a policy (see its capabilities note); the retries
    // scenario fails its tries with 500, which only the claimed policy (5xx) retries.
    name: "retries-missing",
    scenario: "retries",
    wrong: "the retry policy is missing",
    aimedAt: "retries-converged-success",
    mutate: rewrite("retry", () => undefined),
  },
  {
    name: "timeouts-ten-times-longer",
    scenario: "timeouts",
    wrong: `the inference route's timeout is ${TIMEOUT_FACTOR} times the claimed ${INFERENCE_TIMEOUT_MS / 1000} s`,
    aimedAt: "timeouts-converged-cut",
    mutate: rewrite("timeout", (t) => (isInferencePath(t) ? { ...t, ms: t.ms * TIMEOUT_FACTOR } : t)),
  },
  {
    name: "timeouts-missing",
    scenario: "timeouts",
    wrong: "the inference route has no timeout at all",
    aimedAt: "timeouts-converged-cut",
    mutate: rewrite("timeout", (t) => (isInferencePath(t) ? undefined : t)),
  },
  {
    name: "circuit-breaking-no-outlier",
    scenario: "circuit-breaking",
    wrong: "outlier detection is missing: the failing replica is never ejected",
    aimedAt: "ejection-converged",
    mutate: rewrite("outlier", () => undefined),
  },
  {
    name: "mtls-permissive",
    scenario: "mtls",
    wrong: "PERMISSIVE mTLS where STRICT is claimed: an outsider's plaintext is accepted",
    aimedAt: "strict-converged-refused",
    mutate: rewrite("mtls", (m) => ({ ...m, mode: "permissive" })),
  },
  {
    name: "authz-allow-all",
    scenario: "authz",
    wrong: "every authorization policy allows everything where deny by default is claimed",
    aimedAt: "deny-all-converged",
    mutate: rewrite("authz", () => ({ kind: "authz", rules: [{ serviceAccounts: [], namespaces: [], methods: [], paths: [], headers: [] }] })),
  },
  {
    name: "rate-limit-none",
    scenario: "rate-limit",
    wrong: "no rate limit is applied",
    aimedAt: "limit-converged",
    mutate: rewrite("rateLimit", () => undefined),
  },
  {
    name: "benchmark-slow-backend",
    scenario: "benchmark",
    wrong: `the backend holds every completion's headers back ${SLOW_BACKEND_DELAY_MS} ms, past the ${BENCHMARK_SLO.ttftP99Ms} ms time-to-first-token limit`,
    aimedAt: "sweep-1-ttft",
    backend: { delayMs: SLOW_BACKEND_DELAY_MS },
  },
  {
    name: "upgrade-failing-backend",
    scenario: "upgrade",
    wrong: `the backend fails ${FAILING_BACKEND_ERROR_RATE * 100}% of completions, past the upgrade's ${UPGRADE_SLO.maxErrorRate * 100}% error budget`,
    aimedAt: "during-1-error-rate",
    backend: { errorRate: FAILING_BACKEND_ERROR_RATE, errorStatus: 503 },
  },
];

/** The mutant of that name, or undefined (the CLI turns that into a "did you mean" error). */
export function findMutant(name: string): Mutant | undefined {
  return MUTANTS.find((m) => m.name === name);
}

export function mutantsOf(scenario: string): Mutant[] {
  return MUTANTS.filter((m) => m.scenario === scenario);
}
