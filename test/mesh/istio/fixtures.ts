/**
 * The workload and the reference policies of the seed stacks (REFERENCE-STACKS.md), as intents.
 * Parsed through the intent schema so defaults are applied exactly as scenarios get them.
 */
import { parseIntents, type Intent, type IntentKind, type Target } from "../../../src/mesh/intent.js";

export const target: Target = {
  namespace: "llm",
  service: "llm-sim",
  port: 8000,
  versionLabel: "version",
  versions: ["stable", "canary"],
  selector: { app: "llm-sim" },
  labels: { "app.kubernetes.io/managed-by": "meshproof", "meshproof.dev/run-id": "golden" },
};

/** One reference intent per kind: the defaults scenarios use. */
export const referenceIntents: Record<IntentKind, Intent> = {
  split: one({ kind: "split", backends: [{ version: "stable", weight: 90 }, { version: "canary", weight: 10 }] }),
  route: one({ kind: "route", match: { headers: [{ name: "x-canary", match: { type: "exact", value: "true" } }] }, version: "canary" }),
  fault: one({
    kind: "fault",
    abort: { percent: 5, status: 503 },
    delay: { percent: 10, ms: 500 },
    match: { headers: [{ name: "x-chaos", match: { type: "exact", value: "true" } }] },
  }),
  retry: one({ kind: "retry", attempts: 3, perTryTimeoutMs: 2000, retryOn: ["5xx", "reset", "connect-failure", "refused-stream"] }),
  timeout: one({ kind: "timeout", ms: 60_000, match: { path: { type: "prefix", value: "/v1" } } }),
  outlier: one({
    kind: "outlier",
    consecutiveErrors: 5,
    intervalMs: 30_000,
    baseEjectionMs: 30_000,
    maxEjectionPercent: 50,
    minHealthPercent: 25,
    connectionPool: { maxConnections: 100, maxPendingRequests: 50 },
  }),
  mtls: one({ kind: "mtls", mode: "strict", permissivePorts: [8081] }),
  authz: one({
    kind: "authz",
    rules: [
      {
        serviceAccounts: ["llm/loadgen"],
        methods: ["GET", "POST"],
        paths: [{ type: "prefix", value: "/v1" }],
        headers: [
          { name: "x-team", match: { type: "present" } },
          { name: "x-project", match: { type: "present" } },
        ],
      },
      { namespaces: ["monitoring"], methods: ["GET"], paths: [{ type: "exact", value: "/metrics" }] },
    ],
  }),
  rateLimit: one({ kind: "rateLimit", requests: 100, intervalMs: 60_000 }),
};

/** The whole reference policy of stack E at once: both route timeouts, every other intent once. */
export const referencePolicy: Intent[] = [
  referenceIntents.split,
  referenceIntents.route,
  referenceIntents.fault,
  referenceIntents.retry,
  referenceIntents.timeout,
  one({ kind: "timeout", ms: 5_000, match: { path: { type: "prefix", value: "/health" } } }),
  referenceIntents.outlier,
  referenceIntents.mtls,
  referenceIntents.authz,
  referenceIntents.rateLimit,
];

export function one(input: unknown): Intent {
  const [intent] = parseIntents([input]);
  if (!intent) throw new Error("parseIntents returned nothing");
  return intent;
}
