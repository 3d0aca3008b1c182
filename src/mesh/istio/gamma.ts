/**
 * GAMMA mode: routing (split, route, timeout, retry) as Gateway API HTTPRoutes attached to the
 * Service, rendered by the shared GAMMA renderer; everything HTTPRoute cannot say that Istio
 * attaches outside the route table comes from Istio's own resources.
 *   https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/ (mesh traffic)
 *
 * What can be mixed, and why:
 * - No VirtualService. Istio turns HTTPRoutes into its internal route model and, for mesh
 *   traffic, uses one route table per host: a VirtualService for the same Service would compete
 *   with the HTTPRoute (which one wins is not defined), so fault injection, which only a
 *   VirtualService carries, is unsupported here.
 * - DestinationRules for circuit breaking. A DestinationRule configures the upstream cluster of
 *   its host, whatever route chose it. HTTPRoute sends to one Service per version, so each of
 *   those Services gets the outlier and connection-pool policy (and the target Service too, for
 *   traffic no route takes). No subsets: HTTPRoute cannot reference them.
 * - PeerAuthentication, AuthorizationPolicy and the rate-limit EnvoyFilter act on the workloads'
 *   inbound side and are independent of how the caller routed.
 * How Istio 1.30.3 translates an HTTPRoute retry (pilot/pkg/config/kube/gateway/conversion.go):
 * retryOn connect-failure,refused-stream,unavailable,cancelled plus the listed codes;
 * timeouts.backendRequest becomes perTryTimeout. That Istio applies the DestinationRules to
 * HTTPRoute traffic can only be confirmed on a real cluster.
 */
import { gammaRetryFor, GAMMA_UNSUPPORTED, renderGamma } from "../gamma/index.js";
import type { Rendered, UnsupportedIntent } from "../driver.js";
import type { Intent, IntentKind, IntentOf, Target } from "../intent.js";
import type { KubeObject } from "../../plan/steps.js";
import { renderDestinationRule } from "./destination-rule.js";
import { serviceHost } from "./meta.js";
import { groupIntents, renderSecurityAndLimits } from "./render.js";
import type { ResolvedSettings } from "./settings.js";

export const ISTIO_GAMMA_FAULT_REASON =
  "HTTPRoute has no fault injection, and Istio cannot add it beside an HTTPRoute: a VirtualService for the same host would " +
  "compete with the HTTPRoute (Istio uses one route table per host for mesh traffic); use native routing for fault scenarios";

/** The retry conditions Istio always adds to a retry translated from an HTTPRoute. */
export const ISTIO_HTTPROUTE_RETRY_ON = ["connect-failure", "refused-stream", "unavailable", "cancelled"] as const;

/** Intents GAMMA leaves to the mesh and Istio provides through its own resources. */
const PROVIDED_BY_ISTIO: IntentKind[] = ["outlier", "mtls", "authz", "rateLimit"];

export function renderGammaMode(intents: Intent[], target: Target, settings: ResolvedSettings): Rendered {
  const groups = groupIntents(intents);
  const gamma = renderGamma(intents, target);
  const unsupported = istioView(gamma.unsupported, groups.retry);

  const manifests: KubeObject[] = [...gamma.manifests];
  // Circuit breaking on every Service the routes send to, and on the target Service itself.
  const services = [target.service, ...gamma.manifests.filter((m) => m.kind === "Service").map((m) => m.metadata.name)];
  for (const service of [...new Set(services)]) {
    const dr = renderDestinationRule(
      {
        name: `${service}-destination`,
        host: serviceHost({ ...target, service }, settings.clusterDomain),
        subsets: [],
        outliers: groups.outlier,
      },
      target,
    );
    if (dr.manifest) manifests.push(dr.manifest);
    // The same limits are found again for each Service; report them once.
    if (service === target.service) unsupported.push(...dr.unsupported);
  }

  const rest = renderSecurityAndLimits(groups, target, settings);
  return { manifests: [...manifests, ...rest.manifests], unsupported: [...unsupported, ...rest.unsupported] };
}

/** The GAMMA renderer's gaps, restated for Istio: what Istio fills in is dropped, the rest made precise. */
function istioView(gaps: UnsupportedIntent[], retries: IntentOf<"retry">[]): UnsupportedIntent[] {
  const out: UnsupportedIntent[] = [];
  const connectionGaps = new Map<string, IntentOf<"retry">>();
  for (const retry of retries) {
    for (const gap of gammaRetryFor(retry).unsupported) if (/connection failures/.test(gap.reason)) connectionGaps.set(gap.reason, retry);
  }
  for (const gap of gaps) {
    if (PROVIDED_BY_ISTIO.includes(gap.intent) && gap.reason === GAMMA_UNSUPPORTED[gap.intent as keyof typeof GAMMA_UNSUPPORTED]) continue;
    if (gap.intent === "fault" && gap.reason === GAMMA_UNSUPPORTED.fault) {
      out.push({ intent: "fault", reason: ISTIO_GAMMA_FAULT_REASON });
      continue;
    }
    const retry = connectionGaps.get(gap.reason);
    if (gap.intent === "retry" && retry) {
      // Istio retries connect-failure and refused-stream on every HTTPRoute retry; only reset is left out.
      if (retry.retryOn.includes("reset")) {
        out.push({
          intent: "retry",
          partial: true,
          reason: `retry on reset: Istio translates an HTTPRoute retry into retryOn ${ISTIO_HTTPROUTE_RETRY_ON.join(",")} plus the listed codes, which does not include reset`,
        });
      }
      continue;
    }
    out.push(gap);
  }
  return out;
}

