/**
 * The stack's Prometheus, in `meshproof-monitoring`, outside any mesh. It finds the sims' pods by
 * DNS: one headless Service per version (`llm-sim-<version>`, the Deployment's name) publishes an
 * A record per pod, and a `dns_sd_configs` entry of type A per version turns them into targets.
 * Kubernetes service discovery is not used because Debian's Prometheus (2.42.0+ds, the binary the
 * host cluster's image holds) is built without it: its config parser rejects
 * `kubernetes_sd_configs` ("field kubernetes_sd_configs not found in type config.ScrapeConfig"),
 * while DNS discovery is in every build, so one config serves every cluster. No API access is
 * needed either (no Role, no token mounted).
 * Jobs by mesh:
 * - none: the sims' own /metrics on their port;
 * - istio: the merged-metrics port 15020 at /stats/prometheus, where pilot-agent serves Envoy's
 *   stats with the app's own /metrics merged in, plaintext even under STRICT mTLS
 *   (https://istio.io/latest/docs/ops/integrations/prometheus/#option-1-metrics-merging);
 * - linkerd: the sims' /metrics and each proxy's admin port 4191, the way linkerd-viz scrapes
 *   (https://linkerd.io/docs/tasks/external-prometheus/). With Linkerd's default-deny
 *   authorization in force the plaintext scrape of the sim's port is refused; the proxy metrics
 *   still come through the admin port.
 * Every target is labelled `namespace`, `app` and `version` (read off the DNS name it was found
 * under), the labels the queries select series by on every mesh. Headless Services list only
 * ready pods unless told otherwise: `publishNotReadyAddresses` keeps a pod a fault made unready
 * in the scrape, as pod discovery did.
 * dns_sd_config fields and `__meta_dns_name`:
 * https://prometheus.io/docs/prometheus/2.42/configuration/configuration/#dns_sd_config
 */
import { stringify } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import type { KubeObject } from "../plan/steps.js";
import type { MeshName } from "../mesh/driver.js";
import { workloadJob, type ScrapedPods, type ScrapeJob } from "../mesh/entry.js";
import { MESHES } from "../mesh/registry.js";
import { seconds } from "../metrics/index.js";
import { toKubeObject } from "./kube-object.js";

export const MONITORING_NAMESPACE = "meshproof-monitoring";
export const PROMETHEUS = "prometheus";
export const PROMETHEUS_PORT = 9090;
/** Pinned and overridable; the config uses only fields Debian's 2.42 build also accepts. */
export const DEFAULT_PROMETHEUS_IMAGE = "quay.io/prometheus/prometheus:v2.53.0";
export const CLUSTER_SCRAPE_INTERVAL_SECONDS = 5;
/** The cluster DNS domain the discovery names end in (kind, GKE and host all use the default). */
export const CLUSTER_DOMAIN = "cluster.local";

/** The workload Prometheus scrapes: pods labelled app=<app>, <versionLabel>=<version> in `namespace`. */
export interface ScrapedWorkload {
  namespace: string;
  app: string;
  versionLabel: string;
  versions: string[];
  /** The app's own metrics port and path. */
  port: number;
  metricsPath: string;
}

interface RelabelRule {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: "replace" | "keep" | "drop" | "labelmap";
}

interface DnsScrapeConfig {
  job_name: string;
  metrics_path: string;
  dns_sd_configs: { names: string[]; type: "A"; port: number; refresh_interval: string }[];
  relabel_configs: RelabelRule[];
}

export interface ClusterPrometheusConfig {
  global: { scrape_interval: string; scrape_timeout: string; evaluation_interval: string };
  scrape_configs: DnsScrapeConfig[];
}

/** The headless Service whose A records are one version's pods: named like its Deployment. */
export function discoveryServiceName(workload: Pick<ScrapedWorkload, "app">, version: string): string {
  return `${workload.app}-${version}`;
}

export function discoveryName(workload: ScrapedWorkload, version: string): string {
  return `${discoveryServiceName(workload, version)}.${workload.namespace}.svc.${CLUSTER_DOMAIN}`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Labels every job adds, read off the DNS name a target was found under. */
function identity(workload: ScrapedWorkload): RelabelRule[] {
  const name = `${escapeRegex(workload.app)}-(.+)\\.${escapeRegex(workload.namespace)}\\.svc\\.${escapeRegex(CLUSTER_DOMAIN)}\\.?`;
  return [
    { source_labels: ["__meta_dns_name"], regex: name, target_label: workload.versionLabel, replacement: "$1", action: "replace" },
    { target_label: "namespace", replacement: workload.namespace, action: "replace" },
    { target_label: "app", replacement: workload.app, action: "replace" },
  ];
}

/** What Prometheus scrapes on the workload's pods with a mesh (each registry entry's `scrapeJobs`). */
export type ScrapeJobsOf = (pods: ScrapedPods) => ScrapeJob[];

/** A mesh's scrape jobs from the registry; a mesh it does not know is scraped as the workload alone. */
function registryJobs(mesh: MeshName): ScrapeJobsOf {
  return MESHES.has(mesh) ? MESHES.entry(mesh).scrapeJobs : (pods) => [workloadJob(pods)];
}

export function clusterPrometheusConfig(mesh: MeshName, workload: ScrapedWorkload, intervalSeconds = CLUSTER_SCRAPE_INTERVAL_SECONDS, jobsOf: ScrapeJobsOf = registryJobs(mesh)): ClusterPrometheusConfig {
  const interval = seconds(intervalSeconds);
  const names = workload.versions.map((v) => discoveryName(workload, v));
  const job = (job_name: string, port: number, metrics_path: string): DnsScrapeConfig => ({
    job_name,
    metrics_path,
    dns_sd_configs: [{ names: [...names], type: "A", port, refresh_interval: interval }],
    relabel_configs: identity(workload),
  });
  // No pods of ours to scrape (a backend the user runs elsewhere): Prometheus runs with no jobs.
  const jobs = names.length === 0 ? [] : jobsOf(workload).map((j) => job(j.name, j.port, j.path));
  return { global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval }, scrape_configs: jobs };
}

