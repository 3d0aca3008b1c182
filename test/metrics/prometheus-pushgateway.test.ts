/**
 * Real Prometheus and Pushgateway processes on loopback: results pushed to the Pushgateway are
 * scraped by Prometheus and read back with PromQL; every generated query parses.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/analysis/verdict.js";
import {
  meshQueries,
  promClient,
  PromQLError,
  pushResults,
  startPrometheus,
  startPushgateway,
  type MetricsSource,
  type PushableResults,
  type RunningPrometheus,
  type RunningPushgateway,
} from "../../src/metrics/index.js";
import { findServerTool } from "./find-tools.js";

const WAIT = { timeoutMs: 20_000, intervalMs: 250 };

const results: PushableResults = {
  runId: "run-42",
  scenario: "canary",
  mesh: "istio",
  verdicts: [
    { checkId: "canary-share", status: "pass", observed: 0.101, expected: 0.1, unit: "ratio", sampleSize: 2000 },
    { checkId: "p99-ttft", status: "inconclusive", observed: 180, unit: "ms" },
  ],
  latency: { e2e: { count: 2000, p50: 120, p90: 150, p99: 210, p999: 400 }, ttft: { count: 0, p50: 0, p90: 0, p99: 0, p999: 0 } },
  achievedRps: 49.5,
  offeredRps: 50,
};

describe("Prometheus and Pushgateway processes", () => {
  let dataDir: string;
  let gateway: RunningPushgateway | undefined;
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "meshproof-prom-"));
    gateway = await startPushgateway({ binary: findServerTool("pushgateway") });
    prometheus = await startPrometheus({
      binary: findServerTool("prometheus"),
      // honor_labels is not set, so pushed job/instance become exported_*; the test reads values only.
      scrapeTargets: [{ job: "pushgateway", targets: [new URL(gateway.url).host] }],
      scrapeIntervalSeconds: 1,
      dataDir,
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await gateway?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("serves pushed results on the Pushgateway's /metrics, grouped by run, scenario and mesh", async () => {
    await pushResults(gateway!.url, results);
    const text = await (await fetch(`${gateway!.url}/metrics`)).text();
    const group = { job: "meshproof", run_id: "run-42", scenario: "canary", mesh: "istio" };
    expect(valueOf(text, "meshproof_check_verdict", { ...group, check_id: "canary-share", status: "pass" })).toBe(1);
    expect(valueOf(text, "meshproof_check_verdict", { ...group, check_id: "canary-share", status: "fail" })).toBe(0);
    expect(valueOf(text, "meshproof_check_verdict", { ...group, check_id: "p99-ttft", status: "inconclusive" })).toBe(1);
    expect(valueOf(text, "meshproof_check_observed", { ...group, check_id: "canary-share", unit: "ratio" })).toBe(0.101);
    expect(valueOf(text, "meshproof_check_sample_size", { ...group, check_id: "canary-share" })).toBe(2000);
    expect(valueOf(text, "meshproof_latency_milliseconds", { ...group, metric: "e2e", quantile: "0.99" })).toBe(210);
    expect(valueOf(text, "meshproof_achieved_requests_per_second", group)).toBe(49.5);
    // An empty summary (no streamed requests) is left out rather than exported as zeros.
    expect(valueOf(text, "meshproof_latency_milliseconds", { ...group, metric: "ttft", quantile: "0.5" })).toBeUndefined();
  });

  it("lets Prometheus scrape what was pushed, read back with PromQL", async () => {
    await pushResults(gateway!.url, results);
    const client = promClient(prometheus!.url);
    const samples = await client.waitForSeries('meshproof_check_verdict{check_id="canary-share", status="pass"}', (s) => s.length === 1, {
      ...WAIT,
      what: "the pushed verdict to be scraped",
    });
    expect(samples[0]!.value).toBe(1);
    expect(samples[0]!.labels.run_id).toBe("run-42");
    const now = Date.now() / 1000;
    const series = await client.queryRange("meshproof_offered_requests_per_second", now - 30, now, 1);
    expect(series.length).toBe(1);
    expect(series[0]!.points.every((p) => p.value === 50)).toBe(true);
  });

  it("generates queries Prometheus accepts, for every source and side", async () => {
    const client = promClient(prometheus!.url);
    const scope = { target: { namespace: "ns", service: "llm", selector: { app: "llm-sim" }, versionLabel: "version" }, windowSeconds: 30 };
    const sources: MetricsSource[] = ["local", "none", "istio", "linkerd"];
    for (const source of sources) {
      const q = meshQueries(source);
      for (const side of ["server", "client"] as const) {
        const s = { ...scope, side };
        for (const expr of [
          q.requestsByVersion(s),
          q.responsesByVersionAndCode(s),
          q.errorRate(s),
          q.errorRateByVersion(s),
          q.latencyQuantileMs(s, 0.99),
          q.latencyQuantileMsByVersion(s, 0.5),
        ]) {
          // No data exists for these series here: what matters is that none is a parse error.
          await expect(client.query(expr), `${source}/${side}: ${expr}`).resolves.toBeInstanceOf(Array);
        }
      }
    }
  });

  it("quotes the expression and Prometheus' own message when a query is refused", async () => {
    const client = promClient(prometheus!.url);
    const refused = await client.query("sum(rate(foo[5m])").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PromQLError);
    expect((refused as PromQLError).message).toContain('"sum(rate(foo[5m])"');
    expect((refused as PromQLError).errorType).toBe("bad_data");
    expect((refused as PromQLError).message).toMatch(/parse error/);
  });

  it("writes its config and TSDB inside the data directory", async () => {
    expect(prometheus!.configPath).toBe(join(dataDir, "prometheus.yml"));
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(dataDir)).toEqual(expect.arrayContaining(["prometheus.yml", "tsdb"]));
  });
});

describe("starting a server that cannot start", () => {
  it("reports the command and the server's own output", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "meshproof-prom-bad-"));
    try {
      const failing = startPrometheus({
        binary: findServerTool("prometheus"),
        // A target that is not host:port makes Prometheus refuse the config and exit.
        scrapeTargets: [{ job: "bad", targets: ["http://not a target"] }],
        dataDir,
        timeoutMs: 15_000,
      });
      await expect(failing).rejects.toThrow(/Prometheus exited with code \d+ before .*\/-\/ready answered[\s\S]*--config\.file=[\s\S]*output:/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("says the binary is not installed, and how to get it, when it does not exist (exit 4)", async () => {
    const failing = startPushgateway({ binary: "/nonexistent/pushgateway", timeoutMs: 5_000 });
    await expect(failing).rejects.toThrow(/\/nonexistent\/pushgateway is not installed/);
    await expect(failing).rejects.toMatchObject({ exitCode: EXIT.environment, hint: expect.stringMatching(/npm run setup|PUSHGATEWAY_BIN/) });
  });
});

/** The value of the one sample of `name` in exposition text whose labels include `labels`. */
function valueOf(text: string, name: string, labels: Record<string, string>): number | undefined {
  const matches = text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}=${JSON.stringify(v)}`)));
  if (matches.length > 1) throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matches[0] === undefined ? undefined : Number(matches[0].slice(matches[0].lastIndexOf(" ") + 1));
}
