/**
 * The real thing, end to end on loopback: the loadgen that `npm run setup` builds drives a real
 * llm-sim process, and runLoadgen reads its summary. The request count the generator reports
 * must equal the count the server reports, and the per-token timings must come out near the
 * sim's configured latencies. With a k6 installed (K6_BIN or PATH), the optional k6 engine runs
 * the plain script against the same server; without one that test is skipped, saying why.
 */
import { spawn } from "node:child_process";
import { metricSum } from "../llm-sim/sim-client.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSim, type SpawnedSim } from "../../fixtures/llm-sim/src/index.js";
import { findTool, tryFindTool, type ResolvedTool } from "../../src/core/tools.js";
import { LoadProfile, runK6, runLoadgen } from "../../src/load/index.js";

// Long enough that 10% (20 ms) exceeds what a busy shared machine makes the sim itself late by.
const TTFT_MS = 200;
const ITL_MS = 10;
const TOKENS = 16;
/** TTFT within 10% of the configured value; two shared cores schedule timers late, never early. */
const TTFT_BOUNDS = [TTFT_MS * 0.95, TTFT_MS * 1.1] as const;
const ITL_BOUNDS = [ITL_MS * 0.8, ITL_MS + 15] as const;

let sim: SpawnedSim | undefined;
let loadgen: ResolvedTool;
/** k6 is optional and never built by meshproof: the k6 test runs only where a user installed one. */
const k6 = tryFindTool("k6");
let outDir: string;

beforeAll(async () => {
  loadgen = findTool("loadgen"); // fails with "run `npm run setup`" when it was not built
  outDir = mkdtempSync(join(tmpdir(), "meshproof-loadgen-sim-"));
  sim = await spawnSim([
    "--port", "0",
    "--version", "stable",
    "--ttft-ms", String(TTFT_MS),
    "--itl-ms", String(ITL_MS),
    "--output-tokens", String(TOKENS),
    "--seed", "7",
  ]);
});

