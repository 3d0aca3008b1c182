/**
 * The mesh-agnostic traffic policy model. A scenario states what it wants from the mesh once,
 * as a list of intents; each MeshDriver renders them into its own resources or reports them
 * unsupported with a reason. Schemas (zod) validate user-supplied or scenario-built intents and
 * the inferred types are what the drivers consume.
 */
import { z } from "zod";

/** Kubernetes DNS-1123 label: what a Service, namespace or version label value may be. */
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label (lower case, digits, '-')")
  .max(63);

const percent = z.number().min(0).max(100);
const positiveMs = z.number().int().positive();

/** A header condition. `present` matches any value, as the authorization rules need. */
export const HeaderMatch = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, "header names are tokens")
    .transform((s) => s.toLowerCase()),
  match: z.discriminatedUnion("type", [
    z.object({ type: z.literal("exact"), value: z.string() }),
    z.object({ type: z.literal("regex"), value: z.string() }),
    z.object({ type: z.literal("present") }),
  ]),
});
export type HeaderMatch = z.infer<typeof HeaderMatch>;

export const PathMatch = z.discriminatedUnion("type", [
  z.object({ type: z.literal("prefix"), value: z.string().startsWith("/") }),
  z.object({ type: z.literal("exact"), value: z.string().startsWith("/") }),
]);
export type PathMatch = z.infer<typeof PathMatch>;

/** Which requests an intent applies to; omitted means every request to the service. */
export const RequestMatch = z.object({
  headers: z.array(HeaderMatch).default([]),
  path: PathMatch.optional(),
});
export type RequestMatch = z.infer<typeof RequestMatch>;

/** Weighted split across versions of one service (canary). Weights are integers summing to 100. */
export const SplitIntent = z
  .object({
    kind: z.literal("split"),
    backends: z.array(z.object({ version: dnsLabel, weight: z.number().int().min(0).max(100) })).min(1),
  })
  .refine((s) => s.backends.reduce((a, b) => a + b.weight, 0) === 100, "split weights must sum to 100")
  .refine((s) => new Set(s.backends.map((b) => b.version)).size === s.backends.length, "versions must be distinct");

/** Requests matching `match` go to `version`, ahead of any split. */
export const RouteIntent = z.object({
  kind: z.literal("route"),
  match: RequestMatch,
  version: dnsLabel,
});

/** Injected failures. At least one of abort or delay. `match` narrows it (e.g. a chaos header). */
export const FaultIntent = z
  .object({
    kind: z.literal("fault"),
    abort: z.object({ percent, status: z.number().int().min(200).max(599) }).optional(),
    delay: z.object({ percent, ms: positiveMs }).optional(),
    match: RequestMatch.optional(),
  })
  .refine((f) => f.abort || f.delay, "a fault needs an abort, a delay, or both");

export const RetryCondition = z.enum([
  "5xx",
  "gateway-error",
  "reset",
  "connect-failure",
  "refused-stream",
  "retriable-status-codes",
]);
export type RetryCondition = z.infer<typeof RetryCondition>;

/**
 * Retries. Istio and Gateway API take a fixed attempt count; Linkerd bounds retries with a
 * budget (ratio of extra load, a floor per second, a time window), so both forms are carried.
 */
export const RetryIntent = z.object({
  kind: z.literal("retry"),
  attempts: z.number().int().min(1).max(10),
  perTryTimeoutMs: positiveMs.optional(),
  retryOn: z.array(RetryCondition).min(1),
  statusCodes: z.array(z.number().int().min(400).max(599)).default([]),
  budget: z
    .object({ ratio: z.number().gt(0).max(1), minRetriesPerSecond: z.number().int().min(0), ttlSeconds: z.number().int().positive() })
    .optional(),
  match: RequestMatch.optional(),
});

/** A whole-request timeout, optionally on a path (e.g. 60 s for /v1, 5 s for /health). */
export const TimeoutIntent = z.object({
  kind: z.literal("timeout"),
  ms: positiveMs,
  match: RequestMatch.optional(),
});

/** Circuit breaking: passive health (outlier ejection) plus connection-pool limits. */
export const OutlierIntent = z.object({
  kind: z.literal("outlier"),
  consecutiveErrors: z.number().int().min(1),
  intervalMs: positiveMs,
  baseEjectionMs: positiveMs,
  maxEjectionPercent: percent,
  minHealthPercent: percent.optional(),
  connectionPool: z
    .object({
      maxConnections: z.number().int().positive().optional(),
      maxPendingRequests: z.number().int().positive().optional(),
      maxRequestsPerConnection: z.number().int().positive().optional(),
      http2MaxRequests: z.number().int().positive().optional(),
    })
    .optional(),
});

export const MtlsIntent = z.object({
  kind: z.literal("mtls"),
  mode: z.enum(["strict", "permissive"]),
  /** Ports left permissive under strict mode, e.g. a kubelet health-check port. */
  permissivePorts: z.array(z.number().int().min(1).max(65535)).default([]),
});

export const AuthzRule = z.object({
  /** Workload identities as Kubernetes service accounts, "namespace/name". */
  serviceAccounts: z.array(z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, "use namespace/serviceaccount")).default([]),
  namespaces: z.array(dnsLabel).default([]),
  methods: z.array(z.enum(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])).default([]),
  paths: z.array(PathMatch).default([]),
  headers: z.array(HeaderMatch).default([]),
});
export type AuthzRule = z.infer<typeof AuthzRule>;

/** Default deny for the service; each rule is an allow (fields within a rule are ANDed). */
export const AuthzIntent = z.object({
  kind: z.literal("authz"),
  rules: z.array(AuthzRule),
});

/** Local (per-proxy) rate limit: `requests` per `intervalMs`, with an optional burst. */
export const RateLimitIntent = z.object({
  kind: z.literal("rateLimit"),
  requests: z.number().int().positive(),
  intervalMs: positiveMs,
  burst: z.number().int().positive().optional(),
});

export const Intent = z.union([
  SplitIntent,
  RouteIntent,
  FaultIntent,
  RetryIntent,
  TimeoutIntent,
  OutlierIntent,
  MtlsIntent,
  AuthzIntent,
  RateLimitIntent,
]);
export type Intent = z.infer<typeof Intent>;
export type IntentKind = Intent["kind"];
export type IntentOf<K extends IntentKind> = Extract<Intent, { kind: K }>;

export const INTENT_KINDS = [
  "split",
  "route",
  "fault",
  "retry",
  "timeout",
  "outlier",
  "mtls",
  "authz",
  "rateLimit",
] as const satisfies readonly IntentKind[];

/**
 * The workload an intent set applies to: one Service whose pods carry a version label.
 * `versions` lists the version label values deployed (stable first).
 */
export interface Target {
  namespace: string;
  service: string;
  port: number;
  versionLabel: string;
  versions: string[];
  /** Label selector common to every version's pods. */
  selector: Record<string, string>;
  /** Labels stamped on every rendered resource (managed-by, run-id). */
  labels: Record<string, string>;
  /** The image the stack's reference servers run, for a scenario that adds a replica (the cluster may have no registry). */
  simImage?: string;
}

/** Parse and normalise intents (applies defaults); throws a ZodError listing every problem. */
export function parseIntents(input: unknown[]): Intent[] {
  return input.map((i) => Intent.parse(i));
}
