/** Linkerd in the mesh registry (../registry.ts). */
import path from "node:path";
import type { MeshEntry } from "../entry.js";
import { workloadJob } from "../entry.js";
import { BUILT_FROM_SOURCE_VARIANT, TRUST_DOMAIN } from "./built-from-source.js";
import { LINKERD_DEFAULT_VERSION } from "./version.js";
import { COMPACT_SIDECAR_REQUESTS } from "../../stack/resources.js";

/** A token CPU request on the shared 2-CPU host node, as the stack's compact profile. */
const HOST_PROXY_REQUESTS = { cpuRequest: COMPACT_SIDECAR_REQUESTS.cpu, memoryRequest: COMPACT_SIDECAR_REQUESTS.memory } as const;

/** Linkerd's proxy admin port, which serves the proxy's metrics. */
export const LINKERD_ADMIN = { port: 4191, path: "/metrics" } as const;

export const linkerdMesh: MeshEntry = {
  name: "linkerd",
  title: "Linkerd",
  loadDriver: async () => (await import("./index.js")).linkerdDriver,
  createDriver: async ({ context, stackNamespace, cluster, runDir, out, hostSimImage }) =>
    (await import("./index.js")).createLinkerdDriver({
      ...(context ? { context } : {}),
      // Built from source on the host cluster: a trust anchor and issuer of this run's own, in its run folder.
      identityDir: cluster === "host" && runDir ? path.resolve(runDir, "linkerd-identity") : path.resolve(out, "linkerd-identity"),
      dataPlaneNamespaces: [stackNamespace],
      // No registry reaches the host cluster: it runs Linkerd built from source, images imported locally.
      ...(cluster === "host" ? { fromBinaries: {}, proxyResources: HOST_PROXY_REQUESTS } : {}),
      // nginx, the documented fault backend, cannot be pulled there: the imported llm-sim answers.
      ...(cluster === "host" && hostSimImage ? { faultServer: { simImage: hostSimImage } } : {}),
    }),
  version: { pin: LINKERD_DEFAULT_VERSION, flag: "--linkerd-version", env: "MESHPROOF_LINKERD_VERSION" },
  tools: ["linkerd", "kubectl", "helm"],
  // https://linkerd.io/2.20/features/automatic-mtls/ : <sa>.<ns>.serviceaccount.identity.<control-plane ns>.<trust domain>
  workloadIdentity: (namespace, serviceAccount) => `${serviceAccount}.${namespace}.serviceaccount.identity.linkerd.${TRUST_DOMAIN}`,
  scrapeJobs: (pods) => [workloadJob(pods), { name: "linkerd-proxy", port: LINKERD_ADMIN.port, path: LINKERD_ADMIN.path }],
  variants: [{ clusters: ["host"], variant: BUILT_FROM_SOURCE_VARIANT, images: async (builds) => (builds.linkerd ? (await import("./images.js")).linkerdImageRecipes(builds.linkerd) : []) }],
  colour: "#1fa37a",
};
