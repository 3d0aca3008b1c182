/**
 * PromQL builders, one vocabulary per metrics source, so a scenario asks the same questions of
 * every mesh: requests per version, responses per status code, error rates and latency quantiles
 * over a window. Every builder returns series labelled `version` (and `code` where asked), and
 * latencies in milliseconds, whatever the mesh's own label names and units.
 *
 * Sources of the names:
 * - none and local: llm-sim's own series (`llmsim_requests_total{version,path,status}`, vLLM's
 *   `vllm:e2e_request_latency_seconds` histogram); on a cluster the stack's Prometheus copies pod
 *   labels onto every target (see src/stack/monitoring.ts), locally the scrape target carries
 *   `version`.
 * - Istio 1.30: https://istio.io/latest/docs/reference/config/metrics/ (`istio_requests_total`,
 *   `istio_request_duration_milliseconds`, labels reporter, destination_service_name,
 *   destination_service_namespace, destination_version, response_code).
 * - Linkerd 2.20: https://linkerd.io/docs/reference/proxy-metrics/ (the 2.20 docs; the same
 *   page as linkerd.io/2.19/reference/proxy-metrics/ for the names used here): inbound
 *   `response_total` / `response_latency_ms` (labels direction, tls, status_code) and the
 *   outbound route-backend family `outbound_http_route_backend_response_statuses_total` /
 *   `outbound_http_route_backend_response_duration_seconds` (labels parent_name,
 *   parent_namespace, backend_name, http_status).
 *
 * Counter caveat, true of every source: increase() cannot see increments of a series that first
 * appears inside the window (there is no earlier sample), and it extrapolates to the window's
 * edges, so these counts corroborate the load generator's own counts rather than replace them.
 */
import type { Target } from "../mesh/intent.js";

/**
 * Where the series come from: a mesh's proxies (the meshes whose series vocabulary is below), or
 * (none, local) the sim itself.
 */
export type MetricsSource = "istio" | "linkerd" | "none" | "local";

/**
 * Which side of a request to count. `server`: what each version's pods received. `client`: what
 * the meshed client's proxy saw, including responses the proxy made itself (injected aborts,
 * timeouts, ejected hosts). Without a mesh both are the sim's own count.
 */
export type Side = "client" | "server";

export interface QueryScope {
  target: Pick<Target, "namespace" | "service" | "selector" | "versionLabel">;
  /** Length of the range the counts and quantiles cover, in seconds (e.g. one measurement batch). */
  windowSeconds: number;
  /** Defaults to server. */
  side?: Side;
}

export interface MeshQueries {
  readonly source: MetricsSource;
  /** Documentation of the metric names used, for the report. */
  readonly references: readonly string[];
  /** What the latency histogram times on this source, in words for the report. */
  latencyMeasures(side?: Side): string;
  /** Requests in the window, one series per `version`. */
  requestsByVersion(scope: QueryScope): string;
  /** Responses in the window, one series per `version` and `code` (the HTTP status). */
  responsesByVersionAndCode(scope: QueryScope): string;
  /** Fraction of non-2xx responses in the window, one series per `version`; 0 where none failed. */
  errorRateByVersion(scope: QueryScope): string;
  /** Fraction of non-2xx responses across all versions: one series, 0 when none failed. */
  errorRate(scope: QueryScope): string;
  /** Latency quantile `q` in (0, 1), in milliseconds, one series per `version`. */
  latencyQuantileMsByVersion(scope: QueryScope, q: number): string;
  /** Latency quantile `q` across all versions, in milliseconds: one series. */
  latencyQuantileMs(scope: QueryScope, q: number): string;
}

/** How one source names things; the builders below are the same for every source. */
interface Vocabulary {
  counter: string;
  counterMatchers: string[];
  /** Label holding the status code on the counter. */
  codeLabel: string;
  bucket: string;
  bucketMatchers: string[];
  /** Multiply the histogram's unit by this to get milliseconds. */
  toMs: number;
  /** The label that identifies the version, and how to turn its value into the version. */
  version: { label: string; regex: string };
}

