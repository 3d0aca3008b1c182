/**
 * The stack's Prometheus, in `meshproof-monitoring`, outside any mesh. It discovers pods of the
 * stack's namespace only (a Role there, no cluster-wide read) and scrapes:
 * - pods annotated prometheus.io/scrape: the sims' own /metrics, and under Istio the proxies too,
 *   because Istio's injector rewrites these annotations to its merged-metrics port 15020
 *   (https://istio.io/latest/docs/ops/integrations/prometheus/#option-1-metrics-merging);
 * - under Linkerd, each proxy's admin port `linkerd-admin` (4191), the way linkerd-viz does
 *   (https://linkerd.io/docs/tasks/external-prometheus/).
 * Pod labels become series labels (labelmap), so `version` and `app` select series on every mesh.
 *
 * Not checked here, only on a real cluster: Linkerd 2.20 runs its proxy as a native sidecar (an
 * init container with restartPolicy Always), so the linkerd-proxy job relies on Prometheus' pod
 * discovery listing init containers' ports too; with Linkerd's default-deny authorization in force,
 * the plaintext scrape of the sim's port 8000 is refused (the proxy metrics still come through
 * the admin port); with Istio STRICT mTLS the merged port 15020 stays plaintext by design.
 * Relabel fields: https://prometheus.io/docs/prometheus/latest/configuration/configuration/#kubernetes_sd_config
 */
import { stringify } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import type { KubeObject } from "../engine/plan.js";
import type { MeshName } from "../mesh/driver.js";
import { seconds } from "../metrics/index.js";
import { toKubeObject } from "./kube-object.js";

export const MONITORING_NAMESPACE = "meshproof-monitoring";
export const PROMETHEUS = "prometheus";
export const PROMETHEUS_PORT = 9090;
/** Pinned and overridable; its config fields are the same as the local 2.42's. */
export const DEFAULT_PROMETHEUS_IMAGE = "quay.io/prometheus/prometheus:v2.53.0";
export const CLUSTER_SCRAPE_INTERVAL_SECONDS = 5;

interface RelabelRule {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: "replace" | "keep" | "drop" | "labelmap";
}

interface KubernetesScrapeConfig {
  job_name: string;
  kubernetes_sd_configs: { role: "pod"; namespaces: { names: string[] } }[];
  relabel_configs: RelabelRule[];
}

export interface ClusterPrometheusConfig {
  global: { scrape_interval: string; scrape_timeout: string; evaluation_interval: string };
  scrape_configs: KubernetesScrapeConfig[];
}

/** Labels every job adds: where the series came from, and the pod's own labels. */
const POD_IDENTITY: RelabelRule[] = [
  { action: "labelmap", regex: "__meta_kubernetes_pod_label_(.+)" },
  { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
  { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
];

export function clusterPrometheusConfig(mesh: MeshName, namespaces: string[], intervalSeconds = CLUSTER_SCRAPE_INTERVAL_SECONDS): ClusterPrometheusConfig {
  const discovery = [{ role: "pod" as const, namespaces: { names: [...namespaces] } }];
  const jobs: KubernetesScrapeConfig[] = [
    {
      job_name: "annotated-pods",
      kubernetes_sd_configs: discovery,
      relabel_configs: [
        { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], action: "keep", regex: "true" },
        { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"], action: "replace", target_label: "__metrics_path__", regex: "(.+)" },
        {
          // One target per pod at the annotated port, whatever ports its containers declare.
          source_labels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
          action: "replace",
          regex: "([^:]+)(?::\\d+)?;(\\d+)",
          replacement: "$1:$2",
          target_label: "__address__",
        },
        ...POD_IDENTITY,
      ],
    },
  ];
  if (mesh === "linkerd") {
    jobs.push({
      job_name: "linkerd-proxy",
      kubernetes_sd_configs: discovery,
      relabel_configs: [
        { source_labels: ["__meta_kubernetes_pod_container_name", "__meta_kubernetes_pod_container_port_name"], action: "keep", regex: "linkerd-proxy;linkerd-admin" },
        ...POD_IDENTITY,
      ],
    });
  }
  const interval = seconds(intervalSeconds);
  return { global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval }, scrape_configs: jobs };
}

export interface MonitoringOptions {
  mesh: MeshName;
  /** Namespaces whose pods are scraped (the stack's). */
  scrapeNamespaces: string[];
  labels: Record<string, string>;
  image: string;
  resources: IResourceRequirements;
}

export function monitoring(opts: MonitoringOptions): KubeObject[] {
  const namespace = MONITORING_NAMESPACE;
  const { labels } = opts;
  const podLabels = { ...labels, app: PROMETHEUS };
  const objects: KubeObject[] = [
    toKubeObject(new Namespace({ metadata: { name: namespace, labels } })),
    toKubeObject(new ServiceAccount({ metadata: { name: PROMETHEUS, namespace, labels } })),
  ];
  for (const scraped of opts.scrapeNamespaces) {
    objects.push(
      toKubeObject(
        new Role({
          metadata: { name: "meshproof-prometheus", namespace: scraped, labels },
          rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
        }),
      ),
      toKubeObject(
        new RoleBinding({
          metadata: { name: "meshproof-prometheus", namespace: scraped, labels },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "meshproof-prometheus" },
          subjects: [{ kind: "ServiceAccount", name: PROMETHEUS, namespace }],
        }),
      ),
    );
  }
  objects.push(
    toKubeObject(
      new ConfigMap({
        metadata: { name: PROMETHEUS, namespace, labels },
        // No YAML anchors for the shared relabel rules: a reader of the ConfigMap sees each job whole.
        data: { "prometheus.yml": stringify(clusterPrometheusConfig(opts.mesh, opts.scrapeNamespaces), { aliasDuplicateObjects: false }) },
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
