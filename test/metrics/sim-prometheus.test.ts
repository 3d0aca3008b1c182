/**
 * Real llm-sim processes scraped by a real Prometheus (1 s interval): the requests sent are the
 * requests PromQL counts, per version, and the local stack's plan steps start as written.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSim, type SpawnedSim } from "../../fixtures/llm-sim/src/index.js";
import { childProcessLauncher, writeStepFiles, type StartedProcess } from "../../src/engine/processes.js";
import { meshQueries, promClient, startPrometheus, type RunningPrometheus } from "../../src/metrics/index.js";
import { localStack, type LocalStack } from "../../src/stack/index.js";
import { findServerTool } from "./find-tools.js";

/** Scrapes land within a couple of intervals; the first waits for Prometheus' target discovery too. */
const SCRAPED = { timeoutMs: 30_000, intervalMs: 250 };
const FAST_SIM = { ttftMs: 1, itlMs: 1, outputTokens: 2 };

async function complete(baseUrl: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${baseUrl}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "llm-sim", prompt: "ping", max_tokens: 2 }),
      signal: AbortSignal.timeout(10_000),
    });
    await res.text();
    expect(res.status, `request ${i + 1} to ${baseUrl}`).toBe(200);
  }
}

describe("one llm-sim scraped by Prometheus", () => {
  const N = 25;
  let dataDir: string;
  let sim: SpawnedSim | undefined;
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "meshproof-sim-prom-"));
    sim = await spawnSim(["--port", "0", "--version", "stable", "--ttft-ms", "1", "--itl-ms", "1", "--output-tokens", "2"]);
    prometheus = await startPrometheus({
      binary: findServerTool("prometheus"),
      scrapeTargets: [{ job: "llm-sim", targets: [new URL(sim.url).host], labels: { version: "stable" } }],
      scrapeIntervalSeconds: 1,
      dataDir,
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await sim?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("counts exactly the requests sent", async () => {
    await complete(sim!.url, N);
    const samples = await promClient(prometheus!.url).waitForSeries("sum(llmsim_requests_total)", (s) => s[0]?.value === N, {
      ...SCRAPED,
      what: `Prometheus to count ${N} sim requests`,
    });
    expect(samples).toHaveLength(1);
    expect(samples[0]!.value).toBe(N);
  });
});

describe("the local stack, started from its own plan steps", () => {
  let dataDir: string;
  let stack: LocalStack;
  const started: StartedProcess[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "meshproof-local-stack-"));
    stack = await localStack({ runId: "test-run", versions: ["stable", "canary"], sim: FAST_SIM, prometheus: findServerTool("prometheus"), runDir: dataDir });
    // The steps as the executor gets them: the sims, then Prometheus scraping them.
    for (const step of stack.setup) {
      await writeStepFiles(step.files);
      started.push(await childProcessLauncher.start({ role: step.role, argv: step.argv, env: step.env ?? {}, readyUrl: step.readyUrl, timeoutMs: step.timeoutMs, logDir: join(dataDir, "logs") }));
    }
  });

  afterAll(async () => {
    for (const p of started.reverse()) await p.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("serves each version on its own port, and Prometheus counts each version's requests", async () => {
    const client = promClient(stack.prometheus!.url);
    const byVersion = "sum by (version) (llmsim_requests_total)";
    const counts = (want: Record<string, number>) => (samples: { labels: Record<string, string>; value: number }[]) =>
      Object.entries(want).every(([v, n]) => samples.find((s) => s.labels.version === v)?.value === n);

    await complete(stack.urls.stable!, 12);
    await complete(stack.urls.canary!, 4);
    await client.waitForSeries(byVersion, counts({ stable: 12, canary: 4 }), { ...SCRAPED, what: "the first batch to be scraped" });

    // A second batch, so the window holds samples before and after it and increase() sees it.
    await complete(stack.urls.stable!, 6);
    await complete(stack.urls.canary!, 3);
    await client.waitForSeries(byVersion, counts({ stable: 18, canary: 7 }), { ...SCRAPED, what: "the second batch to be scraped" });

    const scope = { target: stack.target, windowSeconds: 60 };
    const increases = await client.query(meshQueries("local").requestsByVersion(scope));
    const of = (v: string) => increases.find((s) => s.labels.version === v)?.value;
    // increase() extrapolates outwards, never inwards: at least the second batch, at most a bit over both.
    expect(of("stable")).toBeGreaterThanOrEqual(6 - 1e-9);
    expect(of("canary")).toBeGreaterThanOrEqual(3 - 1e-9);
    expect(of("stable")).toBeLessThan(18 * 1.5);

    const errorRate = await client.query(meshQueries("local").errorRate(scope));
    expect(errorRate).toHaveLength(1);
    expect(errorRate[0]!.value).toBe(0);
  });

  it("answers the health probe and names its version, as the stack says", async () => {
    for (const p of stack.processes) {
      const res = await fetch(p.readyUrl, { signal: AbortSignal.timeout(5_000) });
      expect(res.status).toBe(200);
      const completion = await fetch(`${stack.urls[p.version]}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: "x", max_tokens: 1 }),
        signal: AbortSignal.timeout(5_000),
      });
      await completion.text();
      expect(completion.headers.get("x-llm-version")).toBe(p.version);
    }
  });
});
