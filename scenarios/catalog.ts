/**
 * The catalog as names and one-line summaries, in catalog order: what `--help`, `--list` and a
 * mistyped name's "did you mean" need, without loading the scenarios themselves (their manifests
 * and statistical plans take most of a second). Each scenario's description opens with its
 * summary from here; scenarios/index.ts lists the definitions in the same order.
 */
import {
  CANARY_HEADER,
  CANARY_PERCENT,
  CONSECUTIVE_ERRORS_TO_EJECT,
  INFERENCE_TIMEOUT_MS,
  INJECTED_ABORT,
  INJECTED_DELAY,
  PREMIUM_VERSION,
  RATE_LIMIT_REQUESTS,
  TIER_HEADER,
} from "./policies.js";

export const SCENARIO_SUMMARIES = {
  canary: "Progressive canary: shift 0 -> 10 -> 25 -> 50 -> 100% of traffic to the canary with an SLO gate at every step.",
  "header-routing":
    `Header routing: ${CANARY_HEADER.name}: ${CANARY_HEADER.value} reaches the canary, ${TIER_HEADER.name}: ${TIER_HEADER.value} reaches ${PREMIUM_VERSION}, ` +
    `all else the ${100 - CANARY_PERCENT}/${CANARY_PERCENT} split.`,
  "fault-injection": `Fault injection: ${INJECTED_ABORT.status} to ${INJECTED_ABORT.percent}% and a ${INJECTED_DELAY.ms} ms delay to ${INJECTED_DELAY.percent}% of requests, each share within its statistical bounds.`,
  retries: "Retries with server-side faults: failed tries are recovered, endless failures given up on, started streams never replayed.",
  timeouts: `Per-route timeouts: the ${INFERENCE_TIMEOUT_MS / 1000} s inference route cuts slower requests on time, and long completions within it finish.`,
  "circuit-breaking": `Circuit breaking: a replica failing every request is ejected after ${CONSECUTIVE_ERRORS_TO_EJECT} consecutive errors, and client errors fall to near zero.`,
  mtls: "Mutual TLS: under strict mode an outsider is refused and a meshed client arrives with its identity; under permissive both pass.",
  authz: "Authorization: deny by default; only the allowed identity, path and method with the required headers pass.",
  "rate-limit": `Rate limiting: the seed stacks' local limit of ${RATE_LIMIT_REQUESTS} requests per minute holds.`,
  benchmark: "Benchmark: latency and throughput of streamed completions across a rate sweep, with each mesh and with none.",
  upgrade: "Mesh upgrade N -> N+1 under steady load: failed requests and latency before, during and after the upgrade.",
} as const satisfies Record<string, string>;

export type ScenarioName = keyof typeof SCENARIO_SUMMARIES;

/** Every scenario's name, in catalog order. */
export const SCENARIO_NAMES = Object.keys(SCENARIO_SUMMARIES) as ScenarioName[];
