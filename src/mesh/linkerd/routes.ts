/**
 * Outbound routing for Linkerd 2.20: gateway.networking.k8s.io/v1 HTTPRoutes whose parent is the
 * target Service (the same GAMMA shape Istio uses), with retries and timeouts as annotations on
 * the route. Linkerd 2.20 also reads policy.linkerd.io HTTPRoutes, but documents them as "still
 * supported but not actively maintained"; the Gateway API type is the one it recommends.
 *
 * Two Linkerd rules shape this module:
 * - Annotations apply to a whole HTTPRoute, so rules that need different retry/timeout settings
 *   go into different HTTPRoutes on the same parent (Gateway API precedence across routes is the
 *   same as within one).
 * - "When Linkerd encounters an unknown field or value in a resource from versions of Gateway
 *   API > 1.2.1, Linkerd will ignore the resource" (https://linkerd.io/2.20/features/gateway-api/).
 *   So routes carry only Gateway API 1.2.1 standard fields: parentRefs, matches, backendRefs.
 *   No `retry` (experimental) and no `timeouts` (the annotation takes priority anyway).
 * Sources: https://linkerd.io/2.20/reference/httproute/, https://linkerd.io/2.20/reference/retries/,
 * https://linkerd.io/2.20/reference/timeouts/, https://linkerd.io/2.20/tasks/fault-injection/
 */
import type { KubeObject } from "../../plan/steps.js";
import type { UnsupportedIntent } from "../driver.js";
import {
  httpRouteFor,
  MAX_RULES_PER_ROUTE,
  needsRoute,
  planRules,
  referencedVersions,
  resourceName,
  ROUTE_PURPOSE,
  routeRuleFor,
  routingIntentsOf,
  versionServiceName,
  versionServicesFor,
  type HTTPRouteRule,
} from "../gamma/index.js";
import type { Intent, IntentOf, Target } from "../intent.js";
import { retryAnnotations, timeoutAnnotations } from "./annotations.js";
import { faultBackendFor, withAbortBackend, type FaultServer } from "./fault.js";
import { assertReadableByLinkerd } from "./gateway-compat.js";

export const FAULT_DELAY_UNSUPPORTED =
  "delay injection: Linkerd has no fault filter and its documented fault injection (a weighted backend that answers with errors) cannot delay requests";

/** Would Linkerd retry a response with this status under this retry intent? */
function retriesStatus(retry: IntentOf<"retry">, status: number): boolean {
  return retry.retryOn.some(
    (c) =>
      (c === "5xx" && status >= 500 && status <= 599) ||
      (c === "gateway-error" && status >= 502 && status <= 504) ||
      (c === "retriable-status-codes" && retry.statusCodes.includes(status)),
  );
}

function abortRetriedReason(status: number): string {
  return `abort ${status} where retries also apply: the injected ${status} is an ordinary response to Linkerd's client proxy, which retries it (possibly on a healthy backend), so fewer aborts reach the client than the abort percentage`;
}

interface RouteGroup {
  annotations: Record<string, string>;
  rules: HTTPRouteRule[];
}

export function renderLinkerdRoutes(intents: readonly Intent[], target: Target, podAnnotations: Record<string, string>, faultServer?: FaultServer): { manifests: KubeObject[]; unsupported: UnsupportedIntent[] } {
  const unsupported: UnsupportedIntent[] = [];
  const routing = routingIntentsOf(intents);
  for (const fault of routing.policies.filter((p) => p.kind === "fault")) {
    if (fault.delay) unsupported.push({ intent: "fault", reason: FAULT_DELAY_UNSUPPORTED, ...(fault.abort ? { partial: true } : {}) });
  }
  // A delay-only fault leaves nothing to route; keeping it would only multiply rules.
  const policies = routing.policies.filter((p) => p.kind !== "fault" || p.abort);
  if (!needsRoute({ ...routing, policies })) return { manifests: [], unsupported };

  const rules = planRules(target, { ...routing, policies }, (v) => versionServiceName(target, v));
  const groups = new Map<string, RouteGroup>();
  const abortStatuses = new Set<number>();
  for (const rule of rules) {
    const abort = rule.fault?.abort;
    if (abort) abortStatuses.add(abort.status);
    const backends = abort ? withAbortBackend(target, rule.backends, abort) : rule.backends;
    const annotations: Record<string, string> = {};
    if (rule.timeout) Object.assign(annotations, timeoutAnnotations(rule.timeout));
    if (abort && rule.retry && retriesStatus(rule.retry, abort.status)) {
      unsupported.push({ intent: "fault", partial: true, reason: abortRetriedReason(abort.status) });
    }
    if (rule.retry) {
      const retry = retryAnnotations(rule.retry);
      Object.assign(annotations, retry.annotations);
      unsupported.push(...retry.gaps.map((reason) => ({ intent: "retry" as const, reason, partial: true })));
    }
    const key = JSON.stringify(Object.entries(annotations).sort(([a], [b]) => a.localeCompare(b)));
    const group = groups.get(key) ?? { annotations, rules: [] };
    group.rules.push(routeRuleFor(rule, target.port, backends));
    groups.set(key, group);
  }

  const manifests: KubeObject[] = [...versionServicesFor(target, referencedVersions(routing))];
  for (const status of [...abortStatuses].sort((a, b) => a - b)) manifests.push(...faultBackendFor(target, status, podAnnotations, faultServer));

  // Route names run on across groups: <service>-route, <service>-route-2, ...
  const base = resourceName(target, ROUTE_PURPOSE);
  let index = 0;
  for (const group of groups.values()) {
    const options = Object.keys(group.annotations).length > 0 ? { annotations: group.annotations } : {};
    for (let i = 0; i < group.rules.length; i += MAX_RULES_PER_ROUTE) {
      index += 1;
      manifests.push(assertReadableByLinkerd(httpRouteFor(target, index === 1 ? base : `${base}-${index}`, group.rules.slice(i, i + MAX_RULES_PER_ROUTE), options)));
    }
  }
  return { manifests, unsupported };
}
