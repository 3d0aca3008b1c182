/**
 * Version subsets and circuit breaking (outlier intent) as networking.istio.io/v1 DestinationRule.
 * Fields: https://istio.io/latest/docs/reference/config/networking/destination-rule/ and the
 * circuit-breaking task https://istio.io/latest/docs/tasks/traffic-management/circuit-breaking/
 * (checked against the 1.30.3 CRD; see references.ts).
 */
import { DestinationRule, type IDestinationRule } from "@kubernetes-models/istio/networking.istio.io/v1/DestinationRule";
import type { KubeObject } from "../../plan/steps.js";
import type { UnsupportedIntent } from "../driver.js";
import type { IntentOf, Target } from "../intent.js";
import { istioDuration } from "./meta.js";

type Spec = NonNullable<IDestinationRule["spec"]>;
type TrafficPolicy = NonNullable<Spec["trafficPolicy"]>;
type ConnectionPool = NonNullable<TrafficPolicy["connectionPool"]>;
type OutlierDetection = NonNullable<TrafficPolicy["outlierDetection"]>;
type Subset = NonNullable<Spec["subsets"]>[number];

export interface DestinationRuleInput {
  name: string;
  host: string;
  /** Versions to define as subsets, selected by target.versionLabel. */
  subsets: string[];
  outliers: IntentOf<"outlier">[];
}

export interface RenderedDestinationRule {
  manifest: KubeObject | undefined;
  unsupported: UnsupportedIntent[];
}

export function renderDestinationRule(input: DestinationRuleInput, target: Target): RenderedDestinationRule {
  const unsupported: UnsupportedIntent[] = [];
  const [outlier, ...extra] = input.outliers;
  unsupported.push(
    ...extra.map(
      (): UnsupportedIntent => ({ intent: "outlier", reason: "one outlier policy per service: the first outlier intent is rendered" }),
    ),
  );
  if (!outlier && input.subsets.length === 0) return { manifest: undefined, unsupported };

  const spec: Spec = { host: input.host };
  if (input.subsets.length > 0) {
    spec.subsets = input.subsets.map((version): Subset => ({ name: version, labels: { [target.versionLabel]: version } }));
  }
  if (outlier) {
    const policy: TrafficPolicy = { outlierDetection: toOutlierDetection(outlier, unsupported) };
    const pool = toConnectionPool(outlier);
    if (pool) policy.connectionPool = pool;
    spec.trafficPolicy = policy;
  }

  const rule = new DestinationRule({
    metadata: { name: input.name, namespace: target.namespace, labels: { ...target.labels } },
    spec,
  });
  rule.validate();
  return { manifest: rule.toJSON() as KubeObject, unsupported };
}

/**
 * consecutive5xxErrors counts upstream 5xx and, with splitExternalLocalOriginErrors unset,
 * locally originated failures (connect errors, timeouts) too, which is what "consecutive
 * errors" means for an LLM backend that stalls or refuses connections.
 */
function toOutlierDetection(outlier: IntentOf<"outlier">, unsupported: UnsupportedIntent[]): OutlierDetection {
  const detection: OutlierDetection = {
    consecutive5xxErrors: outlier.consecutiveErrors,
    interval: istioDuration(outlier.intervalMs),
    baseEjectionTime: istioDuration(outlier.baseEjectionMs),
    maxEjectionPercent: wholePercent("maxEjectionPercent", outlier.maxEjectionPercent, unsupported),
  };
  if (outlier.minHealthPercent !== undefined) {
    detection.minHealthPercent = wholePercent("minHealthPercent", outlier.minHealthPercent, unsupported);
  }
  return detection;
}

/** The CRD types both percentages as int32. */
function wholePercent(field: string, percent: number, unsupported: UnsupportedIntent[]): number {
  const whole = Math.round(percent);
  if (whole !== percent) {
    unsupported.push({ intent: "outlier", partial: true, reason: `${field} takes whole percent in Istio: ${percent}% was rendered as ${whole}%` });
  }
  return whole;
}

function toConnectionPool(outlier: IntentOf<"outlier">): ConnectionPool | undefined {
  const limits = outlier.connectionPool;
  if (!limits) return undefined;
  const pool: ConnectionPool = {};
  if (limits.maxConnections !== undefined) pool.tcp = { maxConnections: limits.maxConnections };
  const http: NonNullable<ConnectionPool["http"]> = {};
  if (limits.maxPendingRequests !== undefined) http.http1MaxPendingRequests = limits.maxPendingRequests;
  if (limits.maxRequestsPerConnection !== undefined) http.maxRequestsPerConnection = limits.maxRequestsPerConnection;
  if (limits.http2MaxRequests !== undefined) http.http2MaxRequests = limits.http2MaxRequests;
  if (Object.keys(http).length > 0) pool.http = http;
  return pool.tcp || pool.http ? pool : undefined;
}