afterAll(async () => {
  await sim?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Sum of llmsim_requests_total over every label set, from the sim's /metrics. */
async function simRequestCount(): Promise<number> {
  const response = await fetch(`${sim!.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return metricSum(await response.text(), "llmsim_requests_total");
}

describe("the built-in load generator against a real llm-sim", () => {
  it("streams: its request count equals the server's, TTFT within 10% and one ITL sample per token gap", async () => {
    const before = await simRequestCount();
    const profile = LoadProfile.parse({
      name: "sim-stream",
      executor: "constant-arrival-rate",
      rate: 5,
      durationSeconds: 3,
      mode: "stream",
      maxTokens: TOKENS,
      maxVUs: 20,
    });
    const result = await runLoadgen({
      loadgen,
      profile,
      targetUrl: sim!.url,
      outDir,
      slo: JSON.stringify({ ttftMs: 2000, tpotMs: 200 }),
      runId: "it",
      timeoutMs: 90_000,
    });
    const served = (await simRequestCount()) - before;

    expect(result.requests).toBeGreaterThanOrEqual(10);
    expect(result.requests).toBe(served);
    expect(result.failed).toBe(0);
    expect(result.droppedIterations).toBe(0);
    expect(result.outcomes).toEqual([{ version: "stable", status: 200, count: result.requests, peer: "none", attempt: 1 }]);
    expect(result.sloMet).toEqual({ met: result.requests, total: result.requests });

    const { ttft, itl, e2e } = result.latency;
    expect(ttft?.count).toBe(result.requests);
    expect(ttft?.p50).toBeGreaterThanOrEqual(TTFT_BOUNDS[0]);
    expect(ttft?.p50).toBeLessThanOrEqual(TTFT_BOUNDS[1]);
    // From the due time and from the send time: the generator's own lag sits between them.
    expect(result.latency.ttftFromSend?.count).toBe(result.requests);
    expect(result.latency.ttftFromSend!.p50).toBeLessThanOrEqual(ttft!.p50);
    expect(result.startDelay?.count).toBe(result.requests);
    expect(result.startDelay!.p99).toBeLessThan(50);
    // Every token after the first is its own event, so each request gives TOKENS - 1 gaps.
    expect(itl?.count).toBe(result.requests * (TOKENS - 1));
    expect(itl?.p50).toBeGreaterThanOrEqual(ITL_BOUNDS[0]);
    expect(itl?.p50).toBeLessThanOrEqual(ITL_BOUNDS[1]);
    expect(e2e.p50).toBeGreaterThanOrEqual(TTFT_BOUNDS[0] + (TOKENS - 1) * ITL_BOUNDS[0]);
    expect(result.outputTokensPerSecond?.count).toBe(result.requests);
    expect(result.offeredRps).toBe(5);
    expect(result.evidence).toEqual(["loadgen-sim-stream.json"]);
  });

  it("plain completions: counts match and e2e covers the whole generation", async () => {
    const before = await simRequestCount();
    const profile = LoadProfile.parse({
      name: "sim-plain",
      executor: "constant-arrival-rate",
      rate: 4,
      durationSeconds: 2,
      mode: "plain",
      path: "/v1/completions",
      maxTokens: TOKENS,
      maxVUs: 20,
    });
    const result = await runLoadgen({ loadgen, profile, targetUrl: sim!.url, outDir, timeoutMs: 90_000 });
    const served = (await simRequestCount()) - before;

    expect(result.requests).toBeGreaterThanOrEqual(6);
    expect(result.requests).toBe(served);
    expect(result.failed).toBe(0);
    expect(result.outcomes).toEqual([{ version: "stable", status: 200, count: result.requests, peer: "none", attempt: 1 }]);
    expect(result.latency.ttft).toBeUndefined();
    expect(result.latency.e2e.count).toBe(result.requests);
    expect(result.latency.e2e.p50).toBeGreaterThanOrEqual(TTFT_BOUNDS[0] + (TOKENS - 1) * ITL_BOUNDS[0]);
  });

  it("records the identity and attempt count the server echoes, as the mTLS and retry checks need", async () => {
    // No mesh here, so the test plays the client-side proxy: it sends the header Istio's sidecar
    // would add, and a header that makes the sim fail each request id's first attempt.
    const spiffe = "spiffe://cluster.local/ns/meshproof-istio/sa/loadgen";
    const profile = LoadProfile.parse({
      name: "sim-echo",
      executor: "constant-arrival-rate",
      rate: 4,
      durationSeconds: 2,
      mode: "plain",
      maxTokens: 4,
      maxVUs: 10,
      headers: { "x-forwarded-client-cert": `By=spiffe://cluster.local/ns/meshproof-istio/sa/llm-sim;Hash=abc;URI=${spiffe}` },
    });
    const result = await runLoadgen({ loadgen, profile, targetUrl: sim!.url, outDir, timeoutMs: 90_000 });
    expect(result.requests).toBeGreaterThan(0);
    expect(result.outcomes.every((o) => o.peer === spiffe && o.attempt === 1)).toBe(true);
  });

  it("times failed responses apart: answers the sim holds and then fails with 504 are timed under 504, successes untouched", async () => {
    // The sim plays a gateway whose route timeout fired: it holds each response HELD_MS, then
    // answers 504. Every request fails, so the success histograms stay empty.
    const HELD_MS = 400;
    const before = await simRequestCount();
    const profile = LoadProfile.parse({
      name: "sim-cut",
      executor: "constant-arrival-rate",
      rate: 5,
      durationSeconds: 2,
      mode: "plain",
      maxTokens: 4,
      maxVUs: 20,
      headers: { "x-llm-delay-ms": String(HELD_MS), "x-llm-fail-status": "504" },
    });
    const result = await runLoadgen({ loadgen, profile, targetUrl: sim!.url, outDir, timeoutMs: 90_000 });
    expect(result.requests).toBeGreaterThanOrEqual(8);
    expect(result.requests).toBe((await simRequestCount()) - before);
    expect(result.failed).toBe(result.requests);
    expect(result.latency.e2e.count).toBe(0);
    expect(result.failedLatency?.map((f) => f.status)).toEqual([504]);
    const [cut] = result.failedLatency!;
    expect(cut!.e2eFromSend?.count).toBe(result.requests);
    expect(cut!.e2e.count).toBe(result.requests);
    // Held HELD_MS by the sim's own clock, which never wakes early; a busy machine only adds.
    expect(cut!.e2eFromSend!.min).toBeGreaterThanOrEqual(HELD_MS);
    expect(cut!.e2eFromSend!.p50).toBeLessThan(HELD_MS + 1_000);
    expect(cut!.e2e.p50).toBeGreaterThanOrEqual(cut!.e2eFromSend!.p50);
  });

  it("stops on SIGINT: the run ends at once and what was measured is still written", async () => {
    const before = await simRequestCount();
    const profile = LoadProfile.parse({ name: "sim-interrupt", executor: "constant-arrival-rate", rate: 5, durationSeconds: 60, mode: "stream", maxTokens: TOKENS, maxVUs: 20 });
    const summaryPath = join(outDir, "loadgen-sim-interrupt.json");
    const child = spawn(loadgen.path, ["run", "--target", sim!.url, "--profile", JSON.stringify(profile), "--out", summaryPath], { stdio: ["ignore", "ignore", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await new Promise((r) => setTimeout(r, 1500));
    const signalledAt = Date.now();
    child.kill("SIGINT");
    const code = await Promise.race([exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 30_000))]);
    if (code === "hung") child.kill("SIGKILL");
    expect(code).toBe(130);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    const summary = JSON.parse(readFileSync(summaryPath, "utf8")) as { interrupted: string; requests: number; notStarted: number };
    expect(summary.interrupted).toBe("SIGINT");
    expect(summary.notStarted).toBeGreaterThan(200);
    // Every request that left the client is counted, finished or cut off.
    expect(summary.requests).toBe((await simRequestCount()) - before);
  });
});

describe.skipIf(!k6)("the optional k6 engine against a real llm-sim", () => {
  it("plain completions on a stock k6: counts match the server's", async () => {
    const before = await simRequestCount();
    const profile = LoadProfile.parse({ name: "k6-plain", executor: "constant-arrival-rate", rate: 4, durationSeconds: 2, mode: "plain", path: "/v1/completions", maxTokens: TOKENS, maxVUs: 20 });
    const result = await runK6({ k6: k6!, profile, targetUrl: sim!.url, outDir, timeoutMs: 90_000 });
    expect(result.requests).toBeGreaterThanOrEqual(6);
    expect(result.requests).toBe((await simRequestCount()) - before);
  });
});

if (!k6) {
  describe("the optional k6 engine", () => {
    it.skip("skipped: no k6 installed (set K6_BIN or put k6 on PATH; meshproof ships none)", () => {});
  });
}
