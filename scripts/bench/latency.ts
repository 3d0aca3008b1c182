/**
 * Latency resolution, the benchmark's own mutant (issue 9): can paired, interleaved runs tell a
 * 1 ms server-side delay from none? Four llm-sim processes on loopback answer plain completions
 * at once (no generation time): per case a baseline sim and the other side, which has
 * `--delay-ms` (the delayed case) or no delay either (the null case).
 * The built-in generator (runLoadgen) drives one run at a time; each pair's two runs go back to
 * back, and the side that goes first alternates pair by pair (A B, B A, A B, ...; ABBA), so an
 * order effect (the run after a switch, a sim waking from idle) falls on each side equally often
 * and a linear drift of the machine cancels within every four runs, which A B A B would not do.
 * The two cases take turns pair by pair, so both see the same machine. pairedQuantileOverhead
 * gives the interval of other - base: it should contain the delay and exclude 0 in
 * the delayed case, and contain 0 in the null case, at p50 and p99 of the e2e latency from each request's due time.
 * Prints figures; never fails on a number. Run: npx tsx scripts/bench/latency.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { spawnSim, type SpawnedSim } from "../../fixtures/llm-sim/src/index.js";
import { pairedQuantileOverhead, type PairedOverhead, type RunPair } from "../../src/analysis/index.js";
import { findTool } from "../../src/core/tools.js";
import { LoadProfile, runLoadgen, scheduledRequests, type LoadResult } from "../../src/load/index.js";

/** The issue's figure: 1 ms on one side, at most 5 minutes of load (pairs x 2 x seconds) at 100/s. */
export const BENCH_DEFAULTS = { pairs: 30, secondsPerRun: 5, rate: 100, delayMs: 1, seed: 9 } as const;
const QUANTILES = [0.5, 0.99] as const;
/** Runs against each sim before any counts: JIT, connection set-up, the sim's clock worker. */
const WARMUP_SECONDS = 2;
/** A run's latency is at most a few ms; 200 in flight at 100/s would mean a 2 s stall. */
const MAX_IN_FLIGHT = 200;
const REQUEST_TIMEOUT_MS = 10_000;
/** Per run, beyond its schedule: the generator's start-up and its summary (busy machine). */
const RUN_SLACK_MS = 60_000;

export interface ResolutionOptions {
  pairs: number;
  secondsPerRun: number;
  rate: number;
  delayMs: number;
  /** The sims' seed and the bootstrap's. */
  seed: number;
  confidence?: number;
  /** Each run's generator summary goes here. */
  outDir: string;
  /** After every run (progress, load average). */
  onRun?: (label: string, result: LoadResult) => void;
}

export interface ResolutionCase {
  /** By quantile, in QUANTILES order. */
  overhead: PairedOverhead[];
  pairs: number;
  requestsPerRun: { min: number; max: number };
  failed: number;
  dropped: number;
}

export interface Resolution {
  delayed: ResolutionCase;
  none: ResolutionCase;
  /** One-minute load average after each run. */
  loadAverage: { min: number; mean: number; max: number };
  loadSeconds: number;
}

function simArgs(seed: number, delayMs: number): string[] {
  // Plain completions with no generation time: the delay is the only work a request waits for.
  return [
    "--port", "0", "--ttft-ms", "0", "--itl-ms", "0", "--output-tokens", "1", "--seed", String(seed),
    "--max-running", "100000", "--max-waiting", "100000",
    ...(delayMs > 0 ? ["--delay-ms", String(delayMs)] : []),
  ];
}

