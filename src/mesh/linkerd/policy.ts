/**
 * Inbound policy for Linkerd 2.20: one Server for the target's pods and port, whose
 * `accessPolicy` is the default for traffic no authorization matches; AuthorizationPolicies
 * that allow callers, identified by MeshTLSAuthentication (mesh identities) or
 * NetworkAuthentication (source networks); HTTPRoutes attached to the Server for rules that
 * look at the request (path, method, headers); and HTTPLocalRateLimitPolicy on the Server.
 *
 * mTLS: Linkerd always encrypts meshed-to-meshed traffic; "strict" means refusing everything
 * else. The documented switches are the default-inbound-policy annotation (namespace or pod,
 * read when the pod is injected, so it needs a restart) and the Server's accessPolicy (dynamic).
 * meshproof uses the Server's accessPolicy: it takes effect without restarting pods and goes
 * away with the policy. Its scope is the target's pods and port.
 *
 * Sources: https://linkerd.io/2.20/reference/authorization-policy/,
 * https://linkerd.io/2.20/tasks/configuring-per-route-policy/,
 * https://linkerd.io/2.20/reference/rate-limiting/, and the CRDs named in schemas.ts.
 */
import type { IIoK8sSigsGatewayApiApisV1HTTPRouteMatch as HTTPRouteMatch } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteMatch";
import type { KubeObject } from "../../plan/steps.js";
import type { UnsupportedIntent } from "../driver.js";
import { httpRouteFor, metadataFor, resourceName, toHttpRouteMatch, type ParentReference } from "../gamma/index.js";
import type { AuthzRule, IntentOf, Target } from "../intent.js";
import { assertReadableByLinkerd } from "./gateway-compat.js";
import {
  linkerdManifest,
  type AccessPolicy,
  type AuthorizationPolicy,
  type HTTPLocalRateLimitPolicy,
  type MeshTLSAuthentication,
  type NetworkAuthentication,
  type Server,
} from "./schemas.js";

const POLICY_GROUP = "policy.linkerd.io" as const;
const GATEWAY_GROUP = "gateway.networking.k8s.io";

/**
 * Kubelet probes are unauthenticated. Once an HTTPRoute is attached to a Server, Linkerd's
 * built-in probe authorization no longer applies and probes are denied (the per-route policy
 * task shows this), so a probe route is rendered for the reference stack's probe paths.
 */
export const PROBE_PATH_PREFIX = "/health";

/** Every source address: what "any client" means to a NetworkAuthentication. */
const ALL_NETWORKS = [{ cidr: "0.0.0.0/0" }, { cidr: "::/0" }];

export interface InboundIntents {
  mtls?: IntentOf<"mtls">;
  authz?: IntentOf<"authz">;
  rateLimit?: IntentOf<"rateLimit">;
}

export function serverName(target: Target): string {
  return resourceName(target, "server");
}

function server(target: Target, name: string, port: number, accessPolicy: AccessPolicy): KubeObject {
  const s: Server = {
    apiVersion: "policy.linkerd.io/v1beta3",
    kind: "Server",
    metadata: metadataFor(target, name),
    spec: { podSelector: { matchLabels: { ...target.selector } }, port, accessPolicy },
  };
  return linkerdManifest(s);
}

/** The default for traffic that no AuthorizationPolicy allows. */
function accessPolicyFor(inbound: InboundIntents): AccessPolicy {
  if (inbound.authz) return "deny";
  // A Server without authorizations denies by default; a rate limit alone must not do that.
  return inbound.mtls?.mode === "strict" ? "all-authenticated" : "all-unauthenticated";
}

