/** Istio in the mesh registry (../registry.ts). */
import type { MeshEntry } from "../entry.js";
import { ISTIO_DEFAULT_VERSION } from "./settings.js";
import { COMPACT_SIDECAR_REQUESTS } from "../../stack/resources.js";
import { ISTIO_HOST_VERSION, UPSTREAM_ENVOY_VARIANT } from "./upstream-envoy-variant.js";

/** The trust domain Istio's identities carry by default; another cluster's may differ. */
const TRUST_DOMAIN = "cluster.local";

/** Istio's merged-metrics endpoint on every injected pod (the sidecar's and the app's series). */
export const ISTIO_MERGED_METRICS = { port: 15020, path: "/stats/prometheus" } as const;

export const istioMesh: MeshEntry = {
  name: "istio",
  title: "Istio",
  loadDriver: async () => (await import("./index.js")).istioDriver,
  createDriver: async ({ context, routing, stackNamespace, cluster }) =>
    (await import("./index.js")).createIstioDriver({
      ...(context ? { context } : {}),
      routing,
      enrolledNamespaces: [stackNamespace],
      // No registry reaches the host cluster: it runs the Istio setup built here, with stock Envoy;
      // its sidecars ask a token CPU of the shared 2-CPU node, as the stack's compact profile.
      ...(cluster === "host" ? { variant: "upstream-envoy" as const, sidecarRequests: COMPACT_SIDECAR_REQUESTS } : {}),
    }),
  version: { pin: ISTIO_DEFAULT_VERSION, flag: "--istio-version", env: "MESHPROOF_ISTIO_VERSION" },
  tools: ["istioctl", "kubectl", "helm"],
  // https://istio.io/latest/docs/concepts/security/#istio-identity
  workloadIdentity: (namespace, serviceAccount) => `spiffe://${TRUST_DOMAIN}/ns/${namespace}/sa/${serviceAccount}`,
  scrapeJobs: (pods) => [{ name: pods.app, port: ISTIO_MERGED_METRICS.port, path: ISTIO_MERGED_METRICS.path }],
  variants: [
    {
      clusters: ["host"],
      variant: UPSTREAM_ENVOY_VARIANT,
      // The host cluster can only run the Istio setup built here; --istio-version names releases.
      installVersion: ISTIO_HOST_VERSION,
      images: async (builds) => (builds.istio && builds.envoy ? (await import("./images.js")).istioImageRecipes({ istio: builds.istio, envoy: builds.envoy }) : []),
    },
  ],
  colour: "#466bb0",
};
