/**
 * What Gateway API for mesh (GAMMA) can say, as of v1.5.1. Routing, timeouts and retries are in
 * HTTPRoute; everything about the connection or the caller (fault injection, outlier detection,
 * mTLS, authorization, rate limits) is outside the standard and left to each mesh's own API.
 * Source: https://gateway-api.sigs.k8s.io/mesh/ and https://gateway-api.sigs.k8s.io/reference/spec/
 */
import type { Capabilities } from "../driver.js";

export const GAMMA_UNSUPPORTED = {
  fault:
    "Gateway API has no fault injection: HTTPRoute filters are header modifiers, redirects, rewrites, mirrors, CORS and external auth (v1.5.1); use the mesh's native API",
  outlier:
    "Gateway API has no outlier detection or connection-pool limits (v1.5.1): backend traffic policy is left to each implementation; use the mesh's native API",
  mtls: "Gateway API does not configure workload-to-workload mTLS (v1.5.1); use the mesh's native API",
  authz: "Gateway API has no authorization policy resource (v1.5.1); use the mesh's native API",
  rateLimit: "Gateway API has no rate limiting (v1.5.1); use the mesh's native API",
} as const;

export const gammaCapabilities: Capabilities = {
  split: { support: "native", note: "HTTPRoute weighted backendRefs to one Service per version, parentRef the target Service" },
  route: { support: "native", note: "HTTPRoute rule with header/path matches sending to one version's Service" },
  retry: {
    support: "native",
    note: "HTTPRoute rule retry (attempts, codes) and timeouts.backendRequest per try; retry is experimental-channel only in v1.5.1",
  },
  timeout: { support: "native", note: "HTTPRoute rule timeouts.request (standard channel)" },
  fault: { support: "unsupported", note: GAMMA_UNSUPPORTED.fault },
  outlier: { support: "unsupported", note: GAMMA_UNSUPPORTED.outlier },
  mtls: { support: "unsupported", note: GAMMA_UNSUPPORTED.mtls },
  authz: { support: "unsupported", note: GAMMA_UNSUPPORTED.authz },
  rateLimit: { support: "unsupported", note: GAMMA_UNSUPPORTED.rateLimit },
};
