/**
 * Linkerd's annotations: mesh enrolment, proxy resources, and the per-route reliability policy
 * (retries, timeouts, failure accrual) that Linkerd 2.20 reads from annotations on Services and
 * HTTPRoutes rather than from fields.
 * Sources (version 2.20):
 *   https://linkerd.io/2.20/features/proxy-injection/ and https://linkerd.io/2.20/reference/proxy-configuration/
 *   https://linkerd.io/2.20/reference/retries/
 *   https://linkerd.io/2.20/reference/timeouts/
 *   https://linkerd.io/2.20/reference/circuit-breaking/
 * and the parsers in policy-controller/k8s/index/src/outbound/index.rs at version-2.20, which
 * fix the value formats: durations are one integer and one unit (ms, s, m, h, d), never
 * compound ("1m30s" is rejected); retry conditions are split on "," with no trimming.
 */
import type { IntentOf, RetryCondition } from "../intent.js";

export const INJECT_ANNOTATION = "linkerd.io/inject";

/** Proxy resources of the reference stack (sidecar requests 100m CPU / 128Mi). */
export const DEFAULT_PROXY_RESOURCES = { cpuRequest: "100m", memoryRequest: "128Mi" } as const;

export interface ProxyResources {
  cpuRequest?: string;
  memoryRequest?: string;
  cpuLimit?: string;
  memoryLimit?: string;
}

export function proxyResourceAnnotations(resources: ProxyResources): Record<string, string> {
  const out: Record<string, string> = {};
  if (resources.cpuRequest) out["config.linkerd.io/proxy-cpu-request"] = resources.cpuRequest;
  if (resources.memoryRequest) out["config.linkerd.io/proxy-memory-request"] = resources.memoryRequest;
  if (resources.cpuLimit) out["config.linkerd.io/proxy-cpu-limit"] = resources.cpuLimit;
  if (resources.memoryLimit) out["config.linkerd.io/proxy-memory-limit"] = resources.memoryLimit;
  return out;
}

/** One integer and the largest unit that divides it exactly, as Linkerd's parser requires. */
export function linkerdDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`a Linkerd duration needs a positive whole number of milliseconds, got ${ms}`);
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

/** Conditions retry.linkerd.io/http cannot name: it lists response statuses only. */
const CONNECTION_CONDITIONS: readonly RetryCondition[] = ["reset", "connect-failure", "refused-stream"];

export interface AnnotationsWithGaps {
  annotations: Record<string, string>;
  /** Parts of the intent the annotations cannot carry, in words. */
  gaps: string[];
}

/**
 * retry.linkerd.io/http (5xx, gateway-error, single codes), retry.linkerd.io/limit (retries
 * after the first attempt, like the intent's `attempts`) and retry.linkerd.io/timeout (per try).
 */
export function retryAnnotations(intent: IntentOf<"retry">): AnnotationsWithGaps {
  const conditions: string[] = [];
  for (const c of intent.retryOn) {
    if (c === "5xx" || c === "gateway-error") conditions.push(c);
    else if (c === "retriable-status-codes") conditions.push(...intent.statusCodes.map(String));
  }
  const annotations: Record<string, string> = { "retry.linkerd.io/limit": String(intent.attempts) };
  if (conditions.length > 0) annotations["retry.linkerd.io/http"] = [...new Set(conditions)].join(",");
  if (intent.perTryTimeoutMs) annotations["retry.linkerd.io/timeout"] = linkerdDuration(intent.perTryTimeoutMs);

  const gaps: string[] = [];
  const connection = intent.retryOn.filter((c) => CONNECTION_CONDITIONS.includes(c));
  if (connection.length > 0) {
    gaps.push(`retry on ${connection.join(", ")}: retry.linkerd.io/http selects response statuses only; connection failures cannot be chosen as retry conditions`);
  }
  if (intent.budget) {
    gaps.push(
      `retry budget (${Math.round(intent.budget.ratio * 1000) / 10}% of requests, at least ${intent.budget.minRetriesPerSecond}/s, over ${intent.budget.ttlSeconds}s): Linkerd 2.20 has budgets only on ServiceProfiles, which switch off HTTPRoute retries, timeouts and circuit breaking for the Service, so the count-based retry.linkerd.io/limit is rendered instead`,
    );
  }
  return { annotations, gaps };
}

/** timeout.linkerd.io/request: the whole request-response exchange, retries included. */
export function timeoutAnnotations(intent: IntentOf<"timeout">): Record<string, string> {
  return { "timeout.linkerd.io/request": linkerdDuration(intent.ms) };
}

/** Linkerd's default ceiling on the probation backoff (balancer.linkerd.io/failure-accrual-consecutive-max-penalty). */
const DEFAULT_MAX_PENALTY_MS = 60_000;

/**
 * Consecutive-failure accrual on the Service clients call. The intent's base ejection time is
 * the minimum penalty; Linkerd then backs off exponentially up to the maximum penalty, which
 * must not be below the minimum, so it is Linkerd's default (1m) unless the base exceeds it.
 */
export function failureAccrualAnnotations(intent: IntentOf<"outlier">): AnnotationsWithGaps {
  const annotations = {
    "balancer.linkerd.io/failure-accrual": "consecutive",
    "balancer.linkerd.io/failure-accrual-consecutive-max-failures": String(intent.consecutiveErrors),
    "balancer.linkerd.io/failure-accrual-consecutive-min-penalty": linkerdDuration(intent.baseEjectionMs),
    "balancer.linkerd.io/failure-accrual-consecutive-max-penalty": linkerdDuration(Math.max(DEFAULT_MAX_PENALTY_MS, intent.baseEjectionMs)),
  };
  const gaps = [
    `detection interval ${intent.intervalMs} ms: Linkerd trips an endpoint as soon as ${intent.consecutiveErrors} consecutive 5xx responses arrive, with no periodic sweep`,
  ];
  if (intent.maxEjectionPercent < 100) {
    gaps.push(`at most ${intent.maxEjectionPercent}% ejected: Linkerd can make every endpoint unavailable (then requests fail with 503)`);
  }
  if (intent.minHealthPercent !== undefined) gaps.push(`minimum healthy ${intent.minHealthPercent}%: Linkerd has no panic threshold`);
  if (intent.connectionPool && Object.keys(intent.connectionPool).length > 0) {
    gaps.push(`connection-pool limits (${Object.keys(intent.connectionPool).join(", ")}): Linkerd has no per-destination connection or pending-request limits`);
  }
  return { annotations, gaps };
}
