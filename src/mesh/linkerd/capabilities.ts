/**
 * What Linkerd 2.20 can express, and how. Linkerd's routing API is Gateway API, so the table is
 * the same whether a run asks for native or GAMMA routing.
 */
import type { Capabilities } from "../driver.js";

export const linkerdCapabilities: Capabilities = {
  split: { support: "native", note: "gateway.networking.k8s.io/v1 HTTPRoute on the Service, weighted backendRefs to one Service per version" },
  route: { support: "native", note: "HTTPRoute rule with header/path matches sending to one version's Service" },
  retry: {
    support: "native",
    note: "retry.linkerd.io/http, /limit and /timeout annotations on the HTTPRoute; no retry budget outside ServiceProfiles, no connection-failure conditions",
  },
  timeout: { support: "native", note: "timeout.linkerd.io/request annotation on the HTTPRoute" },
  fault: {
    support: "emulated",
    note: "aborts only: a weighted backendRef to an nginx Service answering with the status (Linkerd's documented method); retries configured for the same requests also retry these aborts; no delays",
  },
  outlier: {
    support: "native",
    note: "consecutive-failure accrual annotations (balancer.linkerd.io/failure-accrual*) on the target Service; no interval, ejection cap or connection-pool limits",
  },
  mtls: { support: "native", note: "Server accessPolicy all-authenticated (strict) or all-unauthenticated (permissive) for the target's pods and port" },
  authz: {
    support: "native",
    note: "Server (default deny) + AuthorizationPolicy per rule + MeshTLSAuthentication/NetworkAuthentication; request conditions through HTTPRoutes attached to the Server",
  },
  rateLimit: { support: "native", note: "HTTPLocalRateLimitPolicy on the Server, in whole requests per second per proxy, bursts of at most one second's worth" },
};
