/**
 * The Linkerd driver (version 2.20). Routing is Gateway API HTTPRoute on the Service; retries,
 * timeouts and circuit breaking are annotations; inbound policy is policy.linkerd.io resources;
 * fault injection is Linkerd's documented error-backend split. Cited pages: references.ts.
 */
import type { InstallOptions, MeshDriver, Rendered, RoutingApi } from "../driver.js";
import type { Intent, Target } from "../intent.js";
import { DEFAULT_PROXY_RESOURCES, INJECT_ANNOTATION, proxyResourceAnnotations, type ProxyResources } from "./annotations.js";
import { linkerdCapabilities } from "./capabilities.js";
import type { FaultServer } from "./fault.js";
import { linkerdIdentityOf } from "./identity.js";
import { linkerdInstallSteps, linkerdUninstallSteps, linkerdUpgradeSteps, linkerdVerifySteps, type LinkerdToolOptions } from "./install.js";
import { LINKERD_REFERENCES } from "./references.js";
import { renderLinkerd } from "./render.js";
import { LINKERD_DEFAULT_VERSION } from "./version.js";

export interface LinkerdDriverOptions extends LinkerdToolOptions {
  /** Sidecar requests/limits as pod annotations; defaults to the reference stack's 100m / 128Mi requests. */
  proxyResources?: ProxyResources;
  /** What answers injected aborts where nginx cannot be pulled (the host cluster): fault.ts. */
  faultServer?: FaultServer;
}

export function createLinkerdDriver(options: LinkerdDriverOptions = {}) {
  const podAnnotations = () => proxyResourceAnnotations(options.proxyResources ?? DEFAULT_PROXY_RESOURCES);
  return {
    name: "linkerd",
    defaultVersion: LINKERD_DEFAULT_VERSION,
    references: [...LINKERD_REFERENCES],
    // Linkerd's routing API is Gateway API, so native and GAMMA routing are the same thing.
    capabilities: (_routing: RoutingApi) => linkerdCapabilities,
    install: (opts: InstallOptions) => linkerdInstallSteps(opts, options),
    verifyReady: (opts: InstallOptions) => linkerdVerifySteps(opts, options),
    upgrade: (from: InstallOptions, to: InstallOptions) => linkerdUpgradeSteps(from, to, options),
    uninstall: (opts: InstallOptions) => linkerdUninstallSteps(opts, options),
    enrollNamespace: () => ({ labels: {}, annotations: { [INJECT_ANNOTATION]: "enabled" } }),
    podAnnotations,
    render: (intents: Intent[], target: Target, _routing: RoutingApi): Rendered => renderLinkerd(intents, target, podAnnotations(), options.faultServer),
    identityOf: linkerdIdentityOf,
  } satisfies MeshDriver;
}

/** Commands target the kubeconfig's current context; use createLinkerdDriver({ context }) for another. */
export const linkerdDriver = createLinkerdDriver() satisfies MeshDriver;

export { linkerdCapabilities } from "./capabilities.js";
export { DEFAULT_PROXY_RESOURCES, failureAccrualAnnotations, linkerdDuration, proxyResourceAnnotations, retryAnnotations, timeoutAnnotations, type ProxyResources } from "./annotations.js";
export { FAULT_BACKEND_IMAGE, faultBackendFor, withAbortBackend, type FaultServer } from "./fault.js";
export { assertReadableByLinkerd, fieldsLinkerdWouldIgnore } from "./gateway-compat.js";
export { ECHOED_IDENTITY_HEADERS, linkerdIdentityOf, serviceAccountOfIdentity } from "./identity.js";
export {
  cliFor,
  CONTROL_PLANE_NAMESPACE,
  DEFAULT_IDENTITY_DIR,
  dataPlaneRestartSteps,
  helmArgv,
  HELM_REPO,
  identityCertificateSteps,
  linkerdArgv,
  linkerdInstallSteps,
  linkerdUninstallSteps,
  linkerdUpgradeSteps,
  linkerdVerifySteps,
  type LinkerdToolOptions,
} from "./install.js";
export { PROBE_PATH_PREFIX, renderInboundPolicy, serverName } from "./policy.js";
export { LINKERD_REFERENCES } from "./references.js";
export { renderLinkerd } from "./render.js";
export { renderLinkerdRoutes } from "./routes.js";
export * as linkerdSchemas from "./schemas.js";
export { isLinkerdPolicyKind, linkerdManifest, validateLinkerdPolicy } from "./schemas.js";
export { LINKERD_DEFAULT_VERSION, resolveLinkerdRelease, type LinkerdRelease } from "./version.js";
export { fromBinariesInstallArgs, opensslIdentitySteps } from "./from-binaries.js";
export { BUILT_FROM_SOURCE_VARIANT, LINKERD_BINARIES_ENV, LINKERD_LOCAL_REGISTRY, LINKERD_SOURCE_VERSION } from "./built-from-source.js";
