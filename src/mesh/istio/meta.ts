/**
 * What every rendered Istio object shares: deterministic names (`<service>-<purpose>`), the
 * run's labels, the target namespace, and Istio's duration format.
 */
import type { Target } from "../intent.js";

/** The purposes a rendered object can serve; one object per purpose per service. */
export type Purpose = "routes" | "destination" | "mtls" | "mtls-ports" | "authz-deny-all" | "authz-allow" | "ratelimit";

export function objectName(target: Target, purpose: Purpose): string {
  return `${target.service}-${purpose}`;
}

export function objectMeta(target: Target, purpose: Purpose): { name: string; namespace: string; labels: Record<string, string> } {
  return { name: objectName(target, purpose), namespace: target.namespace, labels: { ...target.labels } };
}

/**
 * The service's name inside the mesh. VirtualService and DestinationRule hosts are written as
 * FQDNs so they mean the same service whichever namespace reads them (virtual-service docs:
 * "short names ... are interpreted relative to the namespace of the rule").
 */
export function serviceHost(target: Target, clusterDomain: string): string {
  return `${target.service}.${target.namespace}.svc.${clusterDomain}`;
}

/**
 * Istio durations (VirtualService timeout, perTryTimeout, fixedDelay; DestinationRule interval,
 * baseEjectionTime) take "1h/1m/1s/1ms" and must be at least 1ms (virtual_service.proto). Whole
 * seconds read best; anything else stays in milliseconds so no precision is lost.
 */
export function istioDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 1) throw new Error(`an Istio duration must be a whole number of milliseconds >= 1, got ${ms}`);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