export function renderInboundPolicy(target: Target, inbound: InboundIntents): { manifests: KubeObject[]; unsupported: UnsupportedIntent[] } {
  if (!inbound.mtls && !inbound.authz && !inbound.rateLimit) return { manifests: [], unsupported: [] };
  const unsupported: UnsupportedIntent[] = [];
  const manifests: KubeObject[] = [server(target, serverName(target), target.port, accessPolicyFor(inbound))];

  if (inbound.mtls?.mode === "strict") {
    for (const port of [...new Set(inbound.mtls.permissivePorts)].sort((a, b) => a - b)) {
      if (port === target.port) {
        unsupported.push({ intent: "mtls", partial: true, reason: `port ${port} cannot be both the service port (strict) and a permissive port; it stays strict` });
        continue;
      }
      manifests.push(server(target, resourceName(target, `server-${port}`), port, "all-unauthenticated"));
    }
  }
  if (inbound.authz) manifests.push(...authorizations(target, inbound.authz, inbound.mtls?.mode === "strict"));
  if (inbound.rateLimit) {
    const rl = rateLimit(target, inbound.rateLimit);
    manifests.push(rl.manifest);
    unsupported.push(...rl.unsupported);
  }
  return { manifests, unsupported };
}

function ref(group: string, kind: string, name: string): { group: string; kind: string; name: string } {
  return { group, kind, name };
}

function conditionsRequest(rule: AuthzRule): boolean {
  return rule.methods.length > 0 || rule.paths.length > 0 || rule.headers.length > 0;
}

/** Every path x method pair of a rule, each carrying the rule's header conditions (all ANDed). */
function requestMatches(rule: AuthzRule): HTTPRouteMatch[] {
  const paths = rule.paths.length > 0 ? rule.paths : [undefined];
  const methods = rule.methods.length > 0 ? rule.methods : [undefined];
  const out: HTTPRouteMatch[] = [];
  for (const path of paths) {
    for (const method of methods) {
      const m: HTTPRouteMatch = toHttpRouteMatch({ headers: rule.headers, ...(path ? { path } : {}) }) ?? { path: { type: "PathPrefix", value: "/" } };
      if (method) m.method = method;
      out.push(m);
    }
  }
  return out;
}

/**
 * Default deny plus one allow per rule. Fields within a rule are ANDed (an AuthorizationPolicy
 * requires all its authentications, and its route matches hold together); rules are ORed
 * (separate AuthorizationPolicies). If any rule looks at the request, every rule gets its own
 * route, because once a Server has routes a request matching none of them is refused.
 */
function authorizations(target: Target, authz: IntentOf<"authz">, strict: boolean): KubeObject[] {
  const out: KubeObject[] = [];
  const serverRef: ParentReference = { group: POLICY_GROUP, kind: "Server", name: serverName(target) };
  const anyNetwork = resourceName(target, "any-network");
  const perRoute = authz.rules.some(conditionsRequest);
  let needsAnyNetwork = false;

  authz.rules.forEach((rule, index) => {
    const name = resourceName(target, `authz-${index + 1}`);
    let authn: { group: string; kind: string; name: string };
    const identityRefs = [
      ...rule.serviceAccounts.map((sa) => {
        const [namespace = "", account = ""] = sa.split("/");
        return { kind: "ServiceAccount", name: account, namespace };
      }),
      ...rule.namespaces.map((ns) => ({ kind: "Namespace", name: ns })),
    ];
    if (identityRefs.length > 0 || strict) {
      // With strict mTLS a rule naming no caller still requires a mesh identity ("*": any).
      const mtls: MeshTLSAuthentication = {
        apiVersion: "policy.linkerd.io/v1alpha1",
        kind: "MeshTLSAuthentication",
        metadata: metadataFor(target, name),
        spec: identityRefs.length > 0 ? { identityRefs } : { identities: ["*"] },
      };
      out.push(linkerdManifest(mtls));
      authn = ref(POLICY_GROUP, "MeshTLSAuthentication", name);
    } else {
      needsAnyNetwork = true;
      authn = ref(POLICY_GROUP, "NetworkAuthentication", anyNetwork);
    }

    let targetRef = ref(POLICY_GROUP, "Server", serverName(target));
    if (perRoute) {
      out.push(assertReadableByLinkerd(httpRouteFor(target, name, [{ matches: requestMatches(rule) }], { parentRefs: [serverRef] })));
      targetRef = ref(GATEWAY_GROUP, "HTTPRoute", name);
    }
    const policy: AuthorizationPolicy = {
      apiVersion: "policy.linkerd.io/v1alpha1",
      kind: "AuthorizationPolicy",
      metadata: metadataFor(target, name),
      spec: { targetRef, requiredAuthenticationRefs: [authn] },
    };
    out.push(linkerdManifest(policy));
  });

  if (perRoute && authz.rules.every(conditionsRequest)) {
    // A request no route matches gets 404 from Linkerd, not a refusal by the policy (seen on real
    // Linkerd 2.20: a request missing a required header, or to another path, was answered 404).
    // A catch-all route that no AuthorizationPolicy names makes it a refusal, 403 like every
    // other denial; Gateway API precedence gives every more specific route (the rules', the
    // probes') the requests they match first.
    out.push(assertReadableByLinkerd(httpRouteFor(target, resourceName(target, "authz-default"), [{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }], { parentRefs: [serverRef] })));
  }
  if (perRoute) {
    needsAnyNetwork = true;
    const probes = resourceName(target, "authz-probes");
    out.push(assertReadableByLinkerd(httpRouteFor(target, probes, [{ matches: [{ path: { type: "PathPrefix", value: PROBE_PATH_PREFIX }, method: "GET" }] }], { parentRefs: [serverRef] })));
    const policy: AuthorizationPolicy = {
      apiVersion: "policy.linkerd.io/v1alpha1",
      kind: "AuthorizationPolicy",
      metadata: metadataFor(target, probes),
      spec: { targetRef: ref(GATEWAY_GROUP, "HTTPRoute", probes), requiredAuthenticationRefs: [ref(POLICY_GROUP, "NetworkAuthentication", anyNetwork)] },
    };
    out.push(linkerdManifest(policy));
  }
  if (needsAnyNetwork) {
    const network: NetworkAuthentication = {
      apiVersion: "policy.linkerd.io/v1alpha1",
      kind: "NetworkAuthentication",
      metadata: metadataFor(target, anyNetwork),
      spec: { networks: ALL_NETWORKS },
    };
    out.unshift(linkerdManifest(network));
  }
  return out;
}

