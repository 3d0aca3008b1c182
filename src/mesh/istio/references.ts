/**
 * Where every rendered field and every install command comes from. The reference pages describe
 * the current release (1.30 at the time of writing); the CRD and proto links are pinned to the
 * 1.30.3 tag, which is what field names were checked against.
 *
 * The typed models (@kubernetes-models/istio 3.0.1) are generated from the 1.29.2 CRDs. Between
 * 1.29.2 and 1.30.3 the kinds this driver renders differ only in AuthorizationPolicy
 * source.trustDomains/notTrustDomains, which the driver does not use, so the models' field names
 * are the 1.30.3 field names.
 */
export const ISTIO_DOCS = {
  virtualService: "https://istio.io/latest/docs/reference/config/networking/virtual-service/",
  destinationRule: "https://istio.io/latest/docs/reference/config/networking/destination-rule/",
  envoyFilter: "https://istio.io/latest/docs/reference/config/networking/envoy-filter/",
  peerAuthentication: "https://istio.io/latest/docs/reference/config/security/peer_authentication/",
  authorizationPolicy: "https://istio.io/latest/docs/reference/config/security/authorization-policy/",
  authorizationConditions: "https://istio.io/latest/docs/reference/config/security/conditions/",
  localRateLimit: "https://istio.io/latest/docs/tasks/policy-enforcement/rate-limit/",
  faultInjection: "https://istio.io/latest/docs/tasks/traffic-management/fault-injection/",
  circuitBreaking: "https://istio.io/latest/docs/tasks/traffic-management/circuit-breaking/",
  gatewayApiMesh: "https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/",
  installIstioctl: "https://istio.io/latest/docs/setup/install/istioctl/",
  installHelm: "https://istio.io/latest/docs/setup/install/helm/",
  canaryUpgrade: "https://istio.io/latest/docs/setup/upgrade/canary/",
  helmUpgrade: "https://istio.io/latest/docs/setup/upgrade/helm/",
  sidecarInjection: "https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/",
  resourceAnnotations: "https://istio.io/latest/docs/reference/config/annotations/",
  crds: "https://github.com/istio/istio/blob/1.30.3/manifests/charts/base/files/crd-all.gen.yaml",
  virtualServiceProto: "https://github.com/istio/api/blob/1.30.3/networking/v1alpha3/virtual_service.proto",
  authorizationPolicyProto: "https://github.com/istio/api/blob/1.30.3/security/v1beta1/authorization_policy.proto",
  peerAuthenticationProto: "https://github.com/istio/api/blob/1.30.3/security/v1beta1/peer_authentication.proto",
} as const;

/** Envoy's own documentation for the parts Istio passes through verbatim. */
export const ENVOY_DOCS = {
  localRateLimitFilter: "https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/local_rate_limit_filter",
  localRateLimitProto:
    "https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto",
  retryOn: "https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-retry-on",
  xfcc: "https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-client-cert",
} as const;

export const ISTIO_REFERENCES: string[] = [...Object.values(ISTIO_DOCS), ...Object.values(ENVOY_DOCS)];
