/**
 * Latency resolution, the benchmark's own mutant (issue 9): can paired, interleaved runs tell a
 * 1 ms server-side delay from none? Four llm-sim processes on loopback answer plain completions
 * at once (no generation time): per case a baseline sim and the other side, which has
 * `--delay-ms` (the delayed case) or no delay either (the null case).
 * The built-in generator (runLoadgen) drives each side. By default the two runs of a pair load
 * both sides at the same time (two generators started together, which one is spawned first
 * alternating pair by pair), so what the machine does during a slice falls on both; `abba`
 * runs them back to back, alternating which goes first (A B, B A, ...). The two cases take
 * turns pair by pair, so both see the same machine. pairedQuantileOverhead gives the interval
 * of other - base: it should contain the delay and exclude 0 in the delayed case, and contain 0
 * in the null case, at p50 and p99 of the e2e latency from each request's due time.
 * Beside each interval it prints the floor independent requests would give
 * (independentFloorMs): on a busy shared machine the p99 is made of scheduling stalls tens of
 * ms long, and no pairing of two sides whose processes stall separately resolves less.
 * Prints figures; never fails on a number. Run: npx tsx scripts/bench/latency.ts
 * (BENCH_LATENCY_PAIRS, BENCH_LATENCY_SECONDS, BENCH_LATENCY_INTERLEAVE=abba,
 * BENCH_LATENCY_SAVE=file.json to keep the pairs for another estimator).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { spawnSim, type SpawnedSim } from "../../fixtures/llm-sim/src/index.js";
import { mergeSummaries, pairedQuantileOverhead, recorderOf, type PairedOverhead, type RunPair } from "../../src/analysis/index.js";
import { normalQuantile } from "../../src/analysis/special.js";
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
/** tsx compiles the sim on its first start; at load average 25 that took more than 20 s. */
const SIM_START_TIMEOUT_MS = 120_000;

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
  /** Default `concurrent`. */
  interleave?: Interleave;
}

export interface ResolutionCase {
  /** By quantile, in QUANTILES order. */
  overhead: PairedOverhead[];
  /** By quantile, in QUANTILES order: see independentFloorMs. */
  floorMs: number[];
  pairs: number;
  /** The pairs of e2e summaries (other as mesh, base as baseline), in the order they ran. */
  runs: RunPair[];
  /** Completed requests, both sides, every pair (warm-up excluded). */
  requests: number;
  requestsPerRun: { min: number; max: number };
  failed: number;
  dropped: number;
}

