/**
 * Intents to Gateway API for mesh (GAMMA) resources: per-version Services and HTTPRoutes on the
 * target Service. Intents Gateway API cannot express come back as unsupported with the reason.
 */
import type { IIoK8sSigsGatewayApiApisV1HTTPRouteTimeouts as HTTPRouteTimeouts } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteTimeouts";
import type { KubeObject } from "../../plan/steps.js";
import type { Rendered, UnsupportedIntent } from "../driver.js";
import type { Intent, IntentKind, Target } from "../intent.js";
import { GAMMA_UNSUPPORTED } from "./capabilities.js";
import type { GatewayApiChannel } from "./crds.js";
import { gatewayDuration } from "./duration.js";
import { httpRoutesFor, routeRuleFor, type HTTPRouteRule } from "./httproute.js";
import { resourceName } from "./meta.js";
import { gammaRetryFor } from "./retry.js";
import { needsRoute, planRules, routingIntentsOf, type PlannedRule, type RoutingIntents } from "./rules.js";
import { versionServiceName, versionServicesFor } from "./services.js";

export const ROUTE_PURPOSE = "route";

/** The channel whose CRDs the rendered routes need: experimental as soon as a rule carries `retry`. */
export function gammaChannelFor(intents: readonly Intent[]): GatewayApiChannel {
  return intents.some((i) => i.kind === "retry") ? "experimental" : "standard";
}

/** Versions the routes send traffic to, in first-mention order: each needs its own Service. */
export function referencedVersions(routing: RoutingIntents): string[] {
  const versions = [...(routing.split?.backends.map((b) => b.version) ?? []), ...routing.routes.map((r) => r.version)];
  return [...new Set(versions)];
}

/** Add timeouts and retry to a planned rule's Gateway API form. */
export function gammaRuleFor(rule: PlannedRule, port: number, unsupported: UnsupportedIntent[]): HTTPRouteRule {
  const out = routeRuleFor(rule, port);
  const timeouts: HTTPRouteTimeouts = {};
  if (rule.timeout) timeouts.request = gatewayDuration(rule.timeout.ms);
  if (rule.retry) {
    const retry = gammaRetryFor(rule.retry);
    out.retry = retry.retry;
    unsupported.push(...retry.unsupported);
    const perTry = rule.retry.perTryTimeoutMs;
    if (retry.backendRequest && perTry !== undefined) {
      if (rule.timeout && perTry > rule.timeout.ms) {
        // The CRD rejects backendRequest > request; the request timeout bounds every try anyway.
        unsupported.push({
          intent: "retry",
          partial: true,
          reason: `per-try timeout ${perTry} ms is longer than the ${rule.timeout.ms} ms request timeout of the same requests; Gateway API forbids that, so only the request timeout is rendered`,
        });
      } else {
        timeouts.backendRequest = retry.backendRequest;
      }
    }
  }
  if (Object.keys(timeouts).length > 0) out.timeouts = timeouts;
  return out;
}

/** Drop repeated reports (one intent yields the same gap on every rule it applies to). */
export function dedupeUnsupported(items: readonly UnsupportedIntent[]): UnsupportedIntent[] {
  const seen = new Set<string>();
  return items.filter((u) => {
    const key = `${u.intent}\u0000${u.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function renderGamma(intents: Intent[], target: Target): Rendered {
  const unsupported: UnsupportedIntent[] = [];
  const reported = new Set<IntentKind>();
  for (const intent of intents) {
    if (intent.kind in GAMMA_UNSUPPORTED && !reported.has(intent.kind)) {
      reported.add(intent.kind);
      unsupported.push({ intent: intent.kind, reason: GAMMA_UNSUPPORTED[intent.kind as keyof typeof GAMMA_UNSUPPORTED] });
    }
  }

  const all = routingIntentsOf(intents);
  // Faults are unsupported here: planning rules around their match would only multiply rules.
  const routing: RoutingIntents = { ...all, policies: all.policies.filter((p) => p.kind !== "fault") };
  const manifests: KubeObject[] = [];
  if (needsRoute(routing)) {
    manifests.push(...versionServicesFor(target, referencedVersions(routing)));
    const rules = planRules(target, routing, (v) => versionServiceName(target, v)).map((rule) => gammaRuleFor(rule, target.port, unsupported));
    manifests.push(...httpRoutesFor(target, resourceName(target, ROUTE_PURPOSE), rules));
  }
  return { manifests, unsupported: dedupeUnsupported(unsupported) };
}
