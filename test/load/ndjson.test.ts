import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recorderOf } from "../../src/analysis/hdr.js";
import { K6OutputAccumulator, parseK6Output } from "../../src/load/ndjson.js";
import { LoadProfile } from "../../src/load/profile.js";

/** Lines in the exact shape k6 v1.8.1's `--out json` writes (captured from a real run). */
function metricLine(name: string, type: string, contains: string): string {
  return JSON.stringify({
    type: "Metric",
    data: { name, type, contains, thresholds: [], submetrics: [] },
    metric: name,
  });
}

let clock = Date.parse("2026-01-01T00:00:00Z");
function point(metric: string, value: number, tags: Record<string, string> = {}): string {
  clock += 10;
  return JSON.stringify({
    metric,
    type: "Point",
    data: {
      time: new Date(clock).toISOString().replace("Z", "123456Z"), // k6 writes nanoseconds
      value,
      tags: { group: "", scenario: "fixture", profile: "fixture", ...tags },
    },
  });
}

const streamProfile = LoadProfile.parse({
  name: "fixture",
  executor: "constant-arrival-rate",
  rate: 10,
  durationSeconds: 2,
  mode: "stream",
});

/**
 * 20 requests: 17 stable 200 ok, 1 stable 200 stream cut (not ok), 2 proxy 503 without a
 * version header. Latencies only for the 17 good ones: TTFT 100..116, ITL 10 each, e2e 200+i.
 */
function fixtureLines(): string[] {
  const lines = [
    metricLine("vus", "gauge", "default"),
    point("vus", 2),
    metricLine("llm_requests", "counter", "default"),
    metricLine("llm_ttft", "trend", "time"),
  ];
  for (let i = 0; i < 17; i++) {
    lines.push(point("llm_ttft", 100 + i, { version: "stable" }));
    for (let token = 0; token < 4; token++) lines.push(point("llm_itl", 10, { version: "stable" }));
    lines.push(point("llm_e2e", 200 + i, { version: "stable" }));
    lines.push(point("llm_output_tps", 20, { version: "stable" }));
    lines.push(point("llm_requests", 1, { version: "stable", status: "200", ok: "true" }));
    lines.push(point("llm_slo_met", 1, { met: i < 15 ? "true" : "false" }));
    // k6's own HTTP metrics are in the file too and must be ignored.
    lines.push(point("http_req_duration", 9999, { status: "200" }));
    lines.push(point("iteration_duration", 9999));
  }
  lines.push(point("llm_requests", 1, { version: "stable", status: "200", ok: "false" }));
  lines.push(point("llm_slo_met", 1, { met: "false" }));
  for (let i = 0; i < 2; i++) {
    lines.push(point("llm_requests", 1, { version: "unknown", status: "503", ok: "false" }));
    lines.push(point("llm_slo_met", 1, { met: "false" }));
  }
  lines.push(point("dropped_iterations", 1));
  lines.push(point("dropped_iterations", 1));
  return lines;
}