export const QUERY_REFERENCES: Record<MetricsSource, readonly string[]> = {
  none: ["fixtures/llm-sim (llmsim_requests_total, vllm:e2e_request_latency_seconds)"],
  local: ["fixtures/llm-sim (llmsim_requests_total, vllm:e2e_request_latency_seconds)"],
  istio: ["https://istio.io/latest/docs/reference/config/metrics/ (Istio 1.30)"],
  linkerd: ["https://linkerd.io/docs/reference/proxy-metrics/"],
};

/** Requests served by the sim count; its health probes and metrics scrapes do not. */
const SIM_API_PATHS = "/v1/.*";

function vocabulary(source: MetricsSource, scope: QueryScope): Vocabulary {
  const { target } = scope;
  const side = scope.side ?? "server";
  const selector = Object.entries(target.selector).map(([k, v]) => eq(promLabelName(k), v));
  const versionLabel = promLabelName(target.versionLabel);
  switch (source) {
    case "local":
    case "none": {
      // Local targets carry no namespace label; on a cluster it keeps other runs' sims out.
      const where = source === "none" ? [eq("namespace", target.namespace)] : [];
      return {
        counter: "llmsim_requests_total",
        counterMatchers: [...where, re("path", SIM_API_PATHS)],
        codeLabel: "status",
        bucket: "vllm:e2e_request_latency_seconds_bucket",
        bucketMatchers: where,
        toMs: 1000,
        version: { label: versionLabel, regex: "(.*)" },
      };
    }
    case "istio": {
      const matchers = [
        eq("reporter", side === "client" ? "source" : "destination"),
        eq("destination_service_name", target.service),
        eq("destination_service_namespace", target.namespace),
      ];
      return {
        counter: "istio_requests_total",
        counterMatchers: matchers,
        codeLabel: "response_code",
        bucket: "istio_request_duration_milliseconds_bucket",
        bucketMatchers: matchers,
        toMs: 1,
        // Istio fills destination_version from the pod's `version` label; "unknown" when the
        // client's proxy answered without reaching a backend (an injected abort).
        version: { label: "destination_version", regex: "(.*)" },
      };
    }
    case "linkerd": {
      if (side === "client") {
        const matchers = [eq("parent_name", target.service), eq("parent_namespace", target.namespace)];
        return {
          counter: "outbound_http_route_backend_response_statuses_total",
          counterMatchers: matchers,
          codeLabel: "http_status",
          bucket: "outbound_http_route_backend_response_duration_seconds_bucket",
          bucketMatchers: matchers,
          toMs: 1000,
          // Routes split between per-version Services named <service>-<version> (the naming of
          // src/mesh/gamma/services.ts), so the version is read off backend_name. A route straight
          // to the parent Service (no split) has backend_name=<service> and stays unlabelled.
          version: { label: "backend_name", regex: `${escapeRegex(target.service)}-(.+)` },
        };
      }
      // tls="true" keeps meshed clients only: kubelet probes and Prometheus' own scrapes reach
      // the inbound proxy in plaintext and would otherwise count as traffic.
      const matchers = [eq("direction", "inbound"), eq("tls", "true"), eq("namespace", target.namespace), ...selector];
      return {
        counter: "response_total",
        counterMatchers: matchers,
        codeLabel: "status_code",
        bucket: "response_latency_ms_bucket",
        bucketMatchers: matchers,
        toMs: 1,
        version: { label: versionLabel, regex: "(.*)" },
      };
    }
  }
}

const LATENCY_MEASURES: Record<MetricsSource, Record<Side, string>> = {
  none: { server: "end-to-end request time inside the sim", client: "end-to-end request time inside the sim" },
  local: { server: "end-to-end request time inside the sim", client: "end-to-end request time inside the sim" },
  istio: {
    server: "request duration at the server-side proxy (Envoy, until the response completes)",
    client: "request duration at the client-side proxy (Envoy, until the response completes)",
  },
  linkerd: {
    // Linkerd's response_latency_ms stops at the first byte of the body: for a streamed
    // completion that is close to time-to-first-token, not the whole generation.
    server: "time to first response byte at the server-side proxy (Linkerd's response_latency_ms)",
    client: "backend response duration at the client-side proxy (request end to response end)",
  },
};

