/**
 * One bad replica for the circuit-breaking scenario: an extra reference-server Deployment whose
 * every completion fails, carrying the Service's selector so the Service balances over it like
 * any replica. Its own version label keeps it out of the per-version subsets, and its responses
 * name it (x-llm-version: faulty), so the report can tell whose errors they were.
 */
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import type { KubeObject } from "../src/plan/steps.js";
import type { Target } from "../src/mesh/intent.js";
import { envNameOf } from "../fixtures/llm-sim/src/index.js";
import { simDeploymentName, simSettings, SIM_APP, SIM_IMAGE } from "../src/stack/index.js";

export const FAULTY_VERSION = "faulty";
export const FAULTY_STATUS = 503;

export interface FaultyReplicaOptions {
  /** The reference server's image; by default the one the stack's replicas run (the target's). */
  image?: string;
  /** The mesh driver's pod annotations (sidecar resources), as the other replicas get them. */
  podAnnotations: Record<string, string>;
}

/** The Deployment, validated against the published schema, with the target's labels. */
export function faultyReplica(target: Target, opts: FaultyReplicaOptions): KubeObject {
  const podLabels = { ...target.labels, ...target.selector, [target.versionLabel]: FAULTY_VERSION };
  const settings: [flag: string, value: string][] = [
    ...simSettings(FAULTY_VERSION, target.port, {}, "0.0.0.0"),
    ["error-rate", "1"],
    ["error-status", String(FAULTY_STATUS)],
  ];
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
              image: opts.image ?? target.simImage ?? SIM_IMAGE,
              // Configured like the stack's replicas (LLMSIM_* variables, listening on the pod IP
              // for the proxy), plus an error rate of 1: every completion fails, while health
              // probes still answer, so the pod is Ready and stays in the Service's endpoints,
              // as a replica with a broken model would.
              env: settings.map(([flag, value]) => ({ name: envNameOf(flag), value })),
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
