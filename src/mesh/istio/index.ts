/**
 * The Istio driver (sidecar mode). Sources of every field and command: references.ts; each
 * module cites the pages it follows.
 *
 *   import { istioDriver, createIstioDriver } from "../mesh/istio/index.js";
 *   const driver = createIstioDriver({ context: provider.context, routing: "gamma" });
 */
import type { MeshDriver, RoutingApi } from "../driver.js";
import type { Intent, Target } from "../intent.js";
import { istioCapabilities } from "./capabilities.js";
import { identityOf } from "./identity.js";
import { installSteps, verifySteps } from "./install.js";
import { ISTIO_REFERENCES } from "./references.js";
import { renderGammaMode } from "./gamma.js";
import { renderNative } from "./render.js";
import { ISTIO_DEFAULT_VERSION, resolveSettings, type IstioDriverSettings } from "./settings.js";
import { uninstallSteps } from "./uninstall.js";
import { upgradeSteps } from "./upgrade.js";

/** Sidecar resource requests, as pod annotations (https://istio.io/latest/docs/reference/config/annotations/). */
export function sidecarAnnotations(requests: { cpu: string; memory: string }): Record<string, string> {
  return { "sidecar.istio.io/proxyCPU": requests.cpu, "sidecar.istio.io/proxyMemory": requests.memory };
}

/** The injector ignores istio.io/rev while istio-injection is set, so exactly one of them. */
export function enrolmentLabels(revision: string | undefined): Record<string, string> {
  return revision ? { "istio.io/rev": revision } : { "istio-injection": "enabled" };
}

export function createIstioDriver(options: IstioDriverSettings = {}) {
  const settings = resolveSettings(options);
  return {
    name: "istio",
    defaultVersion: ISTIO_DEFAULT_VERSION,
    references: ISTIO_REFERENCES,
    capabilities: (routing: RoutingApi) => istioCapabilities(routing),
    install: (opts) => installSteps(opts, settings),
    verifyReady: (opts) => verifySteps(opts, settings),
    upgrade: (from, to) => upgradeSteps(from, to, settings),
    uninstall: (opts) => uninstallSteps(opts, settings),
    enrollNamespace: () => ({ labels: enrolmentLabels(settings.revision), annotations: {} }),
    podAnnotations: () => sidecarAnnotations(settings.sidecarRequests),
    render: (intents: Intent[], target: Target, routing: RoutingApi) =>
      routing === "gamma" ? renderGammaMode(intents, target, settings) : renderNative(intents, target, settings),
    identityOf,
  } satisfies MeshDriver;
}

/** The driver for the current kube context, default revision, native routing. */
export const istioDriver = createIstioDriver() satisfies MeshDriver;

export type { IstioDriverSettings } from "./settings.js";
export { ISTIO_DEFAULT_VERSION, ISTIO_HELM_REPO, ISTIO_NAMESPACE, revisionFor } from "./settings.js";
export { ISTIO_DOCS, ENVOY_DOCS, ISTIO_REFERENCES } from "./references.js";
export { identityOf, spiffeIdFromXfcc } from "./identity.js";
export { RATE_LIMITED_HEADER } from "./rate-limit.js";
export { upstreamEnvoyManifestArgs } from "./upstream-envoy.js";
export { ENVOY_VERSION, ISTIO_HOST_VERSION, ISTIO_LOCAL_HUB, ISTIO_MODULE, UPSTREAM_ENVOY_VARIANT } from "./upstream-envoy-variant.js";
