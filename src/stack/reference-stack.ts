/**
 * The reference stack on a Kubernetes cluster: llm-sim per version behind one Service, the
 * meshed loadgen, the out-of-mesh outsider, and Prometheus. Rendered as typed objects with the
 * mesh driver's enrolment and sidecar settings; applying them is the caller's plan step.
 */
import { stackResources, type ResourceProfile } from "./resources.js";
import { Namespace } from "kubernetes-models/v1/Namespace";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import type { KubeObject } from "../plan/steps.js";
import type { MeshDriver } from "../mesh/driver.js";
import type { Target } from "../mesh/intent.js";
import { runLabels } from "./labels.js";
import type { LoadEngine } from "../load/index.js";
import { loadgen, outsider, readK6Scripts, LOADGEN_CONTAINER, LOADGEN, OUTSIDER } from "./load-clients.js";
import { DEFAULT_PROMETHEUS_IMAGE, monitoring, MONITORING_NAMESPACE, PROMETHEUS, PROMETHEUS_PORT, type ScrapeJobsOf } from "./monitoring.js";
import { toKubeObject } from "./kube-object.js";
import { backendApp, kserveTargetUrl, kserveWorkload, vllmWorkload, VLLM_PORT, type Backend } from "./backend.js";
import { SIM_APP, SIM_METRICS_PATH, SIM_PORT, SIM_SERVICE, simWorkload, VERSION_LABEL, type SimSettings } from "./sim-workload.js";

export const DEFAULT_OUTSIDER_NAMESPACE = "outsider";

export interface ReferenceStackOptions {
  namespace: string;
  runId: string;
  driver: MeshDriver;
  /** What the stack's Prometheus scrapes with this mesh; by default the registry's entry for the driver's mesh. */
  scrapeJobs?: ScrapeJobsOf;
  /** Version label values, stable first (e.g. ["stable", "canary"]). */
  versions: string[];
  simImage: string;
  /** Image of the loadgen and outsider pods: LOADGEN_IMAGE, or the user's K6_IMAGE with the k6 engine. */
  loadgenImage: string;
  /** Which load generator the pods hold; builtin by default. */
  loadEngine?: LoadEngine;
  /** Pods per version; 1 by default. */
  replicas?: number;
  sim?: SimSettings;
  /** Namespace of the out-of-mesh client; "outsider" by default. */
  outsiderNamespace?: string;
  prometheusImage?: string;
  /** Namespace of the stack's Prometheus; MONITORING_NAMESPACE by default. */
  monitoringNamespace?: string;
  /** What the pods ask the scheduler for: the seed stacks' values, or less for one small node. */
  resources?: ResourceProfile;
  /** k6 engine: where the k6 scripts are read from at render time; fixtures/k6 by default. */
  k6ScriptsDir?: string;
  /** What serves the completions; llm-sim by default (src/stack/backend.ts). */
  backend?: Backend;
}

/** Where things are, for the steps that exec the load generator, port-forward to Prometheus or collect evidence. */
export interface StackLayout {
  namespace: string;
  /** In-cluster URL of the service under test. */
  targetUrl: string;
  loadgen: { namespace: string; deployment: string; container: string };
  outsider: { namespace: string; deployment: string; container: string };
  prometheus: { namespace: string; service: string; port: number };
  /** Namespaces to collect evidence from. */
  namespaces: string[];
}