/**
 * Linkerd limits whole requests per second: spec.total.requestsPerSecond is an integer (int64 in
 * the 2.20 CRD, https://linkerd.io/2.20/reference/rate-limiting/). The proxy's limiter is
 * governor's `Quota::per_second(n)`, whose bucket holds n (linkerd2-proxy,
 * linkerd/proxy/server-policy/src/local_rate_limit.rs): it admits bursts of n, never more. The
 * intent's bucket is its burst, or else its `requests` (Istio's max_tokens), so "120 per minute"
 * admits a burst of 120 where Linkerd's 2/s admits 2: the same average rate, another limit.
 */
function rateLimit(target: Target, intent: IntentOf<"rateLimit">): { manifest: KubeObject; unsupported: UnsupportedIntent[] } {
  const exact = (intent.requests * 1000) / intent.intervalMs;
  const perSecond = Math.max(1, Math.round(exact));
  const unsupported: UnsupportedIntent[] = [];
  if (perSecond !== exact) {
    const effective = (perSecond * intent.intervalMs) / 1000;
    unsupported.push({
      intent: "rateLimit",
      partial: true,
      reason: `Linkerd limits whole requests per second: ${intent.requests} per ${intent.intervalMs} ms (${exact.toFixed(2)}/s) is rendered as ${perSecond}/s, i.e. ${effective} per ${intent.intervalMs} ms`,
    });
  }
  if (intent.burst !== undefined) {
    unsupported.push({ intent: "rateLimit", partial: true, reason: `burst ${intent.burst}: HTTPLocalRateLimitPolicy has no burst setting` });
  } else if (perSecond === exact && intent.requests !== perSecond) {
    unsupported.push({
      intent: "rateLimit",
      partial: true,
      reason: `${intent.requests} per ${intent.intervalMs} ms admits a burst of ${intent.requests}; Linkerd's ${perSecond}/s limit holds ${perSecond} (its bucket is one second's worth, with no burst setting)`,
    });
  }
  const policy: HTTPLocalRateLimitPolicy = {
    apiVersion: "policy.linkerd.io/v1alpha1",
    kind: "HTTPLocalRateLimitPolicy",
    metadata: metadataFor(target, resourceName(target, "ratelimit")),
    spec: { targetRef: { group: POLICY_GROUP, kind: "Server", name: serverName(target) }, total: { requestsPerSecond: perSecond } },
  };
  return { manifest: linkerdManifest(policy), unsupported };
}
