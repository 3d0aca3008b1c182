/**
 * The peer identity a mesh gives a workload, in the form its driver's `identityOf` reports it
 * from the headers the backend echoes: Istio's SPIFFE URI (from x-forwarded-client-cert), Linkerd's
 * client id (from l5d-client-id). Both assume the default trust domain `cluster.local`; a cluster
 * with another trust domain reports other names, which only a run on that cluster can confirm.
 */
import type { MeshName } from "../src/mesh/driver.js";

export const TRUST_DOMAIN = "cluster.local";

/** The identity a meshed client running as `namespace/serviceAccount` presents; undefined without a mesh. */
export function workloadIdentity(mesh: MeshName, namespace: string, serviceAccount: string): string | undefined {
  switch (mesh) {
    case "istio":
      // https://istio.io/latest/docs/concepts/security/#istio-identity
      return `spiffe://${TRUST_DOMAIN}/ns/${namespace}/sa/${serviceAccount}`;
    case "linkerd":
      // https://linkerd.io/2.20/features/automatic-mtls/ : <sa>.<ns>.serviceaccount.identity.<control-plane ns>.<trust domain>
      return `${serviceAccount}.${namespace}.serviceaccount.identity.linkerd.${TRUST_DOMAIN}`;
    case "none":
      return undefined;
  }
}

/** What an outcome's `peer` holds when the request carried no mesh identity. */
export const NO_PEER = "none";
