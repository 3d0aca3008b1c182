/**
 * Intents -> Istio resources in native mode (VirtualService routing). The manifests come out in
 * the order they should be applied: the DestinationRule that defines subsets before the
 * VirtualService that routes to them, so no request is sent to a subset Envoy does not know yet
 * (the "make before break" advice of the traffic-management best practices).
 */
import type { KubeObject } from "../../plan/steps.js";
import type { Rendered, UnsupportedIntent } from "../driver.js";
import type { Intent, IntentKind, IntentOf, Target } from "../intent.js";
import { renderAuthorizationPolicies } from "./authorization-policy.js";
import { renderDestinationRule } from "./destination-rule.js";
import { objectName, serviceHost } from "./meta.js";
import { renderPeerAuthentication } from "./peer-authentication.js";
import { renderRateLimit } from "./rate-limit.js";
import type { ResolvedSettings } from "./settings.js";
import { renderVirtualService } from "./virtual-service.js";

export type IntentsByKind = { [K in IntentKind]: IntentOf<K>[] };

export function groupIntents(intents: Intent[]): IntentsByKind {
  const groups: IntentsByKind = { split: [], route: [], fault: [], retry: [], timeout: [], outlier: [], mtls: [], authz: [], rateLimit: [] };
  for (const intent of intents) (groups[intent.kind] as Intent[]).push(intent);
  return groups;
}

/** Resources Istio attaches outside routing; shared by both routing modes. */
export function renderSecurityAndLimits(groups: IntentsByKind, target: Target, settings: ResolvedSettings): Rendered {
  const parts = [
    renderPeerAuthentication(groups.mtls, target),
    renderAuthorizationPolicies(groups.authz, target, settings.trustDomain),
    renderRateLimit(groups.rateLimit, target),
  ];
  return { manifests: parts.flatMap((p) => p.manifests), unsupported: parts.flatMap((p) => p.unsupported) };
}

export function renderNative(intents: Intent[], target: Target, settings: ResolvedSettings): Rendered {
  const groups = groupIntents(intents);
  const unsupported: UnsupportedIntent[] = [];
  const manifests: KubeObject[] = [];

  const vs = renderVirtualService(
    { splits: groups.split, routes: groups.route, faults: groups.fault, retries: groups.retry, timeouts: groups.timeout },
    target,
    settings.clusterDomain,
  );
  unsupported.push(...vs.unsupported);

  // Subsets for every deployed version once any route names one, so a later split can shift
  // weight without first redefining the DestinationRule.
  const subsets = vs.subsets.length > 0 ? [...new Set([...target.versions, ...vs.subsets])] : [];
  const dr = renderDestinationRule(
    { name: objectName(target, "destination"), host: serviceHost(target, settings.clusterDomain), subsets, outliers: groups.outlier },
    target,
  );
  unsupported.push(...dr.unsupported);
  if (dr.manifest) manifests.push(dr.manifest);
  if (vs.manifest) manifests.push(vs.manifest);

  const rest = renderSecurityAndLimits(groups, target, settings);
  return { manifests: [...manifests, ...rest.manifests], unsupported: [...unsupported, ...rest.unsupported] };
}