/** The whole pipeline: sims, ABBA-interleaved runs, paired bootstrap. Stops every sim it started. */
export async function measureResolution(options: ResolutionOptions): Promise<Resolution> {
  const loadgen = findTool("loadgen");
  const sims: SpawnedSim[] = [];
  const loads: number[] = [];
  let runIndex = 0;
  const run = async (sim: SpawnedSim, label: string, seconds: number): Promise<LoadResult> => {
    const profile = LoadProfile.parse({
      name: `latency-${label}-${runIndex++}`,
      executor: "constant-arrival-rate",
      rate: options.rate,
      durationSeconds: seconds,
      mode: "plain",
      path: "/v1/completions",
      maxTokens: 1,
      maxVUs: MAX_IN_FLIGHT,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    const result = await runLoadgen({ loadgen, profile, targetUrl: sim.url, outDir: options.outDir, runId: label, timeoutMs: seconds * 1000 + RUN_SLACK_MS });
    loads.push(os.loadavg()[0]!);
    options.onRun?.(label, result);
    return result;
  };
  try {
    // Same seed and flags everywhere but the delay. Each case has its own baseline sim, so every
    // sim runs equally often: in trials with one baseline shared by both cases (so it ran twice
    // as often as the others) it came out 0.05-0.1 ms faster at p50 than a sim with the same
    // flags, enough to exclude 0 with no delay at all.
    const spawned = async (delayMs: number) => {
      const sim = await spawnSim(simArgs(options.seed, delayMs));
      sims.push(sim);
      return sim;
    };
    const cases = {
      delayed: { sims: { base: await spawned(0), other: await spawned(options.delayMs) }, pairs: [] as RunPair[], results: [] as LoadResult[] },
      none: { sims: { base: await spawned(0), other: await spawned(0) }, pairs: [] as RunPair[], results: [] as LoadResult[] },
    };
    for (const [name, c] of Object.entries(cases)) {
      await run(c.sims.base, `warmup-${name}-base`, WARMUP_SECONDS);
      await run(c.sims.other, `warmup-${name}-other`, WARMUP_SECONDS);
    }
    for (let i = 0; i < options.pairs; i++) {
      for (const [name, c] of Object.entries(cases)) {
        const base = () => run(c.sims.base, `${name}-base`, options.secondsPerRun);
        const other = () => run(c.sims.other, `${name}-other`, options.secondsPerRun);
        let mesh: LoadResult;
        let baseline: LoadResult;
        if (i % 2 === 0) {
          baseline = await base();
          mesh = await other();
        } else {
          mesh = await other();
          baseline = await base();
        }
        c.pairs.push({ mesh: mesh.latency.e2e, baseline: baseline.latency.e2e });
        c.results.push(mesh, baseline);
      }
    }
    const summarize = (c: { pairs: RunPair[]; results: LoadResult[] }): ResolutionCase => {
      const counts = c.results.map((r) => r.requests);
      return {
        overhead: QUANTILES.map((q) => pairedQuantileOverhead(c.pairs, q, { seed: options.seed, ...(options.confidence ? { confidence: options.confidence } : {}) })),
        pairs: c.pairs.length,
        requestsPerRun: { min: Math.min(...counts), max: Math.max(...counts) },
        failed: c.results.reduce((s, r) => s + r.failed, 0),
        dropped: c.results.reduce((s, r) => s + r.droppedIterations, 0),
      };
    };
    return {
      delayed: summarize(cases.delayed),
      none: summarize(cases.none),
      loadAverage: { min: Math.min(...loads), mean: loads.reduce((a, b) => a + b, 0) / loads.length, max: Math.max(...loads) },
      loadSeconds: options.pairs * 2 * options.secondsPerRun,
    };
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
  }
}

const ms = (x: number) => x.toFixed(3);
const interval = (o: PairedOverhead) => (o.interval ? `[${ms(o.interval.low)}, ${ms(o.interval.high)}] ms` : `none (${o.note ?? ""})`);
const contains = (o: PairedOverhead, x: number) => o.interval !== null && o.interval.low <= x && x <= o.interval.high;

export async function main(): Promise<void> {
  const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
  const options = {
    pairs: env("BENCH_LATENCY_PAIRS", BENCH_DEFAULTS.pairs),
    secondsPerRun: env("BENCH_LATENCY_SECONDS", BENCH_DEFAULTS.secondsPerRun),
    rate: BENCH_DEFAULTS.rate,
    delayMs: BENCH_DEFAULTS.delayMs,
    seed: BENCH_DEFAULTS.seed,
  };
  const perRun = scheduledRequests({ executor: "constant-arrival-rate", rate: options.rate, durationSeconds: options.secondsPerRun, stages: [] });
  console.log(`latency resolution: ${os.availableParallelism()} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} at start`);
  console.log(
    `${options.pairs} pairs per case, ${options.secondsPerRun} s per run at ${options.rate} req/s (${perRun} requests scheduled per run), ` +
      `${options.pairs * 2 * options.secondsPerRun} s of load per case; order A B, B A, A B, ... (ABBA); llm-sim --delay-ms ${options.delayMs} on the delayed side\n`,
  );
  const outDir = mkdtempSync(path.join(os.tmpdir(), "meshproof-bench-latency-"));
  const started = performance.now();
  try {
    const r = await measureResolution({ ...options, outDir });
    for (const [title, c, expect] of [
      [`--delay-ms ${options.delayMs} on one side (other - base)`, r.delayed, options.delayMs],
      ["no delay on either side (other - base)", r.none, 0],
    ] as const) {
      console.log(`${title}: ${c.pairs} pairs, ${c.requestsPerRun.min}-${c.requestsPerRun.max} requests per run, ${c.failed} failed, ${c.dropped} dropped`);
      for (const o of c.overhead) {
        const verdict = expect === 0 ? `contains 0: ${contains(o, 0) ? "yes" : "NO"}` : `contains ${expect} ms: ${contains(o, expect) ? "yes" : "NO"}; excludes 0: ${o.interval && !contains(o, 0) ? "yes" : "NO"}`;
        console.log(
          `  p${o.quantile * 100}: base ${ms(o.baselineMs)} ms, other ${ms(o.meshMs)} ms, difference ${ms(o.diffMs)} ms, ` +
            `${((o.interval?.confidence ?? 0.95) * 100).toFixed(0)}% interval ${interval(o)}; resolves ${o.resolvesMs === null ? "-" : `${ms(o.resolvesMs)} ms`}; ${verdict}`,
        );
      }
    }
    const resolves = Math.max(...[...r.delayed.overhead, ...r.none.overhead].map((o) => o.resolvesMs ?? Infinity));
    console.log(`\nsmallest difference resolved at both p50 and p99 (largest half-width of the four intervals): ${ms(resolves)} ms`);
    console.log(`load average (1 min) after each run: min ${r.loadAverage.min.toFixed(2)}, mean ${r.loadAverage.mean.toFixed(2)}, max ${r.loadAverage.max.toFixed(2)}`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
