/**
 * Pins and per-cluster settings of the Istio driver. The MeshDriver contract carries neither a
 * kube context nor the routing API at install time, so a driver instance is created with them.
 */
import type { RoutingApi } from "../driver.js";

/** DESIGN section 6. The istioctl on PATH must be this version when installing with the CLI. */
export const ISTIO_DEFAULT_VERSION = "1.30.3";

/** Helm repository of the official charts (istio.io/latest/docs/setup/install/helm/). */
export const ISTIO_HELM_REPO = "https://istio-release.storage.googleapis.com/charts";

/** Where istiod and its webhooks live; Istio's default, used by istioctl and the charts. */
export const ISTIO_NAMESPACE = "istio-system";

/**
 * `minimal` installs istiod only: meshproof drives load from a meshed pod inside the cluster,
 * so no ingress gateway is needed (istio.io/latest/docs/setup/additional-setup/config-profiles/).
 */
export const ISTIO_PROFILE = "minimal";

/** istiod's Deployment and Helm release: "istiod" for the default revision, "istiod-<revision>" otherwise. */
export function istiodName(revision: string | undefined): string {
  return revision ? `istiod-${revision}` : "istiod";
}

/** The injector webhook the istiod chart creates when installed in istio-system (mutatingwebhook.yaml). */
export function injectorWebhookName(revision: string | undefined): string {
  return revision ? `istio-sidecar-injector-${revision}` : "istio-sidecar-injector";
}

/** Every object meshproof creates carries this label (DESIGN section 7). */
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "meshproof" } as const;

export interface IstioDriverSettings {
  /** kube context every command targets; omitted means the current context of the kubeconfig. */
  context?: string;
  /**
   * Revision the namespace enrolment points at (label istio.io/rev). Create the driver with the
   * same revision you pass to install(); omitted means the default revision (istio-injection).
   */
  revision?: string;
  /** Whether install() also brings the Gateway API CRDs (GAMMA routing needs them). */
  routing?: RoutingApi;
  /** Namespaces whose workloads an upgrade moves to the new control plane. */
  enrolledNamespaces?: string[];
  /** SPIFFE trust domain of workload identities (meshConfig.trustDomain). */
  trustDomain?: string;
  /** Kubernetes cluster DNS domain used in service FQDNs. */
  clusterDomain?: string;
  /** Which build of Istio to install: the official release, or upstream-envoy.ts (host cluster). */
  variant?: "official" | "upstream-envoy";
  /** What each sidecar asks the scheduler for; reference stack A's 100m CPU and 128Mi by default. */
  sidecarRequests?: { cpu: string; memory: string };
}

export type ResolvedSettings = Required<Omit<IstioDriverSettings, "context" | "revision">> &
  Pick<IstioDriverSettings, "context" | "revision">;

export function resolveSettings(settings: IstioDriverSettings = {}): ResolvedSettings {
  return {
    context: settings.context,
    revision: settings.revision,
    routing: settings.routing ?? "native",
    enrolledNamespaces: settings.enrolledNamespaces ?? [],
    trustDomain: settings.trustDomain ?? "cluster.local",
    clusterDomain: settings.clusterDomain ?? "cluster.local",
    variant: settings.variant ?? "official",
    sidecarRequests: settings.sidecarRequests ?? { cpu: "100m", memory: "128Mi" },
  };
}

/**
 * Istio revisions are DNS labels, so a version's dots become dashes ("1.30.3" -> "1-30-3"), the
 * naming the canary-upgrade guide uses (istio.io/latest/docs/setup/upgrade/canary/).
 */
export function revisionFor(version: string): string {
  const revision = version.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "");
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(revision) || revision.length > 63) {
    throw new Error(`cannot derive an Istio revision name from version "${version}": pass InstallOptions.revision explicitly`);
  }
  return revision;
}
