/**
 * The reference stack: rendered manifests for a cluster, or local process descriptions for the
 * `local` cluster, and the Target both expose to the mesh drivers.
 */
export { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_ID_LABEL, runLabels } from "./labels.js";
export { referenceStack, DEFAULT_OUTSIDER_NAMESPACE, type ReferenceStack, type ReferenceStackOptions, type StackLayout } from "./reference-stack.js";
export { SIM_APP, SIM_IMAGE, SIM_IMAGE_BUILD, SIM_METRICS_PATH, SIM_PORT, SIM_SERVICE, VERSION_LABEL, simDeploymentName, simFlags, simSettings, type SimSettings } from "./sim-workload.js";
export { readK6Scripts, DEFAULT_K6_SCRIPTS_DIR, K6_SCRIPTS_MOUNT, LOADGEN_CONTAINER, type K6Scripts } from "./load-clients.js";
export { clusterPrometheusConfig, discoveryName, monitoring, DEFAULT_PROMETHEUS_IMAGE, MONITORING_NAMESPACE, PROMETHEUS, PROMETHEUS_PORT, type ClusterPrometheusConfig, type ScrapedWorkload } from "./monitoring.js";
export { localStack, localStackSteps, localStackWithPorts, LOCAL_NAMESPACE, type LocalProcess, type LocalPrometheus, type LocalStack, type LocalStackOptions } from "./local-stack.js";
