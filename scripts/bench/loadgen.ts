/**
 * The built-in load generator (tools/loadgen) against llm-sim on loopback, each in its own
 * process:
 *   (a) plain completions at 1000 req/s for 30 s: achieved rate and dropped requests;
 *   (b) the highest rate it sustains with under 1% dropped;
 *   (c) 40 and 80 concurrent streams at 20 ms inter-token latency: the generator's own share of
 *       the p99 inter-token gap (client gap above the configured 20 ms, minus the sim's own
 *       lateness from llmsim_token_lateness_seconds);
 *   (c') the same share measured gap by gap against a Go server in the generator's test
 *       process that stamps each event with its write time (tools/loadgen/precision_test.go);
 *   (d) resident memory with 1000 streams in flight.
 * Needs `npm run setup` (the loadgen binary). Prints figures; never fails on a number.
 * Run: npx tsx scripts/bench/loadgen.ts
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSim, type SpawnedSim } from "../../fixtures/llm-sim/src/index.js";
import { LatencyRecorder } from "../../src/analysis/hdr.js";
import { findTool } from "../../src/core/tools.js";
import { LoadProfile, type LoadgenSummary } from "../../src/load/index.js";

const PLAIN_RATE = 1000;
const PLAIN_SECONDS = 30;
/** (b) rates tried after (a), each for this long, until one drops 1% or more. */
const SWEEP_RATES = [1500, 2000, 3000, 4000, 6000, 8000];
const SWEEP_SECONDS = 10;
const DROP_LIMIT = 0.01;
const ITL_MS = 20;
const STREAM_TTFT_MS = 20;
const STREAM_TOKENS = 50;
const STREAM_SECONDS = 15;
/** (d) long streams so that arrivals pile up to this many in flight. */
const MEMORY_STREAMS = 1000;
const MEMORY_TOKENS = 500;

const loadgen = findTool("loadgen").path;
const work = mkdtempSync(path.join(os.tmpdir(), "meshproof-bench-loadgen-"));

interface Run {
  summary: LoadgenSummary;
  maxRssMiB: number;
}

/** One generator run in its own process; its resident size sampled from /proc every 100 ms. */
function runLoadgen(url: string, input: Record<string, unknown>): Promise<Run> {
  const profile = LoadProfile.parse(input);
  const out = path.join(work, `${profile.name}.json`);
  const child = spawn(loadgen, ["run", "--target", url, "--profile", JSON.stringify(profile), "--graceful-stop", "30s", "--out", out], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  let maxRss = 0;
  const sampler = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0);
      maxRss = Math.max(maxRss, kb);
    } catch {
      // the process has just ended
    }
  }, 100);
  const limitMs = (profile.durationSeconds + 90) * 1000;
  const killer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  return new Promise((resolve, reject) => {
    child.once("close", (code) => {
      clearInterval(sampler);
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`loadgen exited ${code}: ${stderr}`));
      resolve({ summary: JSON.parse(readFileSync(out, "utf8")) as LoadgenSummary, maxRssMiB: maxRss / 1024 });
    });
  });
}

function quantiles(summary: LoadgenSummary, name: string) {
  const recorder = new LatencyRecorder();
  const encoded = summary.histograms[name]?.encoded;
  if (encoded) recorder.addEncoded(encoded);
  return recorder.summary();
}

