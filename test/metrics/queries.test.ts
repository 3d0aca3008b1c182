import { describe, expect, it } from "vitest";
import { meshQueries, promLabelName, type QueryScope } from "../../src/metrics/queries.js";

const target = { namespace: "mp-run1", service: "llm", selector: { app: "llm-sim" }, versionLabel: "version" };
const server: QueryScope = { target, windowSeconds: 60 };
const client: QueryScope = { ...server, side: "client" };

describe("query builders", () => {
  it("count local requests from the sim's own series, API paths only, labelled by version", () => {
    expect(meshQueries("local").requestsByVersion(server)).toBe(
      'label_replace(sum by (version) (increase(llmsim_requests_total{path=~"/v1/.*"}[60s])), "version", "$1", "version", "(.*)")',
    );
  });

  it("restrict the no-mesh baseline on a cluster to the stack's namespace", () => {
    expect(meshQueries("none").requestsByVersion(server)).toContain('llmsim_requests_total{namespace="mp-run1", path=~"/v1/.*"}');
  });

  it("read Istio's server-side or client-side reporter, and rename destination_version to version", () => {
    const istio = meshQueries("istio");
    expect(istio.requestsByVersion(server)).toBe(
      'label_replace(sum by (destination_version) (increase(istio_requests_total{reporter="destination", destination_service_name="llm", destination_service_namespace="mp-run1"}[60s])), "version", "$1", "destination_version", "(.*)")',
    );
    expect(istio.requestsByVersion(client)).toContain('reporter="source"');
  });

  it("read Linkerd's inbound mTLS traffic on the server side and route backends on the client side", () => {
    const linkerd = meshQueries("linkerd");
    expect(linkerd.requestsByVersion(server)).toContain('response_total{direction="inbound", tls="true", namespace="mp-run1", app="llm-sim"}');
    const c = linkerd.requestsByVersion(client);
    expect(c).toContain('outbound_http_route_backend_response_statuses_total{parent_name="llm", parent_namespace="mp-run1"}');
    expect(c).toContain('"backend_name", "llm-(.+)"');
  });

  it("give versions without errors an error rate of zero instead of no series", () => {
    const q = meshQueries("istio").errorRateByVersion(server);
    expect(q).toContain('response_code!~"2.."');
    expect(q).toContain(" or 0 * sum by (destination_version)");
    expect(meshQueries("local").errorRate(server)).toMatch(/^\(sum\(increase\(llmsim_requests_total\{path=~"\/v1\/\.\*", status!~"2\.\."\}\[60s\]\)\) or 0 \* sum\(/);
  });

  it("return latency in milliseconds whatever the mesh's unit", () => {
    expect(meshQueries("istio").latencyQuantileMs(server, 0.99)).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination", destination_service_name="llm", destination_service_namespace="mp-run1"}[60s])))',
    );
    expect(meshQueries("local").latencyQuantileMsByVersion(server, 0.5)).toContain("vllm:e2e_request_latency_seconds_bucket[60s]))) * 1000");
    expect(meshQueries("linkerd").latencyQuantileMs(server, 0.5)).toContain("response_latency_ms_bucket{");
    expect(meshQueries("linkerd").latencyQuantileMs(client, 0.5)).toContain("outbound_http_route_backend_response_duration_seconds_bucket{parent_name=\"llm\", parent_namespace=\"mp-run1\"}[60s]))) * 1000");
  });

  it("label responses by version and code", () => {
    const q = meshQueries("linkerd").responsesByVersionAndCode(server);
    expect(q).toContain('sum by (version, status_code)');
    expect(q).toContain('"code", "$1", "status_code", "(.*)"');
  });

  it("say what each source's latency measures", () => {
    expect(meshQueries("linkerd").latencyMeasures("server")).toMatch(/first response byte/);
    expect(meshQueries("istio").references[0]).toMatch(/^https:\/\/istio\.io\//);
    expect(meshQueries("linkerd").references[0]).toMatch(/^https:\/\/linkerd\.io\//);
  });

  it("quote label values so a hostile value cannot change the query", () => {
    const q = meshQueries("istio").requestsByVersion({ ...server, target: { ...target, service: 'x"} or vector(1) #' } });
    expect(q).toContain('destination_service_name="x\\"} or vector(1) #"');
  });

  it("map Kubernetes label keys the way labelmap does", () => {
    expect(promLabelName("app.kubernetes.io/name")).toBe("app_kubernetes_io_name");
  });

  it("refuse windows and quantiles that make no sense", () => {
    const q = meshQueries("istio");
    expect(() => q.requestsByVersion({ ...server, windowSeconds: 0 })).toThrow(/positive whole number/);
    expect(() => q.requestsByVersion({ ...server, windowSeconds: 1.5 })).toThrow(/whole number/);
    expect(() => q.latencyQuantileMs(server, 1)).toThrow(/quantile must be in \(0, 1\)/);
  });
});