describe("K6OutputAccumulator", () => {
  it("counts requests, failures and outcomes by version and status", () => {
    const acc = new K6OutputAccumulator();
    for (const line of fixtureLines()) acc.push(line);
    const result = acc.result(streamProfile, ["k6-fixture.ndjson"]);

    expect(result.requests).toBe(20);
    expect(result.failed).toBe(3);
    expect(result.droppedIterations).toBe(2);
    expect(result.outcomes).toEqual([
      { version: "stable", status: 200, count: 18 },
      { version: "unknown", status: 503, count: 2 },
    ]);
    expect(result.sloMet).toEqual({ met: 15, total: 20 });
    expect(result.offeredRps).toBe(10);
    expect(result.durationSeconds).toBe(2);
    expect(result.achievedRps).toBe(10);
    expect(result.evidence).toEqual(["k6-fixture.ndjson"]);
  });

  it("summarises latencies from every sample through HDR histograms", () => {
    const acc = new K6OutputAccumulator();
    for (const line of fixtureLines()) acc.push(line);
    const { latency, outputTokensPerSecond } = acc.result(streamProfile, []);

    expect(latency.ttft?.count).toBe(17);
    expect(latency.ttft?.min).toBeCloseTo(100, 1);
    expect(latency.ttft?.max).toBeCloseTo(116, 1);
    expect(latency.ttft?.p50).toBeCloseTo(108, 1);
    expect(latency.itl?.count).toBe(68);
    expect(latency.itl?.p99).toBeCloseTo(10, 1);
    expect(latency.e2e.count).toBe(17);
    expect(latency.e2e.mean).toBeCloseTo(208, 1);
    expect(outputTokensPerSecond?.p50).toBeCloseTo(20, 1);
    // The histogram travels with the summary, so batches merge exactly later.
    expect(recorderOf(latency.e2e).count).toBe(17);
  });

  it("dates the run by its first and last sample", () => {
    clock = Date.parse("2026-03-01T12:00:00Z");
    const acc = new K6OutputAccumulator();
    for (const line of fixtureLines()) acc.push(line);
    const result = acc.result(streamProfile, []);
    expect(result.startedAt).toBe("2026-03-01T12:00:00.010Z");
    expect(Date.parse(result.endedAt)).toBeGreaterThan(Date.parse(result.startedAt));
  });

  it("leaves stream-only summaries out for plain requests and sloMet out without an SLO", () => {
    const plain = LoadProfile.parse({ ...streamProfile, mode: "plain", path: "/v1/completions" });
    const acc = new K6OutputAccumulator();
    acc.push(point("llm_e2e", 50, { version: "stable" }));
    acc.push(point("llm_requests", 1, { version: "stable", status: "200", ok: "true" }));
    const result = acc.result(plain, []);
    expect(result.latency.ttft).toBeUndefined();
    expect(result.latency.itl).toBeUndefined();
    expect(result.outputTokensPerSecond).toBeUndefined();
    expect(result.sloMet).toBeUndefined();
    expect(result.latency.e2e.count).toBe(1);
  });

  it("uses the offered rate of a ramping schedule and the fallback dates of an empty run", () => {
    const ramp = LoadProfile.parse({
      ...streamProfile,
      executor: "ramping-arrival-rate",
      rate: 0.5,
      stages: [
        { target: 10, seconds: 10 },
        { target: 10, seconds: 10 },
      ],
    });
    const startedAt = new Date("2026-02-02T00:00:00Z");
    const result = new K6OutputAccumulator().result(ramp, [], { startedAt, endedAt: new Date("2026-02-02T00:00:25Z") });
    // (0.5+10)/2*10 + 10*10 = 152.5 requests over 20 s
    expect(result.offeredRps).toBeCloseTo(7.625, 6);
    expect(result.durationSeconds).toBe(20);
    expect(result.requests).toBe(0);
    expect(result.achievedRps).toBe(0);
    expect(result.startedAt).toBe("2026-02-02T00:00:00.000Z");
    expect(result.endedAt).toBe("2026-02-02T00:00:25.000Z");
    expect(result.latency.e2e.count).toBe(0);
  });
});

describe("parseK6Output", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "meshproof-ndjson-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("streams a file and counts a truncated last line instead of failing", async () => {
    const file = join(dir, "k6-fixture.ndjson");
    const lines = fixtureLines();
    writeFileSync(file, lines.join("\n") + '\n{"metric":"llm_requests","type":"Po');

    const { result, malformedLines } = await parseK6Output(file, streamProfile, ["k6-fixture.ndjson"]);
    expect(result.requests).toBe(20);
    expect(result.latency.itl?.count).toBe(68);
    expect(malformedLines).toBe(1);
  });

  it("rejects when the file is missing", async () => {
    await expect(parseK6Output(join(dir, "absent.ndjson"), streamProfile, [])).rejects.toThrow(/ENOENT/);
  });
});
