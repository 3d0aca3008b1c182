/**
 * The reference target and policies (from the seed stacks) that the golden files are rendered
 * from, shared by the GAMMA and Linkerd tests so both meshes are judged on the same intents.
 */
import { parseIntents, type Intent, type Target } from "../../../src/mesh/intent.js";

export const target: Target = {
  namespace: "meshproof-llm",
  service: "llm-sim",
  port: 8000,
  versionLabel: "version",
  versions: ["stable", "canary"],
  selector: { "app.kubernetes.io/name": "llm-sim" },
  labels: { "app.kubernetes.io/managed-by": "meshproof", "meshproof.io/run-id": "golden-run" },
};

const canaryHeader = { name: "x-canary", match: { type: "exact", value: "true" } };

/** One reference intent per kind, as the scenarios will state them. */
export const referenceIntents = {
  split: { kind: "split", backends: [{ version: "stable", weight: 90 }, { version: "canary", weight: 10 }] },
  route: { kind: "route", match: { headers: [canaryHeader] }, version: "canary" },
  retry: {
    kind: "retry",
    attempts: 3,
    perTryTimeoutMs: 2000,
    retryOn: ["5xx", "reset", "connect-failure", "refused-stream"],
    budget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 },
  },
  timeoutInference: { kind: "timeout", ms: 60_000, match: { path: { type: "prefix", value: "/v1" } } },
  timeoutHealth: { kind: "timeout", ms: 5_000, match: { path: { type: "prefix", value: "/health" } } },
  fault: {
    kind: "fault",
    abort: { percent: 5, status: 503 },
    delay: { percent: 10, ms: 500 },
    match: { headers: [{ name: "x-chaos", match: { type: "exact", value: "true" } }] },
  },
  outlier: {
    kind: "outlier",
    consecutiveErrors: 5,
    intervalMs: 30_000,
    baseEjectionMs: 30_000,
    maxEjectionPercent: 50,
    connectionPool: { maxConnections: 100, maxPendingRequests: 50 },
  },
  mtls: { kind: "mtls", mode: "strict" },
  authz: {
    kind: "authz",
    rules: [
      {
        serviceAccounts: ["meshproof-llm/loadgen"],
        // Required and non-empty, as the reference governance policy states.
        headers: [
          { name: "x-team", match: { type: "regex", value: ".+" } },
          { name: "x-project", match: { type: "regex", value: ".+" } },
        ],
      },
      { namespaces: ["meshproof-monitoring"], methods: ["GET"], paths: [{ type: "prefix", value: "/metrics" }] },
    ],
  },
  rateLimit: { kind: "rateLimit", requests: 100, intervalMs: 60_000 },
} as const;

export type ReferenceCase = keyof typeof referenceIntents;

/** Golden cases: one per intent kind, plus the whole reference policy at once. */
export const goldenCases: Record<string, Intent[]> = {
  split: parseIntents([referenceIntents.split]),
  route: parseIntents([referenceIntents.split, referenceIntents.route]),
  retry: parseIntents([referenceIntents.retry]),
  timeout: parseIntents([referenceIntents.timeoutInference, referenceIntents.timeoutHealth]),
  fault: parseIntents([referenceIntents.fault]),
  outlier: parseIntents([referenceIntents.outlier]),
  mtls: parseIntents([referenceIntents.mtls]),
  authz: parseIntents([referenceIntents.authz]),
  "rate-limit": parseIntents([referenceIntents.rateLimit]),
  reference: parseIntents(Object.values(referenceIntents)),
};
