/**
 * The serving side of the reference stack: one llm-sim Deployment per version behind the `llm`
 * Service. Probes, resources and ports follow the seed stacks (REFERENCE-STACKS A). Services per
 * version (`llm-<version>`, for meshes that split between Services) are not made here: the
 * drivers render them with their routes (src/mesh/gamma/services.ts), and two owners of one
 * object would fight over its fields on server-side apply.
 */
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import { envNameOf } from "../../fixtures/llm-sim/src/index.js";
import type { KubeObject } from "../plan/steps.js";
import { toKubeObject } from "./kube-object.js";

export const SIM_APP = "llm-sim";
/** The sim's image as a run builds it (and kind loads it); a user's registry image can replace it. */
export const SIM_IMAGE = "meshproof/llm-sim:dev";
/** Built from fixtures/llm-sim (its own package.json and lockfile): the same sim local runs use. */
export const SIM_IMAGE_BUILD = ["docker", "build", "-t", SIM_IMAGE, "fixtures/llm-sim"];
export const SIM_SERVICE = "llm";
export const SIM_PORT = 8000;
export const VERSION_LABEL = "version";
export const SIM_METRICS_PATH = "/metrics";

export interface SimSettings {
  ttftMs?: number;
  itlMs?: number;
  outputTokens?: number;
  /** Extra delay before the headers of every completion (a deliberately slow backend: mutants). */
  delayMs?: number;
  /** Share of completions answered with errorStatus instead (a deliberately failing backend: mutants). */
  errorRate?: number;
  errorStatus?: number;
}

export interface SimWorkloadOptions {
  namespace: string;
  labels: Record<string, string>;
  versions: string[];
  image: string;
  replicas: number;
  podAnnotations: Record<string, string>;
  sim: SimSettings;
  resources: IResourceRequirements;
}

/** Prometheus' conventional pod annotations; Istio rewrites them to its merged-metrics port. */
const SCRAPE_ANNOTATIONS = {
  "prometheus.io/scrape": "true",
  "prometheus.io/port": String(SIM_PORT),
  "prometheus.io/path": SIM_METRICS_PATH,
};

/**
 * The sim's settings for one version, keyed by its command-line flag names: flags for local
 * processes, LLMSIM_* environment variables (envNameOf) in a pod.
 */
export function simSettings(version: string, port: number, sim: SimSettings, host?: string): [flag: string, value: string][] {
  const settings: [string, string][] = [["port", String(port)]];
  if (host !== undefined) settings.push(["host", host]);
  settings.push(["version", version]);
  if (sim.ttftMs !== undefined) settings.push(["ttft-ms", String(sim.ttftMs)]);
  if (sim.itlMs !== undefined) settings.push(["itl-ms", String(sim.itlMs)]);
  if (sim.outputTokens !== undefined) settings.push(["output-tokens", String(sim.outputTokens)]);
  if (sim.delayMs !== undefined) settings.push(["delay-ms", String(sim.delayMs)]);
  if (sim.errorRate !== undefined) settings.push(["error-rate", String(sim.errorRate)]);
  if (sim.errorStatus !== undefined) settings.push(["error-status", String(sim.errorStatus)]);
  return settings;
}

/** The same settings as command-line flags, for a local process. */
export function simFlags(version: string, port: number, sim: SimSettings, host?: string): string[] {
  return simSettings(version, port, sim, host).flatMap(([flag, value]) => [`--${flag}`, value]);
}

export function simDeploymentName(version: string): string {
  return `${SIM_APP}-${version}`;
}

function simContainer(version: string, opts: SimWorkloadOptions): IContainer {
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: "http" },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 2,
  });
  return {
    name: SIM_APP,
    image: opts.image,
    // Settings as LLMSIM_* variables (the sim reads them under its flags), so the image's own
    // entrypoint and args stay untouched. It listens on all addresses: the mesh's proxy (and
    // kubelet's probes) reach it on the pod IP, not on loopback.
    env: simSettings(version, SIM_PORT, opts.sim, "0.0.0.0").map(([flag, value]) => ({ name: envNameOf(flag), value })),
    ports: [{ name: "http", containerPort: SIM_PORT, protocol: "TCP" }],
    // Startup gives a slow image pull-and-start a minute before liveness may restart it.
    startupProbe: probe("/health/startup", 2, 30),
    livenessProbe: probe("/health/live", 10, 3),
    readinessProbe: probe("/health/ready", 5, 2),
    resources: opts.resources,
  };
}

export function simWorkload(opts: SimWorkloadOptions): KubeObject[] {
  const { namespace, labels } = opts;
  const objects: KubeObject[] = [
    toKubeObject(new ServiceAccount({ metadata: { name: SIM_APP, namespace, labels } })),
  ];
  for (const version of opts.versions) {
    const podLabels = { ...labels, app: SIM_APP, [VERSION_LABEL]: version };
    objects.push(
      toKubeObject(
        new Deployment({
          metadata: { name: simDeploymentName(version), namespace, labels: podLabels },
          spec: {
            replicas: opts.replicas,
            selector: { matchLabels: { app: SIM_APP, [VERSION_LABEL]: version } },
            template: {
              metadata: { labels: podLabels, annotations: { ...SCRAPE_ANNOTATIONS, ...opts.podAnnotations } },
              spec: { serviceAccountName: SIM_APP, containers: [simContainer(version, opts)] },
            },
          },
        }),
      ),
    );
  }
  objects.push(simService(SIM_SERVICE, namespace, labels, { app: SIM_APP }));
  return objects;
}

function simService(name: string, namespace: string, labels: Record<string, string>, selector: Record<string, string>): KubeObject {
  return toKubeObject(
    new Service({
      metadata: { name, namespace, labels },
      spec: {
        selector,
        // Port name "http" tells Istio the protocol without sniffing.
        ports: [{ name: "http", port: SIM_PORT, targetPort: "http", protocol: "TCP" }],
      },
    }),
  );
}
