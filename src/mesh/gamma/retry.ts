/**
 * RetryIntent in Gateway API terms: HTTPRouteRule.retry (`attempts`, `codes`, `backoff`) and,
 * for the per-try limit, `timeouts.backendRequest`. In v1.5.1 `retry` exists only in the
 * experimental channel CRDs; on standard-channel CRDs the API server prunes it without an
 * error, which is why renderGamma reports the channel it needs (gammaChannelFor).
 * Source: HTTPRouteRetry in apis/v1/httproute_types.go at v1.5.1, and
 * https://gateway-api.sigs.k8s.io/guides/user-guides/http-retries/
 */
import type { IIoK8sSigsGatewayApiApisV1HTTPRouteRetry as HTTPRouteRetry } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteRetry";
import type { UnsupportedIntent } from "../driver.js";
import type { IntentOf, RetryCondition } from "../intent.js";
import { gatewayDuration } from "./duration.js";

/** The codes every implementation must accept as retriable (HTTPRouteRetryStatusCode docs). */
export const REQUIRED_RETRIABLE_CODES = [500, 502, 503, 504] as const;
const GATEWAY_ERROR_CODES = [502, 503, 504] as const;

/** Conditions Gateway API cannot name: HTTPRouteRetry selects response codes only. */
const CONNECTION_CONDITIONS: readonly RetryCondition[] = ["reset", "connect-failure", "refused-stream"];

export interface GammaRetry {
  retry: HTTPRouteRetry;
  /** timeouts.backendRequest: the limit on each attempt. */
  backendRequest?: string;
  unsupported: UnsupportedIntent[];
}

export function gammaRetryFor(intent: IntentOf<"retry">): GammaRetry {
  const unsupported: UnsupportedIntent[] = [];
  const codes = new Set<number>();
  for (const condition of intent.retryOn) {
    if (condition === "5xx") REQUIRED_RETRIABLE_CODES.forEach((c) => codes.add(c));
    else if (condition === "gateway-error") GATEWAY_ERROR_CODES.forEach((c) => codes.add(c));
    else if (condition === "retriable-status-codes") intent.statusCodes.forEach((c) => codes.add(c));
  }
  if (intent.retryOn.includes("5xx")) {
    unsupported.push({
      intent: "retry",
      partial: true,
      reason:
        "retry on 5xx: Gateway API lists retriable codes one by one and requires implementations to accept only 500, 502, 503 and 504, so those four are rendered; other 5xx codes are not retried",
    });
  }
  const connection = intent.retryOn.filter((c) => CONNECTION_CONDITIONS.includes(c));
  if (connection.length > 0) {
    unsupported.push({
      intent: "retry",
      partial: true,
      reason: `retry on ${connection.join(", ")}: HTTPRouteRetry has no field for connection failures (it says implementations SHOULD retry them whenever a retry is configured, so whether they are retried is up to the mesh)`,
    });
  }
  if (intent.budget) {
    unsupported.push({
      intent: "retry",
      partial: true,
      reason:
        "retry budget: HTTPRoute has no budget; Gateway API's only form is the experimental XBackendTrafficPolicy (gateway.networking.x-k8s.io/v1alpha1 retryConstraint), which meshes do not commonly implement, so the fixed attempt count is rendered",
    });
  }
  const retry: HTTPRouteRetry = { attempts: intent.attempts };
  if (codes.size > 0) retry.codes = [...codes].sort((a, b) => a - b);
  return {
    retry,
    ...(intent.perTryTimeoutMs ? { backendRequest: gatewayDuration(intent.perTryTimeoutMs) } : {}),
    unsupported,
  };
}
