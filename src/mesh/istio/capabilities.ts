/**
 * What Istio can express per intent, in each routing mode. Notes name the resource and the
 * limits a reader of the comparison report needs; the renderers report the same limits per
 * intent when they are hit.
 */
import type { Capabilities, CapabilityEntry, RoutingApi } from "../driver.js";
import { gammaCapabilities } from "../gamma/index.js";
import { ISTIO_GAMMA_FAULT_REASON, ISTIO_HTTPROUTE_RETRY_ON } from "./gamma.js";

const COMMON = {
  outlier: {
    support: "native",
    note:
      "DestinationRule trafficPolicy.outlierDetection (consecutive5xxErrors, interval, baseEjectionTime, maxEjectionPercent and " +
      "minHealthPercent in whole percent) and connectionPool (tcp.maxConnections, http.http1MaxPendingRequests, " +
      "http.maxRequestsPerConnection, http.http2MaxRequests)",
  },
  mtls: {
    support: "native",
    note:
      "PeerAuthentication STRICT or PERMISSIVE for the namespace; ports left permissive through portLevelMtls on a second, " +
      "workload-selected policy (container ports, not Service ports)",
  },
  authz: {
    support: "native",
    note:
      "AuthorizationPolicy: an allow-nothing policy plus ALLOW rules on the workloads; service accounts as SPIFFE principals, " +
      "namespaces, methods, paths (prefix as a trailing *), required headers as when-conditions (present as \"*\", exact). " +
      "Service accounts and namespaces come from the peer certificate, so they need mTLS. Header regexes are not expressible: " +
      "such a rule is reported and left out, so the default deny covers it",
  },
  rateLimit: {
    support: "native",
    note:
      "Envoy local_ratelimit HTTP filter inserted into the inbound sidecar by an EnvoyFilter (Istio has no rate-limit API; this is " +
      "the mechanism of its rate-limit task). Token bucket per pod, refill interval at least 50ms, 429 with x-local-rate-limit: true",
  },
} as const satisfies Partial<Capabilities>;

const NATIVE_ROUTING = {
  split: { support: "native", note: "VirtualService weighted route to DestinationRule subsets selected by the version label" },
  route: {
    support: "native",
    note: "VirtualService match on headers (exact, RE2 regex, presence) and path (exact, string prefix) ahead of the split",
  },
  fault: {
    support: "native",
    note: "VirtualService fault: abort (httpStatus, percentage) and delay (fixedDelay, percentage), injected by the client-side proxy",
  },
  retry: {
    support: "native",
    note:
      "VirtualService retries: attempts (retries after the first try), perTryTimeout, retryOn in Envoy's x-envoy-retry-on names " +
      "plus status codes. No retry budget: a budget is reported unsupported. Without a retry intent Istio still retries twice " +
      "on connect-failure, refused-stream, unavailable, cancelled and 503",
  },
  timeout: { support: "native", note: "VirtualService http timeout per route entry, scoped by header and path matches" },
} as const satisfies Partial<Capabilities>;

/**
 * In GAMMA mode HTTPRoute carries the routing (the shared GAMMA renderer's capabilities). Istio
 * uses one route table per host for mesh traffic, so a VirtualService cannot add what HTTPRoute
 * lacks for the same service; policies Istio attaches elsewhere (DestinationRule,
 * PeerAuthentication, AuthorizationPolicy, EnvoyFilter) still apply.
 */
const GAMMA_ROUTING = {
  split: gammaCapabilities.split,
  route: gammaCapabilities.route,
  timeout: gammaCapabilities.timeout,
  retry: {
    support: "native",
    note: `${gammaCapabilities.retry.note}. Istio retries ${ISTIO_HTTPROUTE_RETRY_ON.join(", ")} plus the listed codes; not reset`,
  },
  fault: { support: "unsupported", note: ISTIO_GAMMA_FAULT_REASON },
} as const satisfies Partial<Capabilities>;

export function istioCapabilities(routing: RoutingApi): Capabilities {
  const routingEntries: Record<keyof typeof NATIVE_ROUTING, CapabilityEntry> = routing === "gamma" ? GAMMA_ROUTING : NATIVE_ROUTING;
  const common: Record<keyof typeof COMMON, CapabilityEntry> = COMMON;
  return { ...routingEntries, ...common };
}