/** One headless Service per version, in the workload's namespace, for DNS discovery only. */
export function discoveryServices(workload: ScrapedWorkload, labels: Record<string, string>): KubeObject[] {
  return workload.versions.map((version) =>
    toKubeObject(
      new Service({
        metadata: { name: discoveryServiceName(workload, version), namespace: workload.namespace, labels },
        spec: {
          clusterIP: "None",
          publishNotReadyAddresses: true,
          selector: { app: workload.app, [workload.versionLabel]: version },
          ports: [{ name: "http-metrics", port: workload.port, targetPort: workload.port, protocol: "TCP", appProtocol: "http" }],
        },
      }),
    ),
  );
}

export interface MonitoringOptions {
  mesh: MeshName;
  /** The mesh's scrape jobs; by default the registry's entry for `mesh`. */
  scrapeJobs?: ScrapeJobsOf;
  /** The pods scraped (the stack's sims). */
  workload: ScrapedWorkload;
  labels: Record<string, string>;
  image: string;
  resources: IResourceRequirements;
  /** Where Prometheus runs; MONITORING_NAMESPACE by default. */
  namespace?: string;
}

export function monitoring(opts: MonitoringOptions): KubeObject[] {
  const namespace = opts.namespace ?? MONITORING_NAMESPACE;
  const { labels } = opts;
  const podLabels = { ...labels, app: PROMETHEUS };
  const objects: KubeObject[] = [
    toKubeObject(new Namespace({ metadata: { name: namespace, labels } })),
    toKubeObject(new ServiceAccount({ metadata: { name: PROMETHEUS, namespace, labels }, automountServiceAccountToken: false })),
    ...discoveryServices(opts.workload, labels),
  ];
  objects.push(
    toKubeObject(
      new ConfigMap({
        metadata: { name: PROMETHEUS, namespace, labels },
        // No YAML anchors for the shared relabel rules: a reader of the ConfigMap sees each job whole.
        data: { "prometheus.yml": stringify(clusterPrometheusConfig(opts.mesh, opts.workload, CLUSTER_SCRAPE_INTERVAL_SECONDS, opts.scrapeJobs), { aliasDuplicateObjects: false }) },
      }),
    ),
    toKubeObject(
      new Deployment({
        metadata: { name: PROMETHEUS, namespace, labels: podLabels },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: PROMETHEUS } },
          template: {
            metadata: { labels: podLabels },
            spec: {
              serviceAccountName: PROMETHEUS,
              containers: [
                {
                  name: PROMETHEUS,
                  image: opts.image,
                  args: [
                    "--config.file=/etc/prometheus/prometheus.yml",
                    "--storage.tsdb.path=/prometheus",
                    "--storage.tsdb.retention.time=1d",
                    `--web.listen-address=:${PROMETHEUS_PORT}`,
                  ],
                  ports: [{ name: "http", containerPort: PROMETHEUS_PORT, protocol: "TCP" }],
                  readinessProbe: { httpGet: { path: "/-/ready", port: "http" }, periodSeconds: 5 },
                  livenessProbe: { httpGet: { path: "/-/healthy", port: "http" }, periodSeconds: 10 },
                  resources: opts.resources,
                  volumeMounts: [
                    { name: "config", mountPath: "/etc/prometheus", readOnly: true },
                    { name: "data", mountPath: "/prometheus" },
                  ],
                },
              ],
              volumes: [
                { name: "config", configMap: { name: PROMETHEUS } },
                // The series a run relies on are exported as evidence before teardown, so the
                // TSDB need not outlive the pod.
                { name: "data", emptyDir: {} },
              ],
            },
          },
        },
      }),
    ),
    toKubeObject(
      new Service({
        metadata: { name: PROMETHEUS, namespace, labels },
        spec: { selector: { app: PROMETHEUS }, ports: [{ name: "http", port: PROMETHEUS_PORT, targetPort: "http", protocol: "TCP" }] },
      }),
    ),
  );
  return objects;
}
