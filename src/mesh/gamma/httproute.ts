/**
 * HTTPRoute (gateway.networking.k8s.io/v1) attached to a Service, as GAMMA defines it: the
 * parentRef is the Service clients call (group "", kind Service, port), the backendRefs are
 * the Services requests are sent to. Built from the typed model so a misspelt field does not
 * compile. Fields and limits: https://gateway-api.sigs.k8s.io/reference/spec/ (v1.5.1) and
 * https://gateway-api.sigs.k8s.io/mesh/ (GAMMA).
 */
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import type { IIoK8sSigsGatewayApiApisV1HTTPBackendRef as HTTPBackendRef } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPBackendRef";
import type { IIoK8sSigsGatewayApiApisV1HTTPRouteFilter as HTTPRouteFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteFilter";
import type { IIoK8sSigsGatewayApiApisV1HTTPRouteRule as HTTPRouteRule } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteRule";
import type { IIoK8sSigsGatewayApiApisV1ParentReference as ParentReference } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ParentReference";
import type { KubeObject } from "../../plan/steps.js";
import type { Target } from "../intent.js";
import { metadataFor } from "./meta.js";
import { toKubeObject } from "./model.js";
import { toHttpRouteMatch } from "./matches.js";
import { reduceWeights, type PlannedRule, type WeightedBackend } from "./rules.js";

export type { HTTPRouteRule, HTTPRouteFilter, ParentReference, HTTPBackendRef };

/** HTTPRouteSpec.rules has maxItems 16 in the v1.5.1 CRD; more rules go into further routes. */
export const MAX_RULES_PER_ROUTE = 16;

/**
 * The target's Service as a GAMMA parent. Group must be "" explicitly: left out it defaults to
 * gateway.networking.k8s.io, i.e. a Gateway, and the route would attach to nothing.
 */
export function serviceParentRef(target: Target): ParentReference {
  return { group: "", kind: "Service", name: target.service, port: target.port };
}

/** Weighted backendRefs on the target's port; a single backend carries no weight (it gets everything). */
export function backendRefsFor(backends: readonly WeightedBackend[], port: number): HTTPBackendRef[] {
  if (backends.length === 1) return backends.map((b) => ({ name: b.service, port }));
  const weights = reduceWeights(backends.map((b) => b.weight));
  return backends.map((b, i) => ({ name: b.service, port, weight: weights[i] ?? 0 }));
}

/** The matching and forwarding half of a planned rule; policies (timeouts, retry) are added by the caller. */
export function routeRuleFor(rule: PlannedRule, port: number, backends: readonly WeightedBackend[] = rule.backends): HTTPRouteRule {
  const match = toHttpRouteMatch(rule.match);
  return { ...(match ? { matches: [match] } : {}), backendRefs: backendRefsFor(backends, port) };
}

/** Sets request headers before forwarding (Core support in Gateway API), e.g. to label a rule's traffic. */
export function requestHeaderModifier(set: Record<string, string>): HTTPRouteFilter {
  return {
    type: "RequestHeaderModifier",
    requestHeaderModifier: { set: Object.entries(set).map(([name, value]) => ({ name, value })) },
  };
}

export interface HttpRouteOptions {
  annotations?: Record<string, string>;
  /** Defaults to the target's Service (GAMMA); Linkerd's inbound routes attach to a Server instead. */
  parentRefs?: ParentReference[];
}

/** One HTTPRoute, schema-checked. */
export function httpRouteFor(target: Target, name: string, rules: HTTPRouteRule[], options: HttpRouteOptions = {}): KubeObject {
  if (rules.length === 0 || rules.length > MAX_RULES_PER_ROUTE) {
    throw new Error(`HTTPRoute ${name} would have ${rules.length} rules; Gateway API allows 1 to ${MAX_RULES_PER_ROUTE} (use httpRoutesFor to spread them)`);
  }
  const route = new HTTPRoute({
    metadata: metadataFor(target, name, options.annotations ? { annotations: options.annotations } : {}),
    spec: { parentRefs: options.parentRefs ?? [serviceParentRef(target)], rules },
  });
  return toKubeObject(route);
}

/**
 * As many routes as the rules need, 16 rules each: `<base>`, `<base>-2`, ... All attach to the
 * same parent, and Gateway API resolves precedence across routes by the same match rules as
 * within one, so splitting changes nothing for a request.
 */
export function httpRoutesFor(target: Target, baseName: string, rules: HTTPRouteRule[], options: HttpRouteOptions = {}): KubeObject[] {
  const routes: KubeObject[] = [];
  for (let i = 0; i < rules.length; i += MAX_RULES_PER_ROUTE) {
    const name = i === 0 ? baseName : `${baseName}-${i / MAX_RULES_PER_ROUTE + 1}`;
    routes.push(httpRouteFor(target, name, rules.slice(i, i + MAX_RULES_PER_ROUTE), options));
  }
  return routes;
}