export interface ReferenceStack {
  manifests: KubeObject[];
  target: Target;
  layout: StackLayout;
  /** Things a reader of the plan should know (e.g. no k6 scripts were found). */
  notes: string[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function referenceStack(opts: ReferenceStackOptions): ReferenceStack {
  const labels = runLabels(opts.runId);
  const outsiderNamespace = opts.outsiderNamespace ?? DEFAULT_OUTSIDER_NAMESPACE;
  const monitoringNamespace = opts.monitoringNamespace ?? MONITORING_NAMESPACE;
  checkNames(opts, outsiderNamespace);
  const replicas = opts.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`replicas must be a whole number of at least 1, got ${replicas}`);

  const backend: Backend = opts.backend ?? { name: "llm-sim" };
  const app = backendApp(backend, SIM_APP);
  const enrol = opts.driver.enrollNamespace();
  const podAnnotations = opts.driver.podAnnotations();
  const engine = opts.loadEngine ?? "builtin";
  const scripts = engine === "k6" ? readK6Scripts(opts.k6ScriptsDir) : { files: {} };
  const resources = stackResources(opts.resources);
  const clients = { namespace: opts.namespace, outsiderNamespace, labels, image: opts.loadgenImage, podAnnotations, engine, scripts, resources: resources.loadgen };

  const manifests = [
    toKubeObject(
      new Namespace({
        // Enrolment labels cannot override ours: the run id is how cleanup finds the namespace.
        metadata: {
          name: opts.namespace,
          labels: { ...enrol.labels, ...labels },
          ...(Object.keys(enrol.annotations).length > 0 ? { annotations: { ...enrol.annotations } } : {}),
        },
      }),
    ),
    ...backendObjects(opts, backend, labels, replicas, podAnnotations, resources.sim),
    ...loadgen(clients),
    ...outsider(clients),
    ...monitoring({ mesh: opts.driver.name, ...(opts.scrapeJobs ? { scrapeJobs: opts.scrapeJobs } : {}), workload: { namespace: opts.namespace, app: app ?? SIM_APP, versionLabel: VERSION_LABEL, versions: app && backend.name !== "kserve" ? [...opts.versions] : [], port: backend.name === "vllm" ? VLLM_PORT : SIM_PORT, metricsPath: SIM_METRICS_PATH }, labels, image: opts.prometheusImage ?? DEFAULT_PROMETHEUS_IMAGE, resources: resources.prometheus, namespace: monitoringNamespace }),
  ];

  const target: Target = {
    namespace: opts.namespace,
    service: SIM_SERVICE,
    port: SIM_PORT,
    versionLabel: VERSION_LABEL,
    versions: [...opts.versions],
    selector: { app: app ?? SIM_APP },
    labels: { ...labels },
    simImage: opts.simImage,
  };
  const targetUrl =
    backend.name === "openai" ? backend.url : backend.name === "kserve" ? kserveTargetUrl(opts.namespace) : `http://${SIM_SERVICE}.${opts.namespace}.svc.cluster.local:${SIM_PORT}`;

  return {
    manifests: namespacesFirst(manifests),
    target,
    layout: {
      namespace: opts.namespace,
      targetUrl,
      loadgen: { namespace: opts.namespace, deployment: LOADGEN, container: LOADGEN_CONTAINER },
      outsider: { namespace: outsiderNamespace, deployment: OUTSIDER, container: LOADGEN_CONTAINER },
      prometheus: { namespace: monitoringNamespace, service: PROMETHEUS, port: PROMETHEUS_PORT },
      namespaces: [opts.namespace, outsiderNamespace, monitoringNamespace],
    },
    notes: "note" in scripts && scripts.note ? [scripts.note] : [],
  };
}

/** The serving side: the sims, vLLM per version, KServe's LLMInferenceService, or nothing (an endpoint the user runs). */
function backendObjects(opts: ReferenceStackOptions, backend: Backend, labels: Record<string, string>, replicas: number, podAnnotations: Record<string, string>, simResources: IResourceRequirements): KubeObject[] {
  switch (backend.name) {
    case "llm-sim":
      return simWorkload({ namespace: opts.namespace, labels, versions: opts.versions, image: opts.simImage, replicas, podAnnotations, sim: opts.sim ?? {}, resources: simResources });
    case "vllm":
      return vllmWorkload({ namespace: opts.namespace, labels, versions: opts.versions, versionLabel: VERSION_LABEL, replicas, podAnnotations, service: SIM_SERVICE, settings: backend.vllm });
    case "kserve":
      return kserveWorkload({ namespace: opts.namespace, labels, name: SIM_SERVICE, replicas, settings: backend.vllm });
    case "openai":
      return [];
  }
}

function checkNames(opts: ReferenceStackOptions, outsiderNamespace: string): void {
  const problems: string[] = [];
  for (const [what, name] of [
    ["namespace", opts.namespace],
    ["outsider namespace", outsiderNamespace],
    ["monitoring namespace", opts.monitoringNamespace ?? MONITORING_NAMESPACE],
  ] as const) {
    if (!DNS_LABEL.test(name) || name.length > 63) problems.push(`${what} ${JSON.stringify(name)} is not a DNS-1123 label`);
  }
  const monitoringNamespace = opts.monitoringNamespace ?? MONITORING_NAMESPACE;
  const distinct = new Set([opts.namespace, outsiderNamespace, monitoringNamespace]);
  if (distinct.size !== 3) problems.push(`the stack, outsider and monitoring namespaces must differ (got ${opts.namespace}, ${outsiderNamespace}, ${monitoringNamespace})`);
  if (opts.versions.length === 0) problems.push("at least one version is needed (e.g. stable)");
  if (new Set(opts.versions).size !== opts.versions.length) problems.push(`versions repeat: ${opts.versions.join(", ")}`);
  for (const v of opts.versions) {
    // The version also names a Deployment (llm-sim-<v>) and a Service (llm-<v>).
    if (!DNS_LABEL.test(v) || v.length > 63 - SIM_APP.length - 1) problems.push(`version ${JSON.stringify(v)} must be a short DNS-1123 label`);
  }
  if (problems.length > 0) throw new Error(`cannot render the reference stack: ${problems.join("; ")}`);
}

/** Namespaces before what lives in them, so one apply of the whole list succeeds in order. */
function namespacesFirst(objects: KubeObject[]): KubeObject[] {
  return [...objects.filter((o) => o.kind === "Namespace"), ...objects.filter((o) => o.kind !== "Namespace")];
}
