/**
 * The real thing, end to end on loopback: the k6 that `npm run setup` builds runs the
 * TypeScript load script against a real llm-sim process, and runK6 parses its output. The
 * request count k6 reports must equal the count the server reports, and the per-token timings
 * must come out near the sim's configured latencies.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSim, type SpawnedSim } from "../../fixtures/llm-sim/src/index.js";
import { findTool, type ResolvedTool } from "../../src/engine/tools.js";
import { LoadProfile, runK6 } from "../../src/load/index.js";

const TTFT_MS = 100;
const ITL_MS = 10;
const TOKENS = 16;
/** Loose bounds: two shared cores schedule timers late, never early. */
const TTFT_BOUNDS = [TTFT_MS * 0.95, TTFT_MS + 100] as const;
const ITL_BOUNDS = [ITL_MS * 0.8, ITL_MS + 15] as const;

let sim: SpawnedSim | undefined;
let k6: ResolvedTool;
let outDir: string;

beforeAll(async () => {
  k6 = findTool("k6"); // fails with "run `npm run setup`" when k6 was not built
  outDir = mkdtempSync(join(tmpdir(), "meshproof-k6-sim-"));
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
  const text = await response.text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("llmsim_requests_total{"))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

describe("k6 against a real llm-sim", () => {
  it("streams: k6's request count equals the server's, TTFT and ITL near the configured values", async () => {
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
    const result = await runK6({
      k6,
      profile,
      targetUrl: sim!.url,
      outDir,
      env: { MESHPROOF_SLO: JSON.stringify({ ttftMs: 2000, tpotMs: 200 }), MESHPROOF_RUN_ID: "it" },
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
    // Every token after the first is its own event, so each request gives TOKENS - 1 gaps.
    expect(itl?.count).toBe(result.requests * (TOKENS - 1));
    expect(itl?.p50).toBeGreaterThanOrEqual(ITL_BOUNDS[0]);
    expect(itl?.p50).toBeLessThanOrEqual(ITL_BOUNDS[1]);
    expect(e2e.p50).toBeGreaterThanOrEqual(TTFT_BOUNDS[0] + (TOKENS - 1) * ITL_BOUNDS[0]);
    expect(result.outputTokensPerSecond?.count).toBe(result.requests);
    expect(result.offeredRps).toBe(5);
    expect(result.evidence).toEqual(["k6-sim-stream.ndjson", "k6-sim-stream-summary.json"]);
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
    const result = await runK6({ k6, profile, targetUrl: sim!.url, outDir, timeoutMs: 90_000 });
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
    const result = await runK6({ k6, profile, targetUrl: sim!.url, outDir, timeoutMs: 90_000 });
    expect(result.requests).toBeGreaterThan(0);
    expect(result.outcomes.every((o) => o.peer === spiffe && o.attempt === 1)).toBe(true);
  });
});