export interface Resolution {
  interleave: Interleave;
  delayed: ResolutionCase;
  none: ResolutionCase;
  /** One-minute load average after each run. */
  loadAverage: { min: number; mean: number; max: number };
  /** Seconds of load per case (wall time of its pairs, warm-up excluded). */
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

/**
 * How the two sides of a pair share the machine. `concurrent` (the default): both generators
 * start together, each against its own sim, so a stall of the machine (another developer's
 * build, a cluster run) falls on both sides' tails within the same slice and cancels in the
 * paired difference; which side is spawned first alternates slice by slice. `abba`: the two runs
 * of a pair go back to back (A B, B A, ...), the earlier design, kept to compare against: on a
 * busy machine its p99 interval is an order of magnitude wider, because contention hits one
 * run's tail and not the other's.
 */
export type Interleave = "concurrent" | "abba";

/** The whole pipeline: sims, interleaved pairs of runs, paired bootstrap. Stops every sim it started. */
export async function measureResolution(options: ResolutionOptions): Promise<Resolution> {
  const loadgen = findTool("loadgen");
  const interleave = options.interleave ?? "concurrent";
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
  /**
   * One pair: base and other, at once or back to back; `flip` puts the other side first (the
   * first spawned, or the first run). Spawning both in the same tick leaves their starts a few
   * ms apart, against slices of seconds; alternating the order cancels what is left.
   */
  const pair = async (c: Case, name: string, seconds: number, flip: boolean): Promise<{ base: LoadResult; other: LoadResult }> => {
    const base = () => run(c.sims.base, `${name}-base`, seconds);
    const other = () => run(c.sims.other, `${name}-other`, seconds);
    if (interleave === "concurrent") {
      // Promise.all starts them in array order and owns both rejections.
      if (flip) {
        const [o, b] = await Promise.all([other(), base()]);
        return { base: b, other: o };
      }
      const [b, o] = await Promise.all([base(), other()]);
      return { base: b, other: o };
    }
    if (flip) {
      const o = await other();
      return { other: o, base: await base() };
    }
    const b = await base();
    return { base: b, other: await other() };
  };
  try {
    // Same seed and flags everywhere but the delay. Each case has its own baseline sim, so every
    // sim runs equally often: in trials with one baseline shared by both cases (so it ran twice
    // as often as the others) it came out 0.05-0.1 ms faster at p50 than a sim with the same
    // flags, enough to exclude 0 with no delay at all.
    const spawned = async (delayMs: number) => {
      const sim = await spawnSim(simArgs(options.seed, delayMs), { timeoutMs: SIM_START_TIMEOUT_MS });
      sims.push(sim);
      return sim;
    };
    const cases: Record<"delayed" | "none", Case> = {
      delayed: { sims: { base: await spawned(0), other: await spawned(options.delayMs) }, pairs: [], results: [] },
      none: { sims: { base: await spawned(0), other: await spawned(0) }, pairs: [], results: [] },
    };
    for (const [name, c] of Object.entries(cases)) {
      await pair(c, `warmup-${name}`, WARMUP_SECONDS, false);
      await pair(c, `warmup-${name}`, WARMUP_SECONDS, true);
    }
    for (let i = 0; i < options.pairs; i++) {
      // The cases take turns, and which goes first alternates too (d n, n d, ...).
      const order = i % 2 === 0 ? (["delayed", "none"] as const) : (["none", "delayed"] as const);
      for (const name of order) {
        const c = cases[name];
        const { base, other } = await pair(c, name, options.secondsPerRun, i % 2 === 1);
        c.pairs.push({ mesh: other.latency.e2e, baseline: base.latency.e2e });
        c.results.push(other, base);
      }
    }
    const summarize = (c: Case): ResolutionCase => {
      const counts = c.results.map((r) => r.requests);
      return {
        overhead: QUANTILES.map((q) => pairedQuantileOverhead(c.pairs, q, { seed: options.seed, ...(options.confidence ? { confidence: options.confidence } : {}) })),
        floorMs: QUANTILES.map((q) => independentFloorMs(c.pairs, q, options.confidence ?? 0.95)),
        pairs: c.pairs.length,
        runs: c.pairs,
        requests: counts.reduce((a, b) => a + b, 0),
        requestsPerRun: { min: Math.min(...counts), max: Math.max(...counts) },
        failed: c.results.reduce((s, r) => s + r.failed, 0),
        dropped: c.results.reduce((s, r) => s + r.droppedIterations, 0),
      };
    };
    return {
      interleave,
      delayed: summarize(cases.delayed),
      none: summarize(cases.none),
      loadAverage: { min: Math.min(...loads), mean: loads.reduce((a, b) => a + b, 0) / loads.length, max: Math.max(...loads) },
      loadSeconds: options.pairs * (interleave === "concurrent" ? 1 : 2) * options.secondsPerRun,
    };
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
  }
}

/**
 * The half-width a two-sided interval of the quantile difference would have if every request
 * were independent of every other and the two sides independent of each other:
 * z * sqrt(q(1-q) (1/(n_m f_m^2) + 1/(n_b f_b^2))), f each side's density at its quantile, read
 * from its merged histogram as the share between q - d and q + d over their distance (d = 0.005
 * at p99). No estimator resolves less from these requests unless the same moments slow both
 * sides alike; stalls that hold several requests at once only widen it. At p99 on a busy
 * machine the density there is that of waits in a stall, spread over tens of ms, so this floor
 * is what a 1 ms goal at p99 runs into.
 */
export function independentFloorMs(pairs: readonly RunPair[], q: number, confidence: number): number {
  const d = Math.min(0.005, q / 2, (1 - q) / 2);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  let variance = 0;
  for (const runs of [pairs.map((p) => p.mesh), pairs.map((p) => p.baseline)]) {
    const merged = recorderOf(mergeSummaries(runs));
    const spread = merged.quantile(Math.min(1, q + d)) - merged.quantile(q - d);
    if (!(spread > 0)) continue; // a point mass: no spread to speak of at this resolution
    const density = (2 * d) / spread;
    variance += (q * (1 - q)) / (merged.count * density * density);
  }
  return z * Math.sqrt(variance);
}

interface Case {
  sims: { base: SpawnedSim; other: SpawnedSim };
  pairs: RunPair[];
  results: LoadResult[];
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
    interleave: (process.env.BENCH_LATENCY_INTERLEAVE ?? "concurrent") as Interleave,
  };
  if (options.interleave !== "concurrent" && options.interleave !== "abba") throw new Error(`BENCH_LATENCY_INTERLEAVE must be concurrent or abba, got ${JSON.stringify(options.interleave)}`);
  const concurrent = options.interleave === "concurrent";
  const perRun = scheduledRequests({ executor: "constant-arrival-rate", rate: options.rate, durationSeconds: options.secondsPerRun, stages: [] });
  console.log(`latency resolution: ${os.availableParallelism()} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} at start`);
  console.log(
    `${options.pairs} pairs per case, ${options.secondsPerRun} s per run at ${options.rate} req/s (${perRun} requests scheduled per run), ` +
      `${2 * options.pairs * perRun} requests and ${options.pairs * (concurrent ? 1 : 2) * options.secondsPerRun} s of load per case; ` +
      (concurrent ? "both sides of a pair at once (which is spawned first alternates)" : "the runs of a pair back to back, A B, B A, A B, ... (ABBA)") +
      `; llm-sim --delay-ms ${options.delayMs} on the delayed side\n`,
  );
  const outDir = mkdtempSync(path.join(os.tmpdir(), "meshproof-bench-latency-"));
  const started = performance.now();
  try {
    const r = await measureResolution({ ...options, outDir });
    // The pairs themselves, to try another estimator on the same measurements.
    const save = process.env.BENCH_LATENCY_SAVE;
    if (save) writeFileSync(save, JSON.stringify({ options, loadAverage: r.loadAverage, delayed: r.delayed.runs, none: r.none.runs }));
    for (const [title, c, expect] of [
      [`--delay-ms ${options.delayMs} on one side (other - base)`, r.delayed, options.delayMs],
      ["no delay on either side (other - base)", r.none, 0],
    ] as const) {
      console.log(`${title}: ${c.pairs} pairs, ${c.requests} requests (${c.requestsPerRun.min}-${c.requestsPerRun.max} per run), ${c.failed} failed, ${c.dropped} dropped`);
      for (const [i, o] of c.overhead.entries()) {
        const verdict = expect === 0 ? `contains 0: ${contains(o, 0) ? "yes" : "NO"}` : `contains ${expect} ms: ${contains(o, expect) ? "yes" : "NO"}; excludes 0: ${o.interval && !contains(o, 0) ? "yes" : "NO"}`;
        console.log(
          `  p${o.quantile * 100}: base ${ms(o.baselineMs)} ms, other ${ms(o.meshMs)} ms, difference ${ms(o.diffMs)} ms, ` +
            `${((o.interval?.confidence ?? 0.95) * 100).toFixed(0)}% interval ${interval(o)}; resolves ${o.resolvesMs === null ? "-" : `${ms(o.resolvesMs)} ms`} ` +
            `(independent-requests floor ${ms(c.floorMs[i]!)} ms); ${verdict}`,
        );
      }
    }
    const resolves = Math.max(...[...r.delayed.overhead, ...r.none.overhead].map((o) => o.resolvesMs ?? Infinity));
    console.log(`\nsmallest difference resolved at both p50 and p99 (largest half-width of the four intervals): ${ms(resolves)} ms`);
    const floor = Math.max(...r.delayed.floorMs, ...r.none.floorMs);
    console.log(
      `floor: ${ms(floor)} ms, the largest half-width an interval would have from these requests if each were independent ` +
        "(quantile variance q(1-q)/(n f^2), f the density at the quantile): no pairing of independent sides resolves less",
    );
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
