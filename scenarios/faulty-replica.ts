/**
 * One bad replica for the circuit-breaking scenario: an extra reference-server Deployment whose
 * every completion fails, carrying the Service's selector so the Service balances over it like
 * any replica. Its own version label keeps it out of the per-version subsets, and its responses
 * name it (x-llm-version: faulty), so the report can tell whose errors they were.
 */
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import type { KubeObject } from "../src/engine/plan.js";
import type { Target } from "../src/mesh/intent.js";
import { simDeploymentName, simFlags, SIM_APP } from "../src/stack/index.js";

export const FAULTY_VERSION = "faulty";
export const FAULTY_STATUS = 503;

export interface FaultyReplicaOptions {
  /** The reference server's image, as the run builds and loads it for the other replicas. */
  image: string;
  /** The mesh driver's pod annotations (sidecar resources), as the other replicas get them. */
  podAnnotations: Record<string, string>;
}

/** The Deployment, validated against the published schema, with the target's labels. */
export function faultyReplica(target: Target, opts: FaultyReplicaOptions): KubeObject {
  const podLabels = { ...target.labels, ...target.selector, [target.versionLabel]: FAULTY_VERSION };
  const deployment = new Deployment({
    metadata: { name: simDeploymentName(FAULTY_VERSION), namespace: target.namespace, labels: podLabels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { ...target.selector, [target.versionLabel]: FAULTY_VERSION } },
      template: {
        metadata: { labels: podLabels, annotations: { ...opts.podAnnotations } },
        spec: {
          // The reference stack's server account, so the mesh gives it the servers' identity.
          serviceAccountName: SIM_APP,
          containers: [
            {
              name: SIM_APP,
              image: opts.image,
              // Error rate 1 fails every completion; health probes still answer, so the pod is
              // Ready and stays in the Service's endpoints, as a replica with a broken model would.
              args: [...simFlags(FAULTY_VERSION, target.port, {}), "--error-rate", "1", "--error-status", String(FAULTY_STATUS)],
              env: [{ name: "LLMSIM_VERSION", value: FAULTY_VERSION }],
              ports: [{ name: "http", containerPort: target.port, protocol: "TCP" }],
              readinessProbe: { httpGet: { path: "/health/ready", port: "http" }, periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2 },
              resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1000m", memory: "1Gi" } },
            },
          ],
        },
      },
    },
  });
  deployment.validate();
  return deployment.toJSON() as KubeObject;
}
