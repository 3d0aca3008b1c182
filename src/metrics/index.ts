/**
 * Metrics: Prometheus and the Pushgateway as local processes, a PromQL client, per-mesh query
 * builders, and the export of a run's results to a Pushgateway.
 */
export { freePort } from "./free-port.js";
export {
  DEFAULT_SCRAPE_INTERVAL_SECONDS,
  prometheusConfig,
  prometheusConfigYaml,
  seconds,
  type PrometheusConfig,
  type ScrapeTarget,
} from "./prometheus-config.js";
export {
  prometheusArgv,
  pushgatewayArgv,
  startPrometheus,
  startPushgateway,
  DEFAULT_SERVER_READY_TIMEOUT_MS,
  type PrometheusArgvOptions,
  type PushgatewayArgvOptions,
  type RunningPrometheus,
  type RunningPushgateway,
  type StartPrometheusOptions,
  type StartPushgatewayOptions,
} from "./prometheus-process.js";
export { ServerStartError } from "../core/process.js";
export { promClient, PromQLError, type Labels, type Point, type PromClient, type PromClientOptions, type RangeSeries, type Sample, type WaitForSeriesOptions } from "./promql.js";
export {
  meshQueries,
  promLabelName,
  QUERY_REFERENCES,
  type MeshQueries,
  type MetricsSource,
  type QueryScope,
  type Side,
} from "./queries.js";
export { pushGrouping, pushResults, resultsRegistry, PUSH_JOB, type LatencyMetricName, type PushableResults } from "./pushgateway.js";
