/**
 * One Service per version. Gateway API splits traffic between backendRefs, and a backendRef
 * names a Service, so a canary split needs a Service that selects only the canary's pods
 * (the target's common selector plus `versionLabel: version`). The route keeps the target's own
 * Service as its parent: clients keep calling the name they know.
 */
import { Service } from "kubernetes-models/v1/Service";
import type { KubeObject } from "../../plan/steps.js";
import type { Target } from "../intent.js";
import { metadataFor, resourceName } from "./meta.js";
import { toKubeObject } from "./model.js";

export const SERVICE_PORT_NAME = "http";

export function versionServiceName(target: Target, version: string): string {
  return resourceName(target, version);
}

/**
 * The Service for one version. The port is named "http" so meshes that infer the protocol from
 * the port name (Istio) treat it as HTTP; targetPort equals the target's port because the
 * reference stack's containers listen on the port the Service exposes.
 */
export function versionServiceFor(target: Target, version: string): KubeObject {
  const service = new Service({
    metadata: metadataFor(target, versionServiceName(target, version), { labels: { [target.versionLabel]: version } }),
    spec: {
      type: "ClusterIP",
      selector: { ...target.selector, [target.versionLabel]: version },
      ports: [{ name: SERVICE_PORT_NAME, port: target.port, targetPort: target.port, protocol: "TCP" }],
    },
  });
  return toKubeObject(service);
}

export function versionServicesFor(target: Target, versions: readonly string[]): KubeObject[] {
  return [...new Set(versions)].map((v) => versionServiceFor(target, v));
}
