/**
 * The rateLimit intent as Envoy's local rate limit filter, inserted into the service's inbound
 * sidecar by a networking.istio.io/v1alpha3 EnvoyFilter. Istio 1.30 has no rate-limit API of
 * its own; this is the mechanism its task documents:
 *   https://istio.io/latest/docs/tasks/policy-enforcement/rate-limit/ ("local rate limit")
 *   https://istio.io/latest/docs/reference/config/networking/envoy-filter/
 * and Envoy's filter and proto:
 *   https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/local_rate_limit_filter
 *   https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto
 *
 * EnvoyFilter's patch value is an untyped Struct (the model types it `{}`), so the compiler
 * would accept any misspelling there. LocalRateLimitFilter below mirrors the proto fields used,
 * and the value is built through it.
 *
 * The bucket is per proxy, that is per pod ("the token bucket is shared across all workers,
 * thus the rate limits are applied per Envoy process"): with N replicas the service as a whole
 * admits up to N times the limit, which is what a local limit means.
 */
import { EnvoyFilter, type IEnvoyFilter } from "@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter";
import type { KubeObject } from "../../plan/steps.js";
import type { UnsupportedIntent } from "../driver.js";
import type { IntentOf, Target } from "../intent.js";
import { objectMeta } from "./meta.js";

type ConfigPatch = NonNullable<NonNullable<IEnvoyFilter["spec"]>["configPatches"]>[number];

/** envoy.type.v3.FractionalPercent */
interface FractionalPercent {
  numerator: number;
  denominator: "HUNDRED" | "TEN_THOUSAND" | "MILLION";
}

/** envoy.config.core.v3.RuntimeFractionalPercent */
interface RuntimeFractionalPercent {
  runtime_key: string;
  default_value: FractionalPercent;
}

/** envoy.type.v3.TokenBucket; fill_interval is a protobuf Duration in JSON ("60s"). */
interface TokenBucket {
  max_tokens: number;
  tokens_per_fill: number;
  fill_interval: string;
}

/** envoy.config.core.v3.HeaderValueOption */
interface HeaderValueOption {
  header: { key: string; value: string };
  append_action: "APPEND_IF_EXISTS_OR_ADD" | "ADD_IF_ABSENT" | "OVERWRITE_IF_EXISTS_OR_ADD" | "OVERWRITE_IF_EXISTS";
}

/** envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit (the fields meshproof sets). */
export interface LocalRateLimit {
  stat_prefix: string;
  token_bucket: TokenBucket;
  /** Defaults to 0% when unset: the filter would do nothing. */
  filter_enabled: RuntimeFractionalPercent;
  /** Defaults to 0% when unset: requests would be counted but never refused. */
  filter_enforced: RuntimeFractionalPercent;
  response_headers_to_add?: HeaderValueOption[];
}

/** The HTTP filter as Istio's task writes it: a TypedStruct wrapping the LocalRateLimit. */
export interface LocalRateLimitFilter {
  name: "envoy.filters.http.local_ratelimit";
  typed_config: {
    "@type": "type.googleapis.com/udpa.type.v1.TypedStruct";
    type_url: "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit";
    value: LocalRateLimit;
  };
}

/** "In the current implementation the token bucket's fill_interval must be >= 50ms" (proto). */
export const MIN_FILL_INTERVAL_MS = 50;

/** Response header that marks a 429 as this policy's doing, so a check can tell it from the backend's. */
export const RATE_LIMITED_HEADER = "x-local-rate-limit";

export function renderRateLimit(intents: IntentOf<"rateLimit">[], target: Target): { manifests: KubeObject[]; unsupported: UnsupportedIntent[] } {
  const [limit, ...extra] = intents;
  const unsupported = extra.map(
    (): UnsupportedIntent => ({ intent: "rateLimit", reason: "one local rate limit per service: the first rateLimit intent is rendered" }),
  );
  if (!limit) return { manifests: [], unsupported };
  if (limit.intervalMs < MIN_FILL_INTERVAL_MS) {
    unsupported.push({
      intent: "rateLimit",
      reason: `Envoy refills a local token bucket at most every ${MIN_FILL_INTERVAL_MS}ms; an interval of ${limit.intervalMs}ms cannot be configured`,
    });
    return { manifests: [], unsupported };
  }

  const always: RuntimeFractionalPercent["default_value"] = { numerator: 100, denominator: "HUNDRED" };
  const filter: LocalRateLimitFilter = {
    name: "envoy.filters.http.local_ratelimit",
    typed_config: {
      "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
      type_url: "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
      value: {
        stat_prefix: "http_local_rate_limiter",
        token_bucket: {
          // The bucket starts full and holds the burst; it refills `requests` per interval.
          max_tokens: limit.burst ?? limit.requests,
          tokens_per_fill: limit.requests,
          fill_interval: protobufDuration(limit.intervalMs),
        },
        filter_enabled: { runtime_key: "local_rate_limit_enabled", default_value: always },
        filter_enforced: { runtime_key: "local_rate_limit_enforced", default_value: always },
        response_headers_to_add: [{ header: { key: RATE_LIMITED_HEADER, value: "true" }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }],
      },
    },
  };

  const patch: ConfigPatch = {
    applyTo: "HTTP_FILTER",
    match: {
      context: "SIDECAR_INBOUND",
      listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager" } } },
    },
    patch: { operation: "INSERT_BEFORE", value: filter },
  };
  const envoyFilter = new EnvoyFilter({
    metadata: objectMeta(target, "ratelimit"),
    spec: { workloadSelector: { labels: { ...target.selector } }, configPatches: [patch] },
  });
  envoyFilter.validate();
  return { manifests: [envoyFilter.toJSON() as KubeObject], unsupported };
}

/** protobuf JSON Duration: seconds with an "s" suffix, fractions allowed ("0.5s", "60s"). */
function protobufDuration(ms: number): string {
  return `${ms / 1000}s`;
}
