/**
 * Prometheus configuration for the local cluster: static scrape targets on the loopback
 * interface. Built as data and serialised with `yaml`, so a field name is checked here once
 * rather than hand-typed in a template.
 * Field names: https://prometheus.io/docs/prometheus/2.42/configuration/configuration/
 */
import { stringify } from "yaml";

export interface ScrapeTarget {
  /** Prometheus `job` label of every series scraped from these targets. */
  job: string;
  /** "host:port" addresses. */
  targets: string[];
  /** Extra target labels, e.g. { version: "canary" } for a sim started as the canary. */
  labels?: Record<string, string>;
  /** Defaults to /metrics. */
  metricsPath?: string;
}

/** The subset of Prometheus' scrape_config that meshproof writes. */
export interface StaticScrapeConfig {
  job_name: string;
  metrics_path: string;
  scrape_interval: string;
  scrape_timeout: string;
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
}

export interface PrometheusConfig {
  global: { scrape_interval: string; scrape_timeout: string; evaluation_interval: string };
  scrape_configs: StaticScrapeConfig[];
}

export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 5;
/** Prometheus' own default scrape timeout; it must never exceed the interval or the config is rejected. */
const MAX_SCRAPE_TIMEOUT_SECONDS = 10;

export function seconds(s: number): string {
  // Prometheus durations take integer units; milliseconds keep sub-second intervals exact.
  return Number.isInteger(s) ? `${s}s` : `${Math.round(s * 1000)}ms`;
}

export function prometheusConfig(scrapeTargets: readonly ScrapeTarget[], scrapeIntervalSeconds = DEFAULT_SCRAPE_INTERVAL_SECONDS): PrometheusConfig {
  if (!(scrapeIntervalSeconds > 0)) throw new RangeError(`scrape interval must be positive, got ${scrapeIntervalSeconds}`);
  const interval = seconds(scrapeIntervalSeconds);
  const timeout = seconds(Math.min(scrapeIntervalSeconds, MAX_SCRAPE_TIMEOUT_SECONDS));
  const jobs = new Map<string, StaticScrapeConfig>();
  for (const t of scrapeTargets) {
    const metricsPath = t.metricsPath ?? "/metrics";
    const existing = jobs.get(t.job);
    if (existing && existing.metrics_path !== metricsPath) {
      throw new Error(`scrape job "${t.job}" is given two metrics paths (${existing.metrics_path}, ${metricsPath}): use one job name per path`);
    }
    // Several entries may share a job (one per version, each with its own labels).
    const job = existing ?? { job_name: t.job, metrics_path: metricsPath, scrape_interval: interval, scrape_timeout: timeout, static_configs: [] };
    job.static_configs.push(t.labels && Object.keys(t.labels).length > 0 ? { targets: [...t.targets], labels: { ...t.labels } } : { targets: [...t.targets] });
    jobs.set(t.job, job);
  }
  return {
    global: { scrape_interval: interval, scrape_timeout: timeout, evaluation_interval: interval },
    scrape_configs: [...jobs.values()],
  };
}

export function prometheusConfigYaml(scrapeTargets: readonly ScrapeTarget[], scrapeIntervalSeconds?: number): string {
  return stringify(prometheusConfig(scrapeTargets, scrapeIntervalSeconds));
}
