/**
 * Gateway API for mesh (GAMMA): HTTPRoutes attached to Services. Used on its own for a mesh's
 * GAMMA mode, and piece by piece by drivers whose routing API is Gateway API (Linkerd, Istio).
 */
export { gammaCapabilities, GAMMA_UNSUPPORTED } from "./capabilities.js";
export { GATEWAY_API_VERSION, gatewayApiCrdSteps, gatewayApiInstallUrl, kubectlArgv, type GatewayApiChannel } from "./crds.js";
export { gatewayDuration, GATEWAY_DURATION_PATTERN } from "./duration.js";
export {
  backendRefsFor,
  httpRouteFor,
  httpRoutesFor,
  MAX_RULES_PER_ROUTE,
  requestHeaderModifier,
  routeRuleFor,
  serviceParentRef,
  type HttpRouteOptions,
  type HTTPRouteRule,
  type HTTPRouteFilter,
  type HTTPBackendRef,
  type ParentReference,
} from "./httproute.js";
export { ANY_VALUE_REGEX, implies, matchKey, mergeMatches, normalizeMatch, toHttpRouteMatch } from "./matches.js";
export { metadataFor, resourceName, type Metadata } from "./meta.js";
export { toKubeObject } from "./model.js";
export { dedupeUnsupported, gammaChannelFor, gammaRuleFor, referencedVersions, renderGamma, ROUTE_PURPOSE } from "./render.js";
export { gammaRetryFor, REQUIRED_RETRIABLE_CODES, type GammaRetry } from "./retry.js";
export { needsRoute, planRules, reduceWeights, routingIntentsOf, type PlannedRule, type RoutingIntents, type ScopedPolicy, type WeightedBackend } from "./rules.js";
export { SERVICE_PORT_NAME, versionServiceFor, versionServiceName, versionServicesFor } from "./services.js";