export function meshQueries(source: MetricsSource): MeshQueries {
  const perVersion = (v: Vocabulary, inner: string) =>
    `label_replace(${inner}, "version", "$1", ${JSON.stringify(v.version.label)}, ${JSON.stringify(v.version.regex)})`;
  const increase = (v: Vocabulary, scope: QueryScope, extra: string[] = []) =>
    `increase(${v.counter}${selector([...v.counterMatchers, ...extra])}[${range(scope)}])`;
  const errors = (v: Vocabulary) => [nre(v.codeLabel, "2..")];

  const queries: MeshQueries = {
    source,
    references: QUERY_REFERENCES[source],
    latencyMeasures: (side = "server") => LATENCY_MEASURES[source][side],
    requestsByVersion(scope) {
      const v = vocabulary(source, scope);
      return perVersion(v, `sum by (${v.version.label}) (${increase(v, scope)})`);
    },
    responsesByVersionAndCode(scope) {
      const v = vocabulary(source, scope);
      const byCode = `label_replace(sum by (${v.version.label}, ${v.codeLabel}) (${increase(v, scope)}), "code", "$1", ${JSON.stringify(v.codeLabel)}, "(.*)")`;
      return perVersion(v, byCode);
    },
    errorRateByVersion(scope) {
      const v = vocabulary(source, scope);
      const by = `sum by (${v.version.label})`;
      const all = `${by} (${increase(v, scope)})`;
      // A version with no errors has no error series at all; `or 0 * all` gives it a zero.
      return perVersion(v, `(${by} (${increase(v, scope, errors(v))}) or 0 * ${all}) / ${all}`);
    },
    errorRate(scope) {
      const v = vocabulary(source, scope);
      const all = `sum(${increase(v, scope)})`;
      return `(sum(${increase(v, scope, errors(v))}) or 0 * ${all}) / ${all}`;
    },
    latencyQuantileMsByVersion(scope, q) {
      const v = vocabulary(source, scope);
      const buckets = `sum by (${v.version.label}, le) (rate(${v.bucket}${selector(v.bucketMatchers)}[${range(scope)}]))`;
      return perVersion(v, scaled(`histogram_quantile(${quantile(q)}, ${buckets})`, v.toMs));
    },
    latencyQuantileMs(scope, q) {
      const v = vocabulary(source, scope);
      const buckets = `sum by (le) (rate(${v.bucket}${selector(v.bucketMatchers)}[${range(scope)}]))`;
      return scaled(`histogram_quantile(${quantile(q)}, ${buckets})`, v.toMs);
    },
  };
  return queries;
}

function range(scope: QueryScope): string {
  const s = scope.windowSeconds;
  if (!Number.isInteger(s) || s <= 0) throw new RangeError(`query window must be a positive whole number of seconds, got ${s}`);
  return `${s}s`;
}

function quantile(q: number): string {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile must be in (0, 1), got ${q}`);
  return String(q);
}

function scaled(expr: string, factor: number): string {
  return factor === 1 ? expr : `${expr} * ${factor}`;
}

function selector(matchers: string[]): string {
  return matchers.length === 0 ? "" : `{${matchers.join(", ")}}`;
}

/** Kubernetes label keys become Prometheus label names the way labelmap writes them. */
export function promLabelName(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, "_");
}

function quote(value: string): string {
  return JSON.stringify(value);
}

function eq(label: string, value: string): string {
  return `${label}=${quote(value)}`;
}

function re(label: string, regex: string): string {
  return `${label}=~${quote(regex)}`;
}

function nre(label: string, regex: string): string {
  return `${label}!~${quote(regex)}`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
