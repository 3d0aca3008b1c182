/**
 * Fault injection the way Linkerd documents it: Linkerd's proxy has no fault filter, so a share
 * of requests is routed (HTTPRoute weighted backendRefs) to a small Service that answers every
 * request with the abort status. The answering server is nginx with a one-line configuration
 * from a ConfigMap, as in https://linkerd.io/2.20/tasks/fault-injection/. A delay cannot be
 * injected this way, so delays are reported unsupported.
 */
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import type { KubeObject } from "../../plan/steps.js";
import { metadataFor, resourceName, SERVICE_PORT_NAME, toKubeObject, type WeightedBackend } from "../gamma/index.js";
import type { IntentOf, Target } from "../intent.js";
import { envNameOf } from "../../../fixtures/llm-sim/src/index.js";

/** Pinned so every run injects faults with the same server; preload it into kind with the stack's images. */
export const FAULT_BACKEND_IMAGE = "nginx:1.27-alpine";
const FAULT_BACKEND_PORT = 8080;
/** Percentages are honoured to 0.01%: weights are in basis points of the rule's traffic. */
const BASIS_POINTS = 10_000;

export function faultBackendName(target: Target, status: number): string {
  return resourceName(target, `fault-${status}`);
}

/**
 * Where no registry is reachable (the host cluster) nginx cannot be pulled: the reference server's
 * own image, already imported, answers instead, told to fail every completion with the status
 * (llm-sim's error-rate 1 and error-status, the settings its backend mutants use).
 */
export interface FaultServer {
  /** The llm-sim image the cluster already has. */
  simImage: string;
}

/** llm-sim's settings as the LLMSIM_* variables it reads (fixtures/llm-sim/src/cli.ts). */
function simFaultEnv(status: number): Array<{ name: string; value: string }> {
  const settings: Array<[string, string]> = [["host", "0.0.0.0"], ["port", String(FAULT_BACKEND_PORT)], ["version", "fault"], ["error-rate", "1"], ["error-status", String(status)]];
  return settings.map(([flag, value]) => ({ name: envNameOf(flag), value }));
}

/** `<service>-fault-<status>`: ConfigMap (nginx.conf), Deployment (nginx) and Service; with a FaultServer, llm-sim and no ConfigMap. */
export function faultBackendFor(target: Target, status: number, podAnnotations: Record<string, string>, server?: FaultServer): KubeObject[] {
  const name = faultBackendName(target, status);
  const podLabels = { ...target.labels, "app.kubernetes.io/name": name, "app.kubernetes.io/component": "fault-injector" };
  const selected = Object.entries(target.selector).every(([k, v]) => podLabels[k as keyof typeof podLabels] === v);
  if (selected) {
    // The target Service would then send real traffic to the error server too.
    throw new Error(`the fault backend's pod labels would match the target selector ${JSON.stringify(target.selector)}; give the target a selector label meshproof does not stamp`);
  }
  const nginxConf = [
    "events {}",
    "http {",
    "  access_log off;",
    "  server {",
    `    listen ${FAULT_BACKEND_PORT};`,
    `    location / { return ${status}; }`,
    "  }",
    "}",
    "",
  ].join("\n");

  const config = new ConfigMap({ metadata: metadataFor(target, name), data: { "nginx.conf": nginxConf } });
  const deployment = new Deployment({
    metadata: metadataFor(target, name, { labels: { "app.kubernetes.io/name": name } }),
    spec: {
      replicas: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": name } },
      template: {
        metadata: { labels: podLabels, annotations: podAnnotations },
        spec: {
          containers: server ? [
            {
              name: "llm-sim",
              image: server.simImage,
              imagePullPolicy: "IfNotPresent",
              env: simFaultEnv(status),
              ports: [{ name: SERVICE_PORT_NAME, containerPort: FAULT_BACKEND_PORT }],
              readinessProbe: { tcpSocket: { port: FAULT_BACKEND_PORT }, periodSeconds: 2 },
              resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
            },
          ] : [
            {
              name: "nginx",
              image: FAULT_BACKEND_IMAGE,
              ports: [{ name: SERVICE_PORT_NAME, containerPort: FAULT_BACKEND_PORT }],
              // A TCP probe: an HTTP probe would get the abort status and never pass.
              readinessProbe: { tcpSocket: { port: FAULT_BACKEND_PORT }, periodSeconds: 2 },
              resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
              volumeMounts: [{ name: "config", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf", readOnly: true }],
            },
          ],
          ...(server ? {} : { volumes: [{ name: "config", configMap: { name } }] }),
        },
      },
    },
  });
  const service = new Service({
    metadata: metadataFor(target, name),
    spec: {
      type: "ClusterIP",
      selector: { "app.kubernetes.io/name": name },
      ports: [{ name: SERVICE_PORT_NAME, port: target.port, targetPort: FAULT_BACKEND_PORT, protocol: "TCP" }],
    },
  });
  return [...(server ? [] : [toKubeObject(config)]), toKubeObject(deployment), toKubeObject(service)];
}

/**
 * The rule's backends with `abort.percent` of its traffic moved to the error Service, keeping
 * the split ratios among the rest.
 */
export function withAbortBackend(target: Target, backends: readonly WeightedBackend[], abort: NonNullable<IntentOf<"fault">["abort"]>): WeightedBackend[] {
  const abortBp = Math.round(abort.percent * (BASIS_POINTS / 100));
  if (abortBp <= 0) return [...backends];
  const error = { service: faultBackendName(target, abort.status), weight: 0 };
  if (abortBp >= BASIS_POINTS) return [{ ...error, weight: 1 }];
  const total = backends.reduce((sum, b) => sum + b.weight, 0);
  return [...backends.map((b) => ({ service: b.service, weight: b.weight * (BASIS_POINTS - abortBp) })), { ...error, weight: total * abortBp }];
}