/** The sim's llmsim_token_lateness_seconds buckets (cumulative), by upper bound in seconds. */
async function lateness(sim: SpawnedSim): Promise<Map<number, number>> {
  const text = await (await fetch(`${sim.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const buckets = new Map<number, number>();
  for (const m of text.matchAll(/^llmsim_token_lateness_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\S+)$/gm)) {
    const bound = m[1] === "+Inf" ? Infinity : Number(m[1]);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(m[2]));
  }
  return buckets;
}

/** p99 of the sim's lateness over a step in ms, interpolated linearly inside its bucket. */
function latenessP99Ms(before: Map<number, number>, after: Map<number, number>): number {
  const bounds = [...after.keys()].filter(Number.isFinite).sort((a, b) => a - b);
  const count = (le: number) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const total = count(Infinity);
  if (total <= 0) return 0;
  const want = 0.99 * total;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const c = count(le);
    if (c >= want) return (lower + ((want - below) / Math.max(1, c - below)) * (le - lower)) * 1000;
    lower = le;
    below = c;
  }
  return Infinity;
}

const f = (x: number, digits = 2) => x.toFixed(digits);
const loadAverage = () => os.loadavg().map((x) => x.toFixed(1)).join(" ");

async function main(): Promise<void> {
  console.log(`loadgen benchmark: ${os.availableParallelism()} cores, load average ${loadAverage()} at start`);
  console.log(`generator ${loadgen}\n`);

  const plainSim = await spawnSim(["--port", "0", "--ttft-ms", "0", "--itl-ms", "0", "--output-tokens", "1", "--max-running", "100000", "--max-waiting", "100000"]);
  try {
    const plain = (name: string, rate: number, seconds: number) =>
      runLoadgen(plainSim.url, { name, executor: "constant-arrival-rate", rate, durationSeconds: seconds, mode: "plain", path: "/v1/completions", maxTokens: 1, maxVUs: 1000, requestTimeoutMs: 10_000 });
    const a = (await plain("plain-1000", PLAIN_RATE, PLAIN_SECONDS)).summary;
    const achieved = a.requests / PLAIN_SECONDS;
    const e2e = quantiles(a, "e2e");
    console.log(`(a) plain completions at ${PLAIN_RATE} req/s for ${PLAIN_SECONDS} s`);
    console.log(`  scheduled ${a.scheduled}, sent ${a.started}, dropped ${a.dropped}, failed ${a.failed}; achieved ${f(achieved, 1)} req/s (${f((100 * achieved) / PLAIN_RATE, 2)}% of offered)`);
    console.log(`  latency from the due time: p50 ${f(e2e.p50)} ms, p99 ${f(e2e.p99)} ms; start delay p99 ${f(quantiles(a, "startDelay").p99)} ms; peak in flight ${a.peakInFlight}\n`);

    console.log(`(b) highest rate with under ${DROP_LIMIT * 100}% dropped (${SWEEP_SECONDS} s per step, cap 1000 in flight)`);
    let best = a.dropped / a.scheduled < DROP_LIMIT && a.failed === 0 ? PLAIN_RATE : 0;
    for (const rate of SWEEP_RATES) {
      const s = (await plain(`plain-${rate}`, rate, SWEEP_SECONDS)).summary;
      const dropped = s.dropped / s.scheduled;
      console.log(`  ${rate} req/s: achieved ${f(s.requests / SWEEP_SECONDS, 0)}, dropped ${f(dropped * 100, 2)}%, failed ${s.failed}, p99 ${f(quantiles(s, "e2e").p99)} ms, load average ${loadAverage()}`);
      if (dropped >= DROP_LIMIT || s.failed > 0) break;
      best = rate;
    }
    console.log(`  highest: ${best} req/s (generator and llm-sim on the same 2 cores)\n`);
  } finally {
    await plainSim.stop();
  }

  const streamSim = await spawnSim(["--port", "0", "--ttft-ms", String(STREAM_TTFT_MS), "--itl-ms", String(ITL_MS), "--output-tokens", String(MEMORY_TOKENS), "--max-running", "100000", "--max-waiting", "100000"]);
  try {
    const streamSeconds = (STREAM_TTFT_MS + (STREAM_TOKENS - 1) * ITL_MS) / 1000;
    // Warm the sim (JIT, its clock worker) before any step counts.
    await runLoadgen(streamSim.url, { name: "warm-up", executor: "constant-arrival-rate", rate: 20, durationSeconds: 5, mode: "stream", maxTokens: STREAM_TOKENS, maxVUs: 500 });
    console.log(`(c) streams at ${ITL_MS} ms inter-token latency, ${STREAM_TOKENS} tokens, ${STREAM_SECONDS} s per step`);
    for (const streams of [40, 80]) {
      const before = await lateness(streamSim);
      const s = (await runLoadgen(streamSim.url, { name: `streams-${streams}`, executor: "constant-arrival-rate", rate: streams / streamSeconds, durationSeconds: STREAM_SECONDS, mode: "stream", maxTokens: STREAM_TOKENS, maxVUs: 1000 })).summary;
      const simLateP99 = latenessP99Ms(before, await lateness(streamSim));
      const itl = quantiles(s, "itl");
      const own = itl.p99 - ITL_MS - simLateP99;
      // When the sim itself is later than the client's excess, this split cannot show the
      // generator's share: say so instead of printing a negative or infinite figure.
      const share = Number.isFinite(simLateP99) && own >= 0 ? `${f(own)} ms` : `not separable (the sim's own lateness exceeds the client's excess of ${f(itl.p99 - ITL_MS)} ms)`;
      console.log(
        `  ${streams} streams: ${itl.count} gaps, p50 ${f(itl.p50)} ms, p99 ${f(itl.p99)} ms, p99.9 ${f(itl.p999)} ms; sim's own lateness p99 ${Number.isFinite(simLateP99) ? `${f(simLateP99)} ms` : "> 100 ms"};` +
          ` generator's share of the p99 gap: ${share}; failed ${s.failed}, peak in flight ${s.peakInFlight}, start delay p99 ${f(quantiles(s, "startDelay").p99)} ms, load average ${loadAverage()}`,
      );
    }
    console.log("");

    console.log("(c') the generator's share of each gap, gap by gap, against a server that stamps its writes (go test -run TestPrecisionFigures)");
    const precision = spawnSync(findTool("go").path, ["test", "-count=1", "-run", "TestPrecisionFigures", "-v", "."], {
      cwd: path.resolve(import.meta.dirname, "../../tools/loadgen"),
      env: { ...process.env, LOADGEN_PRECISION: "1" },
      encoding: "utf8",
      timeout: 300_000,
    });
    for (const line of precision.stdout.split("\n").filter((l) => l.startsWith("precision:"))) console.log(`  ${line.slice("precision: ".length)}, load average ${loadAverage()}`);
    if (precision.status !== 0) console.log(`  go test exited ${precision.status}: ${precision.stderr.slice(-500)}`);
    console.log("");

    const memorySeconds = (STREAM_TTFT_MS + (MEMORY_TOKENS - 1) * ITL_MS) / 1000;
    const m = await runLoadgen(streamSim.url, { name: "memory", executor: "constant-arrival-rate", rate: MEMORY_STREAMS / memorySeconds, durationSeconds: memorySeconds + 2, mode: "stream", maxTokens: MEMORY_TOKENS, maxVUs: 2 * MEMORY_STREAMS });
    console.log(`(d) resident memory with long streams (${MEMORY_TOKENS} tokens at ${ITL_MS} ms): peak ${m.summary.peakInFlight} in flight, max RSS ${f(m.maxRssMiB, 1)} MiB; ${m.summary.requests} requests, ${m.summary.failed} failed, ${m.summary.dropped} dropped`);
  } finally {
    await streamSim.stop();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`\nload average at the end ${loadAverage()}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
