/**
 * The traffic policies the seed stacks ship (REFERENCE-STACKS A, C, E), as mesh-agnostic intents.
 * Scenarios share these constants so that, for example, `canary` and `header-routing` judge the
 * very same 90/10 split and header override, and a reader finds every reference value in one place.
 */
import type { IntentOf, Target } from "../src/mesh/intent.js";

export const STABLE = "stable";
export const CANARY = "canary";

/** Header that sends a request to the canary regardless of the split (seed stacks A and E). */
export const CANARY_HEADER = { name: "x-canary", value: "true" } as const;
/** Governance header of stack E; premium customers are kept on the proven version. */
export const TIER_HEADER = { name: "x-customer-tier", value: "premium" } as const;
export const PREMIUM_VERSION = STABLE;

/** The share of traffic the seed stacks give the canary. */
export const CANARY_PERCENT = 10;

/** `percent` of requests to the canary, the rest to stable. */
export function canarySplit(percent: number): IntentOf<"split"> {
  return {
    kind: "split",
    backends: [
      { version: STABLE, weight: 100 - percent },
      { version: CANARY, weight: percent },
    ],
  };
}

export const SPLIT_90_10 = canarySplit(CANARY_PERCENT);
/** Everything to stable: the starting point of a canary and the state a rollback returns to. */
export const ALL_STABLE = canarySplit(0);

export const CANARY_HEADER_OVERRIDE: IntentOf<"route"> = {
  kind: "route",
  match: { headers: [{ name: CANARY_HEADER.name, match: { type: "exact", value: CANARY_HEADER.value } }] },
  version: CANARY,
};

export const PREMIUM_TIER_ROUTE: IntentOf<"route"> = {
  kind: "route",
  match: { headers: [{ name: TIER_HEADER.name, match: { type: "exact", value: TIER_HEADER.value } }] },
  version: PREMIUM_VERSION,
};

/** Fault injection of stack E: 503 to 5% of requests, 500 ms delay to 10%. */
export const INJECTED_ABORT = { percent: 5, status: 503 } as const;
export const INJECTED_DELAY = { percent: 10, ms: 500 } as const;
export const FAULTS: IntentOf<"fault"> = {
  kind: "fault",
  abort: { ...INJECTED_ABORT },
  delay: { ...INJECTED_DELAY },
};

/**
 * Retries of stacks A and E: 3 attempts, 2 s per try, on 5xx, reset, connect-failure and
 * refused-stream; Linkerd's budget (stack E) of 20% extra load with a floor of 10 retries/s.
 */
export const RETRY_POLICY: IntentOf<"retry"> = {
  kind: "retry",
  attempts: 3,
  perTryTimeoutMs: 2_000,
  retryOn: ["5xx", "reset", "connect-failure", "refused-stream"],
  statusCodes: [],
  budget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 },
};

/** Per-route timeouts of stack E: 60 s for inference, 5 s for health. */
export const INFERENCE_TIMEOUT_MS = 60_000;
export const HEALTH_TIMEOUT_MS = 5_000;
export const INFERENCE_TIMEOUT: IntentOf<"timeout"> = { kind: "timeout", ms: INFERENCE_TIMEOUT_MS, match: { headers: [], path: { type: "prefix", value: "/v1" } } };
export const HEALTH_TIMEOUT: IntentOf<"timeout"> = { kind: "timeout", ms: HEALTH_TIMEOUT_MS, match: { headers: [], path: { type: "prefix", value: "/health" } } };

/**
 * Circuit breaking of stacks A, C and E: eject a host after 5 consecutive errors, scanning every
 * 30 s, for 30 s at first, never more than half the hosts; pool of 100 connections, 50 pending.
 */
export const CONSECUTIVE_ERRORS_TO_EJECT = 5;
export const OUTLIER_DETECTION: IntentOf<"outlier"> = {
  kind: "outlier",
  consecutiveErrors: CONSECUTIVE_ERRORS_TO_EJECT,
  intervalMs: 30_000,
  baseEjectionMs: 30_000,
  maxEjectionPercent: 50,
  connectionPool: { maxConnections: 100, maxPendingRequests: 50 },
};

export const STRICT_MTLS: IntentOf<"mtls"> = { kind: "mtls", mode: "strict", permissivePorts: [] };
export const PERMISSIVE_MTLS: IntentOf<"mtls"> = { kind: "mtls", mode: "permissive", permissivePorts: [] };

/** Service accounts of the reference stack's two clients (the stack deploys them). */
export const LOADGEN_SERVICE_ACCOUNT = "loadgen";
/** Headers stack E requires on every inference call. */
export const REQUIRED_HEADERS = { "x-team": "ml-platform", "x-project": "meshproof" } as const;

export interface AuthzAllow {
  /** Service accounts in the target's namespace. */
  serviceAccounts: string[];
  methods: IntentOf<"authz">["rules"][number]["methods"];
  pathPrefix: string;
}

/** The allow rule of stack E: the loadgen identity may POST to /v1 with x-team and x-project set. */
export const REFERENCE_ALLOW: AuthzAllow = { serviceAccounts: [LOADGEN_SERVICE_ACCOUNT], methods: ["POST"], pathPrefix: "/v1" };

/** Deny by default, then allow exactly what `allow` names, requiring the governance headers. */
export function authzPolicy(target: Target, allow: AuthzAllow | undefined): IntentOf<"authz"> {
  if (!allow) return { kind: "authz", rules: [] };
  return {
    kind: "authz",
    rules: [
      {
        serviceAccounts: allow.serviceAccounts.map((sa) => `${target.namespace}/${sa}`),
        namespaces: [],
        methods: allow.methods,
        paths: [{ type: "prefix", value: allow.pathPrefix }],
        // Stack E wants them non-empty. `present` is what every mesh expresses: Istio's presence
        // match requires a non-empty value; a regex (.+) would say it exactly but Istio's
        // authorization conditions take none. The scenario never sends an empty header.
        headers: Object.keys(REQUIRED_HEADERS).map((name) => ({ name, match: { type: "present" } })),
      },
    ],
  };
}

/** Local rate limit of stack E: 100 requests per minute. */
export const RATE_LIMIT_REQUESTS = 100;
export const RATE_LIMIT_INTERVAL_MS = 60_000;
export const RATE_LIMIT: IntentOf<"rateLimit"> = { kind: "rateLimit", requests: RATE_LIMIT_REQUESTS, intervalMs: RATE_LIMIT_INTERVAL_MS };
