/**
 * `--pushgateway`: a recorded nightly run pushed to a real Pushgateway process on loopback through
 * prom-client, read back from its /metrics: verdicts and key figures, each with run, scenario,
 * mesh and version labels. And the same run in the Service Mesh Performance spec's fields.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushgateway, type RunningPushgateway } from "../../src/metrics/index.js";
import { loadResults } from "../../src/report/load-results.js";
import { pushRun } from "../../src/report/push.js";
import { smpResults } from "../../src/report/smp.js";
import { findServerTool } from "../metrics/find-tools.js";
import { RECORDED_DIR } from "./record.js";

let gateway: RunningPushgateway | undefined;

beforeAll(async () => {
  gateway = await startPushgateway({ binary: findServerTool("pushgateway") });
});

afterAll(async () => {
  await gateway?.stop();
});

/** The series lines of one metric on the Pushgateway's /metrics. */
async function series(name: string): Promise<string[]> {
  const text = await (await fetch(`${gateway!.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  return text.split("\n").filter((l) => l.startsWith(`${name}{`));
}

describe("pushRun", () => {
  it("pushes verdicts and key figures of every scenario and mesh, labelled with run, scenario, mesh and version", async () => {
    const results = await loadResults(join(RECORDED_DIR, "nightly-a", "results.json"));
    const groups = await pushRun(gateway!.url, results);
    expect(groups).toBe(5); // istio and linkerd: benchmark and canary; the baseline: benchmark
    const verdicts = await series("meshproof_check_verdict");
    expect(verdicts.some((l) => /check_id="split-25"/.test(l) && /mesh="linkerd"/.test(l) && /run_id="20260314-020000-nightly"/.test(l) && /scenario="canary"/.test(l) && /status="pass"/.test(l) && /version="version-2.20"/.test(l) && l.endsWith(" 1"))).toBe(true);
    const p99 = await series("meshproof_step_latency_milliseconds");
    const istioE2e = p99.find((l) => /mesh="istio"/.test(l) && /step="rate-10"/.test(l) && /metric="e2e"/.test(l) && /quantile="0.99"/.test(l));
    const recorded = results.targets[0]!.scenarios[0]!.steps[0]!.load!.latency.e2e.p99;
    expect(Number(istioE2e?.split(" ").pop())).toBeCloseTo(recorded, 6);
    expect((await series("meshproof_step_output_tokens_per_second")).length).toBe(6);
    expect((await series("meshproof_step_overhead_milliseconds")).some((l) => /bound="estimate"/.test(l) && /mesh="istio"/.test(l))).toBe(true);
    expect((await series("meshproof_step_error_ratio")).length).toBe(6);
    // The baseline's version "n/a" holds a "/": it travels base64-encoded and arrives as written.
    expect(verdicts.some((l) => /mesh="none"/.test(l) && /version="n\/a"/.test(l))).toBe(true);
  });

  it("names the URL when the Pushgateway cannot be reached", async () => {
    const results = await loadResults(join(RECORDED_DIR, "bench-none", "results.json"));
    await expect(pushRun("http://127.0.0.1:9", results)).rejects.toThrow(/Pushgateway at http:\/\/127\.0\.0\.1:9 failed/);
  });
});

describe("smpResults", () => {
  it("one PerformanceTestResult per mesh and load step, with SMP's field names and the LLM figures as labels", async () => {
    const results = await loadResults(join(RECORDED_DIR, "nightly-a", "results.json"));
    const smp = smpResults(results);
    expect(smp).toHaveLength(6);
    const first = smp[0]!;
    expect(Object.keys(first).sort()).toEqual(["actual_QPS", "details_uri", "end_time", "envId", "id", "labels", "latencies_ms", "meshConfigId", "smp_version", "start_time", "testId"].sort());
    expect(Object.keys(first.latencies_ms)).toEqual(["min", "average", "p50", "p90", "p99", "max"]);
    expect(first.latencies_ms.p99).toBe(results.targets[0]!.scenarios[0]!.steps[0]!.load!.latency.e2e.p99);
    expect(first.labels).toMatchObject({ mesh: "istio", mesh_version: "1.30.3", step: "rate-10", client: "loadgen pod (meshed)" });
    expect(first.labels["ttft_p99_ms"]).toMatch(/^\d+\.\d{3}$/);
    expect(first.labels["overhead_e2e_p99_ms"]).toMatch(/^-?\d+\.\d{3}$/);
  });
});

describe("Grafana dashboard", () => {
  it("charts the pushed series: every metric it queries is one the export pushes", () => {
    const dashboard = JSON.parse(readFileSync(join(import.meta.dirname, "../../dashboards/meshproof.json"), "utf8")) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(5);
    const pushed = readFileSync(join(import.meta.dirname, "../../src/metrics/pushgateway.ts"), "utf8");
    for (const expr of exprs) for (const name of expr.match(/meshproof_[a-z_]+/g) ?? []) expect(pushed, `${name} in ${expr}`).toContain(`"${name}"`);
  });
});
